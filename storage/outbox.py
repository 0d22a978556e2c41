"""The alert outbox: alerts written in the match's transaction, deliveries claimed and settled.

`record_alerts` runs inside the ingest transaction, so a match and its alert (and one
Delivery per route) commit together or not at all. Dispatchers then `claim_due` deliveries
under a lease (FOR UPDATE SKIP LOCKED on PostgreSQL, a single UPDATE…RETURNING on SQLite),
send them, and settle each one in its own short transaction (`mark_sent` / `mark_failed`).
"""

from __future__ import annotations

import random
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import and_, or_, update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from monitor.config import SEVERITY_RANK, AlertSettings
from storage.models import Alert, Channel, Delivery, Match, Post, utcnow

_DELIVERY = Delivery.__table__  # type: ignore[attr-defined]


@dataclass(frozen=True)
class RetryPolicy:
    """How often and how late a failed delivery is tried again."""

    max_attempts: int = 8
    backoff: timedelta = timedelta(seconds=30)
    backoff_max: timedelta = timedelta(hours=1)
    lease: timedelta = timedelta(minutes=2)

    @classmethod
    def from_settings(cls, settings: AlertSettings) -> RetryPolicy:
        return cls(settings.max_attempts, settings.backoff, settings.backoff_max, settings.lease)

    def delay(self, attempts: int, rng: random.Random | None = None) -> timedelta:
        """Exponential backoff with full jitter in its upper half: base·2^(n-1) · U(0.5, 1)."""
        raw = self.backoff.total_seconds() * 2 ** max(attempts - 1, 0)
        capped = min(raw, self.backoff_max.total_seconds())
        return timedelta(seconds=capped * (rng or random).uniform(0.5, 1.0))


def dedupe_key(post: Post) -> str:
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
    """Turn newly written Match rows into alerts (and their deliveries) in the caller's transaction.

    Pass the Match rows the match stage has just created or revived (flushed, so they have
    `post_id`). Rows are grouped per (post, watchlist): a post that already alerted for that
    watchlist does not alert again; the reason is `edited` when the match came from a later
    version of the post (`post_version > 1`), else `new`. A post telling a story already
    alerted within the policy's dedupe window is appended to that alert's `copies` instead.
    Returns the alerts created (not the ones a copy joined).
    """
    now = now or utcnow()
    groups: dict[tuple[int, str], list[Match]] = {}
    for match in matches:
        groups.setdefault((match.post_id, match.watchlist), []).append(match)
    created: list[Alert] = []
    for (post_id, watchlist), rows in groups.items():
        post = session.get(Post, post_id)
        if post is None or _already_alerted(session, post_id, watchlist):
            continue
        policy = settings.policy_for(watchlist)
        reason = "edited" if max(m.post_version for m in rows) > 1 else "new"
        if reason == "edited" and not policy.on_edited:
            continue
        severity = max((m.severity for m in rows), key=lambda s: SEVERITY_RANK.get(s, 0))
        alert = _record_one(
            session, post, watchlist, severity, reason, dedupe_key(post), settings, now
        )
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
    if not ids:
        return []
    rows = session.execute(
        select(Match.post_id, Match.watchlist, Match.severity).where(
            col(Match.post_id).in_(ids),
            col(Match.removed_at).is_(None),
        )
    ).all()
    best: dict[tuple[int, str], str] = {}
    for post_id, watchlist, severity in rows:
        key = (post_id, watchlist)
        if SEVERITY_RANK.get(severity, 0) >= SEVERITY_RANK.get(best.get(key, "info"), 0):
            best[key] = severity
    created: list[Alert] = []
    for (post_id, watchlist), severity in sorted(best.items()):
        if not settings.policy_for(watchlist).on_deleted:
            continue
        post = session.get(Post, post_id)
        if post is None:
            continue
        alert = _record_one(
            session, post, watchlist, severity, "deleted", f"deleted:{post_id}", settings, now
        )
        if alert is not None:
            created.append(alert)
    return created


