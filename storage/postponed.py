"""Postpone claimed deliveries that were never tried, without charging them an attempt.

When a route stops answering, the dispatcher gives up on the rest of that route's batch: those
deliveries go back to `pending`, due later, with the reason, and the attempt their claim
counted is refunded, so a dead destination cannot dead-letter alerts it was never sent.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import Table, update
from sqlmodel import Session

from storage.models import Delivery

_DELIVERY: Table = Delivery.__table__  # type: ignore[attr-defined]


def postpone_deliveries(
    session: Session, delivery_ids: Sequence[int], until: datetime, reason: str
) -> int:
    """Hand claimed, untried deliveries back, due at `until`; return how many were postponed."""
    if not delivery_ids:
        return 0
    result = session.execute(
        update(_DELIVERY)
        .where(_DELIVERY.c.id.in_(list(delivery_ids)), _DELIVERY.c.status == "sending")
        .values(
            status="pending",
            next_attempt_at=until,
            claimed_by=None,
            claimed_until=None,
            attempts=_DELIVERY.c.attempts - 1,
            last_error=reason,
        )
    )
    return int(result.rowcount or 0)  # type: ignore[attr-defined]
