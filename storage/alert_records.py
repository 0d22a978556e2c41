"""Alerts and deliveries in the outbox: facts the alert policy needs, and writes of its verdicts.

Everything here runs inside the ingest transaction that wrote the matches, so a match and its
alert (with one Delivery per route) commit together or not at all: the transactional outbox.
Set-based Core statements, a handful per batch whatever its size: imports write thousands of
posts per second through this path. What to write is decided by monitor.alerts.policy.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, fields
from datetime import datetime
from typing import Any

from sqlalchemy import Table, bindparam, func, select, update
from sqlmodel import Session

from storage.bulk import bulk_insert
from storage.models import Alert, Delivery, Match, Post

_ALERT: Table = Alert.__table__  # type: ignore[attr-defined]
_DELIVERY: Table = Delivery.__table__  # type: ignore[attr-defined]
_MATCH: Table = Match.__table__  # type: ignore[attr-defined]
_POST: Table = Post.__table__  # type: ignore[attr-defined]
_IN_CHUNK = 500


@dataclass(frozen=True)
class PostStory:
    """What tells a post's story apart: its forward origin, else its normalised text hash."""

    post_id: int
    content_hash: str
    fwd_from_channel_id: int | None
    fwd_from_message_id: int | None


@dataclass(frozen=True)
class StoryAlert:
    """The newest stored alert of a story in one list (only it holds the bare dedupe key)."""

    id: int
    watchlist: str
    dedupe_key: str
    created_at: datetime
    copies: tuple[int, ...]


@dataclass(frozen=True)
class AlertRow:
    """An alert to insert."""

    watchlist: str
    severity: str
    post_id: int
    reason: str  # new | edited | deleted
    dedupe_key: str
    copies: tuple[int, ...]
    created_at: datetime
    status: str  # pending | suppressed | unrouted


@dataclass(frozen=True)
class StoredAlert(AlertRow):
    """An alert as inserted, with its id (a plain value: no ORM object leaves the batch)."""

    id: int = 0


@dataclass(frozen=True)
class DeliveryRow:
    """A pending delivery of one alert to one route."""

    alert_id: int
    route: str
    next_attempt_at: datetime
    idempotency_key: str


def _chunks(ids: Sequence[Any]) -> Iterable[Sequence[Any]]:
    for start in range(0, len(ids), _IN_CHUNK):
        yield ids[start : start + _IN_CHUNK]


def _is_postgres(session: Session) -> bool:
    return session.get_bind().dialect.name == "postgresql"


def load_stories(session: Session, post_ids: Iterable[int]) -> dict[int, PostStory]:
    """The story keys of these posts (posts that do not exist are left out)."""
    found: dict[int, PostStory] = {}
    for chunk in _chunks(sorted(set(post_ids))):
        rows = session.execute(
            select(
                _POST.c.id,
                _POST.c.content_hash,
                _POST.c.fwd_from_channel_id,
                _POST.c.fwd_from_message_id,
            ).where(_POST.c.id.in_(chunk))
        ).all()
        found.update({row[0]: PostStory(*row) for row in rows})
    return found


def load_alerted_pairs(session: Session, post_ids: Iterable[int]) -> set[tuple[int, str]]:
    """(post, watchlist) pairs that already have a new/edited alert."""
    pairs: set[tuple[int, str]] = set()
    for chunk in _chunks(sorted(set(post_ids))):
        rows = session.execute(
            select(_ALERT.c.post_id, _ALERT.c.watchlist).where(
                _ALERT.c.post_id.in_(chunk), _ALERT.c.reason.in_(("new", "edited"))
            )
        ).all()
        pairs.update((post_id, watchlist) for post_id, watchlist in rows)
    return pairs


def load_live_matches(session: Session, post_ids: Iterable[int]) -> list[tuple[int, str, str]]:
    """(post, watchlist, severity) of every live match of these posts, in id order."""
    out: list[tuple[int, str, str]] = []
    for chunk in _chunks(sorted(set(post_ids))):
        rows = session.execute(
            select(_MATCH.c.post_id, _MATCH.c.watchlist, _MATCH.c.severity)
            .where(_MATCH.c.post_id.in_(chunk), _MATCH.c.removed_at.is_(None))
            .order_by(_MATCH.c.id)
        ).all()
        out.extend((post_id, watchlist, severity) for post_id, watchlist, severity in rows)
    return out


