"""The translation queue and cache in the database.

A post's translation state lives on its row (status pending | done | failed | skipped, attempts,
next try, reason); a provider's outage back-off and daily usage live in TranslationProvider; a
text already translated lives in TranslationCache. Claims are short transactions: the claiming
worker first writes the provider's row (SQLite: takes the write lock; PostgreSQL: locks that
row), so claims are serialised, then takes due posts with FOR UPDATE SKIP LOCKED together with
every other due post of the same text, and leases them by pushing `translation_next_at`.

On SQLite every transaction here starts with a write: a transaction that reads first and
writes later fails at once with "database is locked" when another writer committed in
between (SQLite's snapshot rule), whereas a first write simply waits for the busy timeout.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import and_, case, exists, func, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session

from monitor.core.backoff import backoff_delay
from monitor.core.text import normalise_text
from storage.models import Match, Post, TranslationCache, TranslationProvider

STATUSES = ("pending", "done", "failed", "skipped")
_POST: Any = Post.__table__  # type: ignore[attr-defined]
_PROVIDER: Any = TranslationProvider.__table__  # type: ignore[attr-defined]
_CACHE: Any = TranslationCache.__table__  # type: ignore[attr-defined]
_IN_CHUNK = 500


def cache_key(text: str, source: str, target: str, provider: str) -> str:
    """The cache key: the same words in the same languages through the same provider."""
    parts = "\x1f".join((normalise_text(text), source, target, provider))
    return hashlib.sha256(parts.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class ClaimedPost:
    """A post this worker may translate until its lease runs out."""

    id: int
    text: str
    entities: list[dict[str, Any]] | None
    language: str | None
    content_hash: str
    attempts: int


@dataclass(frozen=True)
class ProviderState:
    """What a claim saw of the provider: back-off and today's usage."""

    provider: str
    backoff_until: datetime | None
    failures: int
    chars_today: int
    last_error: str | None


@dataclass(frozen=True)
class Claim:
    posts: list[ClaimedPost]
    state: ProviderState


def _insert(session: Session, table: Any) -> Any:
    dialect = session.get_bind().dialect.name
    return postgresql.insert(table) if dialect == "postgresql" else sqlite.insert(table)


def lock_provider(session: Session, provider: str, now: datetime) -> ProviderState:
    """Create the provider's row if needed and write it, holding it until this transaction ends."""
    session.execute(
        _insert(session, _PROVIDER)
        .values(provider=provider, failures=0, chars_today=0, requests_today=0, updated_at=now)
        .on_conflict_do_nothing(index_elements=["provider"])
    )
    session.execute(
        update(_PROVIDER).where(_PROVIDER.c.provider == provider).values(updated_at=now)
    )
    row = session.execute(select(_PROVIDER).where(_PROVIDER.c.provider == provider)).one()
    today = now.date().isoformat()
    return ProviderState(
        provider=provider,
        backoff_until=row.backoff_until,
        failures=row.failures,
        chars_today=row.chars_today if row.usage_day == today else 0,
        last_error=row.last_error,
    )


def _due(now: datetime) -> Any:
    return and_(
        _POST.c.translation_status == "pending",
        or_(_POST.c.translation_next_at.is_(None), _POST.c.translation_next_at <= now),
    )


def claim_pending(
    session: Session,
    provider: str,
    *,
    now: datetime,
    limit: int,
    lease: timedelta,
    mode: str = "all",
    since: datetime | None = None,
    honour_backoff: bool = True,
) -> Claim:
    """Lease up to `limit` due posts (plus due posts sharing their text) to this worker."""
    state = lock_provider(session, provider, now)
    if honour_backoff and state.backoff_until is not None and state.backoff_until > now:
        return Claim([], state)
    query = select(_POST.c.id, _POST.c.content_hash).where(_due(now))
    if since is not None:
        query = query.where(_POST.c.posted_at >= since)
    live = exists().where(Match.post_id == _POST.c.id, Match.removed_at.is_(None))  # type: ignore[union-attr]
    if mode == "matched":
        query = query.where(live)
    # Posts with a live match first: their alerts wait for the English. Then newest first, so
    # a large backfill never delays fresh posts; posts that failed go last.
    matched_first = case((live, 0), else_=1)
    query = query.order_by(_POST.c.translation_attempts, matched_first, _POST.c.id.desc()).limit(
        limit
    )
    first = session.execute(query.with_for_update(skip_locked=True)).all()
    if not first:
        return Claim([], state)
    ids = {row.id for row in first}
    hashes = sorted({row.content_hash for row in first})
    siblings = (
        session.execute(
            select(_POST.c.id)
            .where(_due(now), _POST.c.content_hash.in_(hashes), _POST.c.id.not_in(ids))
            .with_for_update(skip_locked=True)
        )
        .scalars()
        .all()
    )
    ids.update(siblings)
    ordered = sorted(ids)
    session.execute(
        update(_POST).where(_POST.c.id.in_(ordered)).values(translation_next_at=now + lease)
    )
    rows = session.execute(
        select(
            _POST.c.id,
            _POST.c.text,
            _POST.c.entities,
            _POST.c.language,
            _POST.c.content_hash,
            _POST.c.translation_attempts,
        ).where(_POST.c.id.in_(ordered))
    ).all()
    posts = [
        ClaimedPost(r.id, r.text, r.entities, r.language, r.content_hash, r.translation_attempts)
        for r in sorted(rows, key=lambda r: r.id)
    ]
    return Claim(posts, state)


