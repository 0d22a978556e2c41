"""The analyst's and operator's alert use cases: list, show, acknowledge, retry, dispatch, test.

Shared by `tgmon alerts …` (and later the web desk). Each call opens the session it needs;
rendering an alert uses the same renderer and templates as delivery, so what `alerts show`
prints is what the route received.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from monitor.alerts.dispatch import DispatchReport, dispatch_configured, renderer_for
from monitor.alerts.notifiers import build_notifier, describe_route
from monitor.alerts.recorder import retry_alerts
from monitor.alerts.render import AlertMessage, AlertRenderer, TranslationState
from monitor.config.settings import Settings
from monitor.core.clock import Clock, utcnow
from monitor.core.errors import InputError
from storage.alert_queries import AlertRow, ack_alert, deliveries_of, list_alerts
from storage.database import Database
from storage.models import Alert, Channel, Delivery, Match, Post
from storage.outbox import AlertRecord, load_alert


@dataclass(frozen=True)
class AlertView:
    """One alert as rendered for delivery, with its rows and its delivery records."""

    record: AlertRecord
    message: AlertMessage
    deliveries: list[Delivery]


class AlertService:
    """Alerts over one database and the configured routes."""

    def __init__(self, db: Database, settings: Settings, *, clock: Clock = utcnow) -> None:
        self.db = db
        self.settings = settings
        self.clock = clock

    def list(
        self,
        *,
        failed: bool = False,
        pending: bool = False,
        watchlist: str | None = None,
        limit: int = 50,
    ) -> list[AlertRow]:
        """Alerts, newest first, with their deliveries and last error."""
        with self.db.read_session() as session:
            return list_alerts(
                session, failed=failed, pending=pending, watchlist=watchlist, limit=limit
            )

    def show(self, alert_id: int) -> AlertView:
        """One alert rendered as its routes receive it, with its delivery records."""
        with self.db.read_session() as session:
            record = load_alert(session, alert_id)
            if record is None:
                raise InputError(f"no alert with id {alert_id}")
            deliveries = deliveries_of(session, alert_id)
        message = renderer_for(self.settings).render(
            record.alert,
            record.post,
            record.channel,
            record.matches,
            record.copies,
            translation=TranslationState(off=self.settings.translation.provider == "none"),
        )
        return AlertView(record, message, deliveries)

    def acknowledge(self, alert_id: int) -> None:
        """Mark an alert as seen by an analyst; it stays listed."""
        with self.db.session() as session:
            alert = ack_alert(session, alert_id, now=self.clock())
        if alert is None:
            raise InputError(f"no alert with id {alert_id}")

    def retry(self, alert_ids: list[int] | None) -> int:
        """Requeue dead deliveries of these alerts (None: all); return how many."""
        with self.db.session() as session:
            return retry_alerts(session, alert_ids, self.settings.alerts, now=self.clock())

    def dispatch(self, *, limit: int = 1000) -> DispatchReport:
        """Deliver every due alert once (cron's `tgmon alerts dispatch`)."""
        return dispatch_configured(self.db, self.settings, limit=limit, clock=self.clock)

    def test_route(self, name: str) -> str:
        """Send a made-up alert through one route now; return how the route was described."""
        route = self.settings.alerts.route(name)
        if route is None:
            known = ", ".join(r.name for r in self.settings.alerts.routes) or "none configured"
            raise InputError(f"no route named {name!r} (routes: {known})")
        message = sample_message(renderer_for(self.settings), self.clock)
        build_notifier(route).send(message.for_delivery(f"tgmon-test-{uuid.uuid4().hex}"))
        return describe_route(route)


def sample_message(renderer: AlertRenderer, clock: Clock = utcnow) -> AlertMessage:
    """A made-up alert (nothing stored) to check that a route works end to end."""
    now = clock()
    text = "Тестовое оповещение tgmon: колонна «Вагнера» замечена (test alert)"
    post = Post(
        id=0,
        channel_id=1,
        message_id=1,
        posted_at=now,
        text=text,
        url="https://t.me/tgmon_test/1",
        translation="tgmon test alert: a Wagner column spotted (test alert)",
        translation_status="done",
    )
    match = Match(
        post_id=0,
        watchlist="test",
        rule="test",
        severity="info",
        terms=["Вагнера"],
        spans=[[text.index("Вагнера"), text.index("Вагнера") + 7]],
    )
    alert = Alert(
        id=0,
        watchlist="test",
        severity="info",
        post_id=0,
        dedupe_key="test",
        copies=[0],
        created_at=now,
    )
    channel = Channel(id=1, username="tgmon_test", title="tgmon test")
    return renderer.render(alert, post, channel, [match], [(post, channel)])
