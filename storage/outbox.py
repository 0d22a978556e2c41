"""The alert outbox: deliveries claimed, settled and requeued; alerts read for rendering.

Alerts and their deliveries are written in the match's transaction (storage.alert_records).
Dispatchers then `claim_due` deliveries
under a lease (FOR UPDATE SKIP LOCKED on PostgreSQL, a single UPDATE…RETURNING on SQLite),
send them, and settle each one in its own short transaction (`mark_sent` / `mark_failed`).
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Table, and_, case, exists, update
from sqlmodel import Session, col, select

from monitor.core.backoff import backoff_delay
from storage.models import Alert, Channel, Delivery, Match, Post

_DELIVERY: Table = Delivery.__table__  # type: ignore[attr-defined]
_ALERT: Table = Alert.__table__  # type: ignore[attr-defined]
_POST: Table = Post.__table__  # type: ignore[attr-defined]


_RANDOM = random.Random()


@dataclass(frozen=True)
class RetryPolicy:
    """How often and how late a failed delivery is tried again."""

    max_attempts: int = 8
    backoff: timedelta = timedelta(seconds=30)
    backoff_max: timedelta = timedelta(hours=1)
    lease: timedelta = timedelta(minutes=2)

    def delay(self, attempts: int, rng: random.Random | None = None) -> timedelta:
        """The one back-off rule, jittered in its upper half so retries do not come in step."""
        return backoff_delay(
            attempts, base=self.backoff, cap=self.backoff_max, jitter=rng or _RANDOM
        )


def claim_due(
    session: Session,
    worker_id: str,
    now: datetime,
    lease: timedelta,
    limit: int = 100,
    *,
    translation_wait: timedelta | None = None,
) -> list[Delivery]:
    """Take up to `limit` due deliveries (pending and due, or sending with an expired lease).

    With `translation_wait`, a delivery whose post is still waiting for its translation is
    held until the alert is that old: the reader gets the English, or, past the wait, a line
    saying why there is none.

    One UPDATE…RETURNING: on SQLite it takes the write lock first, so two dispatchers never
    claim the same row; on PostgreSQL the inner SELECT skips rows another worker holds.
    Counting the attempt here means a dispatcher that crashes mid-send still uses one up.
    """
    due = and_(_DELIVERY.c.status == "pending", _DELIVERY.c.next_attempt_at <= now) | and_(
        _DELIVERY.c.status == "sending", _DELIVERY.c.claimed_until < now
    )
    if translation_wait:
        waiting = exists().where(
            _ALERT.c.id == _DELIVERY.c.alert_id,
            _POST.c.id == _ALERT.c.post_id,
            _POST.c.translation_status == "pending",
            _ALERT.c.created_at > now - translation_wait,
        )
        due = and_(due, ~waiting)
    inner = select(_DELIVERY.c.id).where(due).order_by(_DELIVERY.c.next_attempt_at).limit(limit)
    if session.get_bind().dialect.name == "postgresql":
        inner = inner.with_for_update(skip_locked=True)
    stmt = (
        update(_DELIVERY)
        .where(_DELIVERY.c.id.in_(inner.scalar_subquery()))
        .values(
            status="sending",
            claimed_by=worker_id,
            claimed_until=now + lease,
            attempts=_DELIVERY.c.attempts + 1,
        )
        .returning(*_DELIVERY.c)
    )
    rows = session.execute(stmt).mappings().all()
    return sorted((Delivery(**dict(r)) for r in rows), key=lambda d: (d.next_attempt_at, d.id))


def mark_sent(session: Session, delivery_ids: Sequence[int], now: datetime) -> None:
    """Record that the destination acknowledged these deliveries; settle their alerts."""
    session.execute(
        update(_DELIVERY)
        .where(_DELIVERY.c.id.in_(list(delivery_ids)))
        .values(status="sent", sent_at=now, claimed_by=None, claimed_until=None, last_error=None)
    )
    settle_alerts(session, delivery_ids)


def release(session: Session, delivery_ids: Sequence[int]) -> None:
    """Hand claimed deliveries back unsent, refunding the attempt the claim charged."""
    session.execute(
        update(_DELIVERY)
        .where(_DELIVERY.c.id.in_(list(delivery_ids)), _DELIVERY.c.status == "sending")
        .values(
            status="pending",
            claimed_by=None,
            claimed_until=None,
            attempts=_DELIVERY.c.attempts - 1,
        )
    )


def mark_failed(
    session: Session,
    delivery_ids: Sequence[int],
    error: str,
    *,
    retryable: bool,
    policy: RetryPolicy,
    now: datetime,
) -> str:
    """Schedule a retry with backoff, or dead-letter; return the new status.

    The deliveries of one send (a digest) share one verdict and one retry time, so they are
    retried together, as the same message.
    """
    deliveries = [d for i in delivery_ids if (d := session.get(Delivery, i)) is not None]
    deliveries = [d for d in deliveries if d.status != "sent"]
    if not deliveries:
        return "sent"
    attempts = max(d.attempts for d in deliveries)
    status = "dead" if not retryable or attempts >= policy.max_attempts else "pending"
    retry_at = now + policy.delay(attempts)
    for delivery in deliveries:
        delivery.status = status
        delivery.last_error = error[:500]
        delivery.claimed_by = None
        delivery.claimed_until = None
        if status == "pending":
            delivery.next_attempt_at = retry_at
        session.add(delivery)
    session.flush()
    settle_alerts(session, delivery_ids)
    return status


def settle_alerts(session: Session, delivery_ids: Sequence[int]) -> None:
    """An alert is sent when every delivery is, failed when any is dead, else pending."""
    d = _DELIVERY
    of_these = select(d.c.alert_id).where(d.c.id.in_(list(delivery_ids))).scalar_subquery()
    dead = exists().where(d.c.alert_id == _ALERT.c.id, d.c.status == "dead")
    unsent = exists().where(d.c.alert_id == _ALERT.c.id, d.c.status != "sent")
    session.execute(
        update(_ALERT)
        .where(_ALERT.c.id.in_(of_these), _ALERT.c.status != "suppressed")
        .values(status=case((dead, "failed"), (unsent, "pending"), else_="sent"))
        .execution_options(synchronize_session=False)
    )


def requeue_dead(session: Session, alert_ids: Sequence[int] | None, now: datetime) -> list[int]:
    """Make dead deliveries (of these alerts, or of all) pending and due now; return their ids.

    Attempts start again from zero; the caller settles the alerts (`settle_alerts`).
    """
    stmt = (
        update(_DELIVERY)
        .where(_DELIVERY.c.status == "dead")
        .values(status="pending", attempts=0, next_attempt_at=now, last_error=None)
        .returning(_DELIVERY.c.id)
    )
    if alert_ids is not None:
        stmt = stmt.where(_DELIVERY.c.alert_id.in_(list(alert_ids)))
    return sorted(session.execute(stmt).scalars())


def load_unsent_alerts(
    session: Session, alert_ids: Sequence[int]
) -> list[tuple[int, str, str, set[str]]]:
    """(id, watchlist, severity, routes with a delivery) of the suppressed/unrouted alerts here."""
    rows = session.execute(
        select(_ALERT.c.id, _ALERT.c.watchlist, _ALERT.c.severity)
        .where(_ALERT.c.id.in_(list(alert_ids)), _ALERT.c.status.in_(("suppressed", "unrouted")))
        .order_by(_ALERT.c.id)
    ).all()
    have: dict[int, set[str]] = {row[0]: set() for row in rows}
    if have:
        for alert_id, route in session.execute(
            select(_DELIVERY.c.alert_id, _DELIVERY.c.route).where(
                _DELIVERY.c.alert_id.in_(list(have))
            )
        ):
            have[alert_id].add(route)
    return [
        (alert_id, watchlist, severity, have[alert_id]) for alert_id, watchlist, severity in rows
    ]


@dataclass(frozen=True)
class AlertRecord:
    """Everything needed to render one alert: the rows, read in one go."""

    alert: Alert
    post: Post
    channel: Channel | None
    matches: list[Match]
    copies: list[tuple[Post, Channel | None]]


def load_alert(session: Session, alert_id: int) -> AlertRecord | None:
    """Read an alert with its post, channel, live matches and the posts of its copies."""
    return load_alerts(session, [alert_id]).get(alert_id)


def load_alerts(session: Session, alert_ids: Sequence[int]) -> dict[int, AlertRecord]:
    """Read many alerts for rendering in five queries, whatever their number."""
    ids = sorted(set(alert_ids))
    if not ids:
        return {}
    alerts = list(session.exec(select(Alert).where(col(Alert.id).in_(ids))))
    post_ids = sorted({a.post_id for a in alerts} | {c for a in alerts for c in a.copies})
    posts = {p.id: p for p in session.exec(select(Post).where(col(Post.id).in_(post_ids)))}
    channel_ids = sorted({p.channel_id for p in posts.values()})
    channels = {
        c.id: c for c in session.exec(select(Channel).where(col(Channel.id).in_(channel_ids)))
    }
    matches: dict[tuple[int, str], list[Match]] = {}
    rows = session.exec(
        select(Match)
        .where(col(Match.post_id).in_(sorted({a.post_id for a in alerts})))
        .order_by(col(Match.id))
    )
    for match in rows:
        matches.setdefault((match.post_id, match.watchlist), []).append(match)
    records: dict[int, AlertRecord] = {}
    for alert in alerts:
        post = posts.get(alert.post_id)
        if post is None or alert.id is None:
            continue
        live = [
            m
            for m in matches.get((alert.post_id, alert.watchlist), [])
            if m.removed_at is None or alert.reason == "deleted"
        ]
        copies = [(posts[c], channels.get(posts[c].channel_id)) for c in alert.copies if c in posts]
        records[alert.id] = AlertRecord(alert, post, channels.get(post.channel_id), live, copies)
    return records
