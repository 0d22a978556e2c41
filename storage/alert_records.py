"""Writing alerts into the outbox, inside the transaction that wrote the matches.

A match and its alert (with one Delivery per route) commit together or not at all: that is
the transactional outbox. Core statements with ON CONFLICT, not ORM objects and savepoints:
this runs in the ingest path, where imports write thousands of posts per second.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Table, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session, col, select

from monitor.config.settings import SEVERITY_RANK, AlertSettings
from monitor.core.clock import utcnow
from storage.models import Alert, Delivery, Match, Post

_ALERT: Table = Alert.__table__  # type: ignore[attr-defined]
_DELIVERY: Table = Delivery.__table__  # type: ignore[attr-defined]
_POST: Table = Post.__table__  # type: ignore[attr-defined]
_IN_CHUNK = 500
DIGEST_KEY_PREFIX = "tgmon-digest-"


def dedupe_key(post: Any) -> str:
    """The story a post tells: its forward origin if it is a forward, else its text hash."""
    if post.fwd_from_channel_id is not None and post.fwd_from_message_id is not None:
        return f"fwd:{post.fwd_from_channel_id}:{post.fwd_from_message_id}"
    return f"text:{post.content_hash}"


def digest_slot(now: datetime, every: timedelta) -> datetime:
    """The end of the digest interval `now` falls in (intervals aligned on the Unix epoch)."""
    step = max(int(every.total_seconds()), 1)
    epoch = int(now.timestamp())
    return datetime.fromtimestamp((epoch // step + 1) * step, tz=now.tzinfo)


def record_alerts(
    session: Session,
    matches: Sequence[Match],
    settings: AlertSettings,
    now: datetime | None = None,
) -> list[Alert]:
    """Turn newly written Match rows into alerts (and deliveries) in the caller's transaction.

    Pass the Match rows the match stage has just created or revived (flushed, so they have
    `post_id`). Rows are grouped per (post, watchlist): a post that already alerted for that
    watchlist does not alert again; the reason is `edited` when the match came from a later
    version of the post (`post_version > 1`), else `new`. A post telling a story already
    alerted within the policy's dedupe window is appended to that alert's `copies` instead.
    Returns the alerts created (read-only snapshots; not the ones a copy joined).
    """
    now = now or utcnow()
    groups: dict[tuple[int, str], list[Match]] = {}
    for match in matches:
        groups.setdefault((match.post_id, match.watchlist), []).append(match)
    post_ids = sorted({post_id for post_id, _ in groups})
    posts = _posts(session, post_ids)
    alerted = _alerted_pairs(session, post_ids)
    created: list[Alert] = []
    for (post_id, watchlist), rows in groups.items():
        post = posts.get(post_id)
        if post is None or (post_id, watchlist) in alerted:
            continue
        reason = "edited" if max(m.post_version for m in rows) > 1 else "new"
        if reason == "edited" and not settings.policy_for(watchlist).on_edited:
            continue
        severity = max((m.severity for m in rows), key=lambda s: SEVERITY_RANK.get(s, 0))
        alert = _record_one(
            session, post_id, watchlist, severity, reason, dedupe_key(post), settings, now
        )
        alerted.add((post_id, watchlist))
        if alert is not None:
            created.append(alert)
    return created


def record_deletion_alerts(
    session: Session,
    post_ids: Iterable[int],
    settings: AlertSettings,
    now: datetime | None = None,
) -> list[Alert]:
    """Alert (reason `deleted`) for deleted posts that matched a watchlist asking for it.

    Call it in the deletion's transaction with the ids `storage.posts.mark_deleted` returned.
    """
    now = now or utcnow()
    ids = list(post_ids)
    best: dict[tuple[int, str], str] = {}
    for start in range(0, len(ids), _IN_CHUNK):
        rows = session.exec(
            select(Match.post_id, Match.watchlist, Match.severity).where(
                col(Match.post_id).in_(ids[start : start + _IN_CHUNK]),
                col(Match.removed_at).is_(None),
            )
        ).all()
        for post_id, watchlist, severity in rows:
            pair = (post_id, watchlist)
            if SEVERITY_RANK.get(severity, 0) >= SEVERITY_RANK.get(best.get(pair, "info"), 0):
                best[pair] = severity
    created: list[Alert] = []
    for (post_id, watchlist), severity in sorted(best.items()):
        if not settings.policy_for(watchlist).on_deleted:
            continue
        key = f"deleted:{post_id}"
        alert = _record_one(session, post_id, watchlist, severity, "deleted", key, settings, now)
        if alert is not None:
            created.append(alert)
    return created


def _posts(session: Session, post_ids: list[int]) -> dict[int, Any]:
    found: dict[int, Any] = {}
    for start in range(0, len(post_ids), _IN_CHUNK):
        rows = session.execute(
            select(
                _POST.c.id,
                _POST.c.content_hash,
                _POST.c.fwd_from_channel_id,
                _POST.c.fwd_from_message_id,
            ).where(_POST.c.id.in_(post_ids[start : start + _IN_CHUNK]))
        ).all()
        found.update({row.id: row for row in rows})
    return found


def _alerted_pairs(session: Session, post_ids: list[int]) -> set[tuple[int, str]]:
    """(post, watchlist) pairs that already have a new/edited alert."""
    pairs: set[tuple[int, str]] = set()
    for start in range(0, len(post_ids), _IN_CHUNK):
        rows = session.execute(
            select(_ALERT.c.post_id, _ALERT.c.watchlist).where(
                _ALERT.c.post_id.in_(post_ids[start : start + _IN_CHUNK]),
                _ALERT.c.reason.in_(("new", "edited")),
            )
        ).all()
        pairs.update((row.post_id, row.watchlist) for row in rows)
    return pairs


def _latest_with_key(session: Session, watchlist: str, key: str) -> Any:
    """The newest alert of this story: it alone holds the bare key (older ones are renamed)."""
    stmt = select(_ALERT.c.id, _ALERT.c.created_at, _ALERT.c.copies).where(
        _ALERT.c.watchlist == watchlist, _ALERT.c.dedupe_key == key
    )
    if session.get_bind().dialect.name == "postgresql":
        stmt = stmt.with_for_update()  # two writers appending copies must not lose one
    return session.execute(stmt).first()


def _record_one(
    session: Session,
    post_id: int,
    watchlist: str,
    severity: str,
    reason: str,
    key: str,
    settings: AlertSettings,
    now: datetime,
) -> Alert | None:
    policy = settings.policy_for(watchlist)
    for _ in range(3):  # a concurrent writer may insert the same key between read and write
        latest = _latest_with_key(session, watchlist, key)
        if latest is not None and now - latest.created_at <= policy.dedupe_window:
            if post_id not in latest.copies:
                session.execute(
                    update(_ALERT)
                    .where(_ALERT.c.id == latest.id)
                    .values(copies=[*latest.copies, post_id])
                )
            return None
        if latest is not None:  # the story again after the window: retire the old alert's key
            retired = f"{key}@{latest.created_at.isoformat()}#{latest.id}"
            session.execute(
                update(_ALERT).where(_ALERT.c.id == latest.id).values(dedupe_key=retired)
            )
        suppressed = _in_cooldown(session, watchlist, policy.cooldown, now)
        values = {
            "watchlist": watchlist,
            "severity": severity,
            "post_id": post_id,
            "reason": reason,
            "dedupe_key": key,
            "copies": [post_id],
            "created_at": now,
            "status": "suppressed" if suppressed else "pending",
        }
        dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
        stmt = (
            dialect.insert(_ALERT)
            .values(**values)
            .on_conflict_do_nothing(index_elements=["watchlist", "dedupe_key"])
            .returning(*_ALERT.c)
        )
        row = session.execute(stmt).mappings().first()
        if row is None:
            continue
        alert = Alert(**dict(row))
        if not suppressed:
            routed = add_deliveries(session, alert.id, watchlist, severity, settings, now)
            alert.status = "pending" if routed else "unrouted"
        return alert
    return None


def _in_cooldown(session: Session, watchlist: str, cooldown: timedelta, now: datetime) -> bool:
    if cooldown <= timedelta(0):
        return False
    recent = session.execute(
        select(_ALERT.c.id)
        .where(
            _ALERT.c.watchlist == watchlist,
            _ALERT.c.status != "suppressed",
            _ALERT.c.created_at > now - cooldown,
        )
        .limit(1)
    ).first()
    return recent is not None


def add_deliveries(
    session: Session,
    alert_id: int | None,
    watchlist: str,
    severity: str,
    settings: AlertSettings,
    now: datetime,
    *,
    check_existing: bool = False,
) -> int:
    """Create one pending Delivery per route that accepts the alert; set the alert's status.

    Returns how many deliveries the alert has now (0 = no route takes it: `unrouted`).
    """
    assert alert_id is not None
    have: set[str] = set()
    if check_existing:
        have = set(
            session.execute(
                select(_DELIVERY.c.route).where(_DELIVERY.c.alert_id == alert_id)
            ).scalars()
        )
    rows: list[dict[str, Any]] = []
    for route in settings.routes:
        if route.name in have or not route.accepts(watchlist, severity):
            continue
        if route.digest:
            slot = digest_slot(now, route.digest)
            due, key = slot, f"{DIGEST_KEY_PREFIX}{route.name}-{int(slot.timestamp())}"
        else:
            due, key = now, f"tgmon-{alert_id}-{uuid.uuid4().hex}"
        rows.append(
            {
                "alert_id": alert_id,
                "route": route.name,
                "status": "pending",
                "attempts": 0,
                "next_attempt_at": due,
                "idempotency_key": key,
            }
        )
    if rows:
        session.execute(_DELIVERY.insert(), rows)
    total = len(rows) + len(have)
    if total == 0 or check_existing:
        status = "pending" if total else "unrouted"
        session.execute(update(_ALERT).where(_ALERT.c.id == alert_id).values(status=status))
    return total