def cache_get_many(session: Session, keys: Sequence[str]) -> dict[str, str]:
    """Cached translations of these keys (and count the hits)."""
    found: dict[str, str] = {}
    unique = sorted(set(keys))
    for start in range(0, len(unique), _IN_CHUNK):
        chunk = unique[start : start + _IN_CHUNK]
        # Write before reading: see the module docstring (SQLite).
        rows = session.execute(
            update(_CACHE)
            .where(_CACHE.c.key.in_(chunk))
            .values(hits=_CACHE.c.hits + 1)
            .returning(_CACHE.c.key, _CACHE.c.translation)
        ).all()
        found.update({row.key: row.translation for row in rows})
    return found


def cache_put(
    session: Session,
    key: str,
    *,
    provider: str,
    source: str,
    target: str,
    translation: str,
    now: datetime,
) -> None:
    """Remember a translation; a concurrent identical insert is ignored."""
    session.execute(
        _insert(session, _CACHE)
        .values(
            key=key,
            provider=provider,
            source_lang=source,
            target_lang=target,
            translation=translation,
            created_at=now,
            hits=0,
        )
        .on_conflict_do_nothing(index_elements=["key"])
    )


def _still_claimed(post_ids: Sequence[int], content_hash: str | None = None) -> Any:
    """Rows still pending (an edit in the meantime changes the hash and wins)."""
    cond = and_(_POST.c.id.in_(list(post_ids)), _POST.c.translation_status == "pending")
    if content_hash is not None:
        cond = and_(cond, _POST.c.content_hash == content_hash)
    return cond


def record_done(
    session: Session,
    post_ids: Sequence[int],
    *,
    content_hash: str,
    translation: str,
    provider: str,
    now: datetime,
) -> list[int]:
    """Store a translation on posts whose text is still the one translated; return their ids."""
    result = session.execute(
        update(_POST)
        .where(_still_claimed(post_ids, content_hash))
        .values(
            translation=translation,
            translation_provider=provider,
            translation_status="done",
            translation_error=None,
            translation_next_at=None,
            translated_at=now,
        )
        .returning(_POST.c.id)
    )
    return sorted(result.scalars().all())


def pending_texts(session: Session, post_ids: Sequence[int]) -> list[Any]:
    """(id, text, entities, language) of those posts still pending translation."""
    return list(
        session.execute(
            select(Post.id, Post.text, Post.entities, Post.language).where(  # type: ignore[call-overload]
                Post.id.in_(post_ids),  # type: ignore[union-attr]
                Post.translation_status == "pending",
            )
        ).all()
    )


def record_skipped(session: Session, post_ids: Sequence[int], reason: str) -> int:
    """Mark pending posts as needing no translation, with the reason."""
    total = 0
    ids = list(post_ids)
    for start in range(0, len(ids), _IN_CHUNK):
        result = session.execute(
            update(_POST)
            .where(_still_claimed(ids[start : start + _IN_CHUNK]))
            .values(
                translation_status="skipped", translation_error=reason, translation_next_at=None
            )
        )
        total += int(result.rowcount or 0)  # type: ignore[attr-defined]
    return total


def clear_retry_state(session: Session, post_ids: Sequence[int]) -> None:
    """Forget a pending post's old retry time and reason (its text changed: a fresh start)."""
    ids = list(post_ids)
    for start in range(0, len(ids), _IN_CHUNK):
        session.execute(
            update(_POST)
            .where(_still_claimed(ids[start : start + _IN_CHUNK]))
            .values(translation_next_at=None, translation_error=None)
        )


