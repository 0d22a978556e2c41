"""Read and acknowledge alerts for the CLI: listings with their delivery state."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session, col, select

from monitor.core.clock import utcnow
from storage.models import Alert, Channel, Delivery, Post


@dataclass(frozen=True)
class AlertRow:
    """One line of `tgmon alerts list`."""

    alert: Alert
    channel: str
    message_id: int
    url: str | None
    deliveries: list[Delivery]

    @property
    def last_error(self) -> str | None:
        errors = [d.last_error for d in self.deliveries if d.last_error]
        return errors[-1] if errors else None


def list_alerts(
    session: Session,
    *,
    failed: bool = False,
    pending: bool = False,
    watchlist: str | None = None,
    limit: int = 50,
) -> list[AlertRow]:
    """Newest alerts first; --failed = a dead delivery, --pending = still being delivered."""
    stmt = select(Alert).order_by(col(Alert.id).desc()).limit(limit)
    statuses = [s for s, wanted in (("failed", failed), ("pending", pending)) if wanted]
    if statuses:
        stmt = stmt.where(col(Alert.status).in_(statuses))
    if watchlist:
        stmt = stmt.where(Alert.watchlist == watchlist)
    alerts = list(session.execute(stmt).scalars())
    ids = [a.id for a in alerts]
    by_alert: dict[int, list[Delivery]] = {}
    if ids:
        rows = session.execute(
            select(Delivery).where(col(Delivery.alert_id).in_(ids)).order_by(col(Delivery.id))
        ).scalars()
        for delivery in rows:
            by_alert.setdefault(delivery.alert_id, []).append(delivery)
    out: list[AlertRow] = []
    for alert in alerts:
        post = session.get(Post, alert.post_id)
        assert post is not None and alert.id is not None
        channel = session.get(Channel, post.channel_id)
        name = f"@{channel.username}" if channel and channel.username else str(post.channel_id)
        out.append(AlertRow(alert, name, post.message_id, post.url, by_alert.get(alert.id, [])))
    return out


def deliveries_of(session: Session, alert_id: int) -> list[Delivery]:
    stmt = select(Delivery).where(Delivery.alert_id == alert_id).order_by(col(Delivery.id))
    return list(session.execute(stmt).scalars())


def ack_alert(session: Session, alert_id: int, now: datetime | None = None) -> Alert | None:
    """Mark an alert as seen by an analyst (kept, not deleted)."""
    alert = session.get(Alert, alert_id)
    if alert is not None and alert.acked_at is None:
        alert.acked_at = now or utcnow()
        session.add(alert)
    return alert