def _already_alerted(session: Session, post_id: int, watchlist: str) -> bool:
    found = session.execute(
        select(Alert.id).where(
            Alert.post_id == post_id,
            Alert.watchlist == watchlist,
            col(Alert.reason).in_(("new", "edited")),
        )
    ).first()
    return found is not None


def _latest_with_key(session: Session, watchlist: str, key: str) -> Alert | None:
    stmt = (
        select(Alert)
        .where(
            Alert.watchlist == watchlist,
            or_(col(Alert.dedupe_key) == key, col(Alert.dedupe_key).like(f"{key}@%")),
        )
        .order_by(col(Alert.created_at).desc(), col(Alert.id).desc())
        .limit(1)
    )
    if session.get_bind().dialect.name == "postgresql":
        stmt = stmt.with_for_update()
    return session.execute(stmt).scalars().first()


def _record_one(
    session: Session,
    post: Post,
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
            assert post.id is not None
            if post.id not in latest.copies:
                latest.copies = [*latest.copies, post.id]
                session.add(latest)
                session.flush()
            return None
        stored_key = key if latest is None else f"{key}@{now.isoformat()}"
        try:
            with session.begin_nested():
                return _insert_alert(
                    session, post, watchlist, severity, reason, stored_key, settings, now
                )
        except IntegrityError:
            continue
    return None


def _in_cooldown(session: Session, watchlist: str, cooldown: timedelta, now: datetime) -> bool:
    if cooldown <= timedelta(0):
        return False
    recent = session.execute(
        select(Alert.id).where(
            Alert.watchlist == watchlist,
            Alert.status != "suppressed",
            Alert.created_at > now - cooldown,
        )
    ).first()
    return recent is not None


def _insert_alert(
    session: Session,
    post: Post,
    watchlist: str,
    severity: str,
    reason: str,
    key: str,
    settings: AlertSettings,
    now: datetime,
) -> Alert:
    assert post.id is not None
    suppressed = _in_cooldown(session, watchlist, settings.policy_for(watchlist).cooldown, now)
    alert = Alert(
        watchlist=watchlist,
        severity=severity,
        post_id=post.id,
        reason=reason,
        dedupe_key=key,
        copies=[post.id],
        created_at=now,
        status="suppressed" if suppressed else "pending",
    )
    session.add(alert)
    session.flush()
    if not suppressed:
        add_deliveries(session, alert, settings, now)
    return alert


def add_deliveries(
    session: Session, alert: Alert, settings: AlertSettings, now: datetime
) -> list[Delivery]:
    """Create one pending Delivery per route that accepts the alert (none twice per route)."""
    assert alert.id is not None
    have = set(
        session.execute(select(Delivery.route).where(Delivery.alert_id == alert.id)).scalars()
    )
    rows: list[Delivery] = []
    for route in settings.routes:
        if route.name in have or not route.accepts(alert.watchlist, alert.severity):
            continue
        if route.digest:
            slot = digest_slot(now, route.digest)
            due, key = slot, f"tgmon-digest-{route.name}-{int(slot.timestamp())}"
        else:
            due, key = now, f"tgmon-{alert.id}-{uuid.uuid4().hex}"
        rows.append(
            Delivery(alert_id=alert.id, route=route.name, next_attempt_at=due, idempotency_key=key)
        )
    session.add_all(rows)
    alert.status = "pending" if rows or have else "unrouted"
    session.add(alert)
    session.flush()
    return rows


def claim_due(
    session: Session,
    worker_id: str,
    now: datetime,
    lease: timedelta,
    limit: int = 100,
) -> list[Delivery]:
    """Take up to `limit` due deliveries (pending and due, or sending with an expired lease).

    One UPDATE…RETURNING: on SQLite it takes the write lock first, so two dispatchers never
    claim the same row; on PostgreSQL the inner SELECT skips rows another worker holds.
    Counting the attempt here means a dispatcher that crashes mid-send still uses one up.
    """
    due = and_(_DELIVERY.c.status == "pending", _DELIVERY.c.next_attempt_at <= now) | and_(
        _DELIVERY.c.status == "sending", _DELIVERY.c.claimed_until < now
    )
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
    _settle_alerts(session, delivery_ids)


def mark_failed(
    session: Session,
    delivery_ids: Sequence[int],
    error: str,
    *,
    retryable: bool,
    policy: RetryPolicy,
    now: datetime,
) -> str:
    """Schedule a retry with backoff, or dead-letter; return the new status."""
    status = "pending"
    for delivery_id in delivery_ids:
        delivery = session.get(Delivery, delivery_id)
        if delivery is None or delivery.status == "sent":
            continue
        dead = not retryable or delivery.attempts >= policy.max_attempts
        status = "dead" if dead else "pending"
        delivery.status = status
        delivery.last_error = error[:500]
        delivery.claimed_by = None
        delivery.claimed_until = None
        if not dead:
            delivery.next_attempt_at = now + policy.delay(delivery.attempts)
        session.add(delivery)
    session.flush()
    _settle_alerts(session, delivery_ids)
    return status


def _settle_alerts(session: Session, delivery_ids: Sequence[int]) -> None:
    """An alert is sent when every delivery is, failed when any is dead, else pending."""
    alert_ids = set(
        session.execute(
            select(Delivery.alert_id).where(col(Delivery.id).in_(list(delivery_ids)))
        ).scalars()
    )
    for alert_id in alert_ids:
        statuses = set(
            session.execute(select(Delivery.status).where(Delivery.alert_id == alert_id)).scalars()
        )
        alert = session.get(Alert, alert_id)
        if alert is None or alert.status == "suppressed":
            continue
        if statuses == {"sent"}:
            alert.status = "sent"
        elif "dead" in statuses:
            alert.status = "failed"
        else:
            alert.status = "pending"
        session.add(alert)
    session.flush()


def retry_alerts(
    session: Session,
    alert_ids: Sequence[int] | None,
    settings: AlertSettings,
    now: datetime | None = None,
) -> int:
    """Requeue dead deliveries (of the given alerts, or of all); suppressed alerts get routed.

    Returns how many deliveries are now pending again.
    """
    now = now or utcnow()
    stmt = select(Delivery).where(Delivery.status == "dead")
    if alert_ids is not None:
        stmt = stmt.where(col(Delivery.alert_id).in_(list(alert_ids)))
    touched: list[int] = []
    for delivery in session.execute(stmt).scalars():
        delivery.status, delivery.attempts, delivery.next_attempt_at = "pending", 0, now
        delivery.last_error = None
        session.add(delivery)
        assert delivery.id is not None
        touched.append(delivery.id)
    session.flush()
    requeued = len(touched)
    if alert_ids is not None:
        for alert_id in alert_ids:
            alert = session.get(Alert, alert_id)
            if alert is not None and alert.status in ("suppressed", "unrouted"):
                alert.status = "pending"
                requeued += len(add_deliveries(session, alert, settings, now))
    if touched:
        _settle_alerts(session, touched)
    return requeued


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
    alert = session.get(Alert, alert_id)
    if alert is None:
        return None
    post = session.get(Post, alert.post_id)
    assert post is not None
    matches = list(
        session.execute(
            select(Match)
            .where(Match.post_id == post.id, Match.watchlist == alert.watchlist)
            .where(col(Match.removed_at).is_(None) if alert.reason != "deleted" else True)
            .order_by(col(Match.id))
        ).scalars()
    )
    copies: list[tuple[Post, Channel | None]] = []
    for copy_id in alert.copies:
        copy = session.get(Post, copy_id)
        if copy is not None:
            copies.append((copy, session.get(Channel, copy.channel_id)))
    return AlertRecord(alert, post, session.get(Channel, post.channel_id), matches, copies)