def record_failure(
    session: Session,
    post_ids: Sequence[int],
    *,
    content_hash: str,
    reason: str,
    now: datetime,
    max_attempts: int,
    backoff: timedelta,
    max_backoff: timedelta,
) -> list[int]:
    """Charge posts one attempt: retry later with back-off, or mark failed; return failed ids."""
    rows = session.execute(  # write first: see the module docstring (SQLite)
        update(_POST)
        .where(_still_claimed(post_ids, content_hash))
        .values(translation_attempts=_POST.c.translation_attempts + 1, translation_error=reason)
        .returning(_POST.c.id, _POST.c.translation_attempts)
    ).all()
    failed: list[int] = []
    for row in sorted(rows):
        if row.translation_attempts >= max_attempts:
            values: dict[str, Any] = {"translation_status": "failed", "translation_next_at": None}
            failed.append(row.id)
        else:
            delay = backoff_delay(row.translation_attempts, base=backoff, cap=max_backoff)
            values = {"translation_next_at": now + delay}
        session.execute(update(_POST).where(_POST.c.id == row.id).values(**values))
    return failed


def release(session: Session, post_ids: Sequence[int]) -> None:
    """Give claimed posts back untouched (due again at once), e.g. after an outage."""
    if post_ids:
        session.execute(
            update(_POST).where(_still_claimed(post_ids)).values(translation_next_at=None)
        )


def record_outage(
    session: Session,
    provider: str,
    *,
    reason: str,
    now: datetime,
    backoff: timedelta,
    max_backoff: timedelta,
) -> datetime:
    """Count one more consecutive outage and set the provider's back-off; return its end."""
    state = lock_provider(session, provider, now)
    failures = state.failures + 1
    until = now + backoff_delay(failures, base=backoff, cap=max_backoff)
    session.execute(
        update(_PROVIDER)
        .where(_PROVIDER.c.provider == provider)
        .values(
            failures=failures,
            backoff_until=until,
            last_error=reason,
            last_error_at=now,
            outage_since=func.coalesce(_PROVIDER.c.outage_since, now),
        )
    )
    return until


def record_usage(
    session: Session, provider: str, *, chars: int, requests: int, now: datetime
) -> None:
    """Add to today's usage and clear the outage state: the provider answered."""
    lock_provider(session, provider, now)
    today = now.date().isoformat()
    same_day = _PROVIDER.c.usage_day == today
    session.execute(
        update(_PROVIDER)
        .where(_PROVIDER.c.provider == provider)
        .values(
            failures=0,
            backoff_until=None,
            outage_since=None,
            usage_day=today,
            chars_today=case((same_day, _PROVIDER.c.chars_today + chars), else_=chars),
            requests_today=case((same_day, _PROVIDER.c.requests_today + requests), else_=requests),
        )
    )


def requeue_failed(session: Session, *, since: datetime | None = None) -> int:
    """Put failed posts back in the queue with a fresh attempt count."""
    cond = _POST.c.translation_status == "failed"
    if since is not None:
        cond = and_(cond, _POST.c.posted_at >= since)
    result = session.execute(
        update(_POST)
        .where(cond)
        .values(translation_status="pending", translation_attempts=0, translation_next_at=None)
    )
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


def translation_backlog(session: Session) -> dict[str, int]:
    """Posts per translation status (pending, done, failed, skipped; always all four keys)."""
    counts = dict.fromkeys(STATUSES, 0)
    rows = session.execute(
        select(_POST.c.translation_status, func.count()).group_by(_POST.c.translation_status)
    ).all()
    for status, count in rows:
        counts[status] = counts.get(status, 0) + int(count)
    return counts


def count_due(
    session: Session, *, now: datetime, mode: str = "all", since: datetime | None = None
) -> int:
    """Pending posts a drain could take now (for progress bars)."""
    query = select(func.count()).select_from(_POST).where(_due(now))
    if since is not None:
        query = query.where(_POST.c.posted_at >= since)
    if mode == "matched":
        live = exists().where(Match.post_id == _POST.c.id, Match.removed_at.is_(None))  # type: ignore[union-attr]
        query = query.where(live)
    return int(session.execute(query).scalar_one())


def provider_outage(session: Session, provider: str) -> tuple[datetime, str | None] | None:
    """Since when `provider` has been failing, and its last error; None while it answers."""
    row = session.get(TranslationProvider, provider)
    if row is None or not row.failures or row.outage_since is None:
        return None
    return row.outage_since, row.last_error


def provider_states(session: Session) -> list[TranslationProvider]:
    """Every provider's stored state, for `tgmon translate --status`."""
    return list(session.execute(select(TranslationProvider)).scalars().all())
