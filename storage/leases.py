"""Channel leases: several workers share one PostgreSQL database, each channel watched by one.

Each worker runs a lease round every third of a lease period (`round_interval`), in one
transaction: renew what it
holds, give back what is more than its fair share (ceil(channels / alive workers)), and take
free or expired channels — at most ceil(free / alive workers) per round — with
`SELECT … FOR UPDATE SKIP LOCKED`, so two workers never take the same row. A dead worker stops
renewing; its leases (and its heartbeat) count for two rounds, so the others take its channels
at the latest one round later: within one lease period. One slow round costs nothing; two in a
row may hand a channel to another worker, which is harmless (stores are idempotent). A worker
that stops cleanly releases its leases and says so (storage.handover): the others run a round
at once.

On SQLite there is one process: every enabled channel belongs to this worker, no rows written.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import or_, select, update
from sqlmodel import Session

from storage.handover import announce_handover
from storage.models import Channel
from storage.workers import (
    alive_worker_ids,
    enabled_channel_ids,
    record_beat,
    rowcount,
    watchable,
)

_channel: Any = Channel.__table__  # type: ignore[attr-defined]


@dataclass(frozen=True)
class LeaseRound:
    """What one round decided: the channels held now, and what changed."""

    held: tuple[int, ...]
    taken: tuple[int, ...] = ()
    released: tuple[int, ...] = ()
    alive_workers: int = 1


def round_interval(period: timedelta) -> timedelta:
    """How often a worker runs its lease round."""
    return period / 3


def lease_ttl(period: timedelta) -> timedelta:
    """How long a renewal (or a heartbeat) counts: two rounds."""
    return 2 * round_interval(period)


def fair_share(total: int, alive: int) -> int:
    """How many channels one worker should hold."""
    return math.ceil(total / max(alive, 1))


def lease_round(
    session: Session, worker_id: str, *, now: datetime, period: timedelta
) -> LeaseRound:
    """Renew, rebalance and take leases for `worker_id`; also records its heartbeat."""
    if session.get_bind().dialect.name == "sqlite":
        return LeaseRound(held=tuple(enabled_channel_ids(session)))
    record_beat(session, worker_id, now)
    ttl = lease_ttl(period)
    expires = now + ttl
    table = _channel
    c = table.c
    # Give back channels that stopped being watchable (disabled, or import-only now).
    session.execute(
        update(table)
        .where(c.lease_owner == worker_id, ~(c.enabled.is_(True) & (c.mode != "import")))
        .values(lease_owner=None, lease_expires_at=None, leased_at=None)
    )
    held = sorted(
        row[0]
        for row in session.execute(
            update(table)
            .where(c.lease_owner == worker_id)
            .values(lease_expires_at=expires)
            .returning(c.id)
        )
    )
    alive = len(alive_worker_ids(session, now, ttl))
    total = len(enabled_channel_ids(session))
    target = fair_share(total, alive)
    released: list[int] = []
    taken: list[int] = []
    if len(held) > target:
        # Keep the lowest ids, so repeated rounds release the same ones (no churn).
        released = held[target:]
        session.execute(
            update(table)
            .where(c.id.in_(released), c.lease_owner == worker_id)
            .values(lease_owner=None, lease_expires_at=None, leased_at=None)
        )
        held = held[:target]
    elif len(held) < target:
        free_clause = (
            *watchable(),
            or_(c.lease_owner.is_(None), c.lease_expires_at < now),
            or_(c.lease_owner.is_(None), c.lease_owner != worker_id),
        )
        free_count = len(session.execute(select(c.id).where(*free_clause)).all())
        want = min(target - len(held), math.ceil(free_count / max(alive, 1)))
        if want > 0:
            rows = session.execute(
                select(c.id)
                .where(*free_clause)
                .order_by(c.id)
                .limit(want)
                .with_for_update(skip_locked=True)
            )
            taken = [r[0] for r in rows]
            if taken:
                session.execute(
                    update(table)
                    .where(c.id.in_(taken))
                    .values(lease_owner=worker_id, lease_expires_at=expires, leased_at=now)
                )
            held = sorted(held + taken)
    return LeaseRound(
        held=tuple(held), taken=tuple(taken), released=tuple(released), alive_workers=alive
    )


def release_all(session: Session, worker_id: str) -> int:
    """Give back every lease at a clean shutdown, and tell the other workers (at commit), so
    they take the channels at once instead of at their next lease round."""
    if session.get_bind().dialect.name == "sqlite":
        return 0
    result = session.execute(
        update(_channel)
        .where(_channel.c.lease_owner == worker_id)
        .values(lease_owner=None, lease_expires_at=None, leased_at=None)
    )
    released = rowcount(result)
    if released:
        announce_handover(session, worker_id)
    return released


def held_channels(session: Session, channel_ids: list[int]) -> list[Channel]:
    """The rows of the channels a worker holds (after a lease round)."""
    if not channel_ids:
        return []
    return list(session.execute(select(Channel).where(Channel.id.in_(channel_ids))).scalars())  # type: ignore[attr-defined]