def load_story_alerts(
    session: Session, keys: Iterable[tuple[str, str]]
) -> dict[tuple[str, str], StoryAlert]:
    """The newest alert of each (watchlist, dedupe key); locked on PostgreSQL.

    The lock makes a concurrent writer that appends a copy to the same alert wait for this
    transaction, so neither loses the other's copy.
    """
    by_list: dict[str, list[str]] = {}
    for watchlist, key in set(keys):
        by_list.setdefault(watchlist, []).append(key)
    found: dict[tuple[str, str], StoryAlert] = {}
    for watchlist, dedupe_keys in sorted(by_list.items()):
        for chunk in _chunks(sorted(dedupe_keys)):
            stmt = select(
                _ALERT.c.id, _ALERT.c.dedupe_key, _ALERT.c.created_at, _ALERT.c.copies
            ).where(_ALERT.c.watchlist == watchlist, _ALERT.c.dedupe_key.in_(chunk))
            if _is_postgres(session):
                stmt = stmt.with_for_update()
            for alert_id, key, created_at, copies in session.execute(stmt):
                found[(watchlist, key)] = StoryAlert(
                    alert_id, watchlist, key, created_at, tuple(copies or ())
                )
    return found


def load_last_alert_times(
    session: Session, watchlists: Iterable[str], since: datetime
) -> dict[str, datetime]:
    """The newest not-suppressed alert of each list created after `since` (for cooldowns)."""
    names = sorted(set(watchlists))
    if not names:
        return {}
    rows = session.execute(
        select(_ALERT.c.watchlist, func.max(_ALERT.c.created_at, type_=_ALERT.c.created_at.type))
        .where(
            _ALERT.c.watchlist.in_(names),
            _ALERT.c.status != "suppressed",
            _ALERT.c.created_at > since,
        )
        .group_by(_ALERT.c.watchlist)
    ).all()
    return {watchlist: at for watchlist, at in rows if at is not None}


def retire_alert_keys(session: Session, keys: Mapping[int, str]) -> None:
    """Rename stored alerts' dedupe keys, freeing the bare key for the story's next alert."""
    if keys:
        session.execute(
            update(_ALERT)
            .where(_ALERT.c.id == bindparam("b_id"))
            .values(dedupe_key=bindparam("b_key")),
            [{"b_id": alert_id, "b_key": key} for alert_id, key in keys.items()],
        )


def set_alert_copies(session: Session, copies: Mapping[int, Sequence[int]]) -> None:
    """Replace stored alerts' copy lists (the post ids telling the same story)."""
    if copies:
        session.execute(
            update(_ALERT)
            .where(_ALERT.c.id == bindparam("b_id"))
            .values(copies=bindparam("b_copies", type_=_ALERT.c.copies.type)),
            [{"b_id": alert_id, "b_copies": list(ids)} for alert_id, ids in copies.items()],
        )


def insert_alerts(session: Session, rows: Sequence[AlertRow]) -> list[StoredAlert]:
    """Insert alerts, skipping any whose (watchlist, dedupe key) another writer holds.

    Returns the alerts inserted, in input order; a missing one lost the race for its key and
    must be planned again against the stored alert.
    """
    if not rows:
        return []
    values = [_alert_values(row) for row in rows]
    result = bulk_insert(
        session,
        _ALERT,
        values,
        conflict=("watchlist", "dedupe_key"),
        returning=("id", "watchlist", "dedupe_key"),
    )
    ids = {(watchlist, key): alert_id for alert_id, watchlist, key in result}
    return [
        StoredAlert(**{name: getattr(row, name) for name in _ALERT_FIELDS}, id=alert_id)
        for row in rows
        if (alert_id := ids.get((row.watchlist, row.dedupe_key))) is not None
    ]


_ALERT_FIELDS = tuple(f.name for f in fields(AlertRow))


def _alert_values(row: AlertRow) -> dict[str, Any]:
    # not dataclasses.asdict: it deep-copies every value, a quarter of the alert path's time
    values = {name: getattr(row, name) for name in _ALERT_FIELDS}
    values["copies"] = list(row.copies)
    return values


def insert_deliveries(session: Session, rows: Sequence[DeliveryRow]) -> None:
    """Insert pending deliveries (no attempt made yet)."""
    if not rows:
        return
    values = [
        {
            "alert_id": row.alert_id,
            "route": row.route,
            "next_attempt_at": row.next_attempt_at,
            "idempotency_key": row.idempotency_key,
            "status": "pending",
            "attempts": 0,
        }
        for row in rows
    ]
    bulk_insert(session, _DELIVERY, values)


def set_alert_status(session: Session, statuses: Mapping[int, str]) -> None:
    if statuses:
        session.execute(
            update(_ALERT)
            .where(_ALERT.c.id == bindparam("b_id"))
            .values(status=bindparam("b_status")),
            [{"b_id": alert_id, "b_status": status} for alert_id, status in statuses.items()],
        )
