"""The dispatcher: claim due deliveries, render, send through the route's Notifier, settle.

Synchronous on purpose: the daemon runs `dispatch_due` from an APScheduler job (in a thread),
cron runs `tgmon alerts dispatch`. Delivery is at-least-once: a delivery is marked sent in
its own transaction right after the destination acknowledged it; if the process dies between
the acknowledgement and that commit, the claim's lease expires and another run sends it
again with the same Idempotency-Key, which receivers use to drop the duplicate.
"""

from __future__ import annotations

import hashlib
import logging
import os
import socket
import time
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime

from monitor.alerts.notifiers import Notifier, build_notifiers
from monitor.alerts.policy import DIGEST_KEY_PREFIX, retry_policy
from monitor.alerts.render import AlertMessage, AlertRenderer, combine_digest
from monitor.config.settings import Settings
from monitor.core.clock import utcnow
from monitor.core.errors import ConfigError, DeliveryError
from storage.database import Database
from storage.models import Delivery
from storage.outbox import (
    AlertRecord,
    RetryPolicy,
    claim_due,
    load_alerts,
    mark_failed,
    mark_sent,
    release,
)

log = logging.getLogger(__name__)


@dataclass
class DispatchReport:
    """What one dispatcher run did."""

    claimed: int = 0
    sent: int = 0
    retrying: int = 0
    dead: int = 0
    released: int = 0
    errors: list[str] = field(default_factory=list)


def default_worker_id() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"


def dispatch_due(
    db: Database,
    notifiers: Mapping[str, Notifier],
    *,
    now: datetime | None = None,
    worker_id: str | None = None,
    renderer: AlertRenderer | None = None,
    retry: RetryPolicy | None = None,
    batch: int = 50,
    limit: int = 1000,
    clock: Callable[[], datetime] = utcnow,
) -> DispatchReport:
    """Deliver every due delivery (up to `limit`), batch by batch; return the counts.

    `now` fixes the time used for "due" and for scheduling retries (tests); by default the
    clock is read per batch. Deliveries of a route with no notifier become dead letters
    ("route not configured") so they show in `tgmon alerts list --failed`.
    """
    renderer = renderer or AlertRenderer()
    retry = retry or RetryPolicy()
    worker_id = worker_id or default_worker_id()
    report = DispatchReport()
    while report.claimed < limit:
        at = now or clock()
        with db.session() as session:
            claimed = claim_due(
                session, worker_id, at, retry.lease, min(batch, limit - report.claimed)
            )
        if not claimed:
            break
        report.claimed += len(claimed)
        _deliver_batch(db, notifiers, claimed, renderer, retry, at, report)
        if len(claimed) < batch:  # drained; what failed just now waits for the next run
            break
    return report


def _groups(claimed: list[Delivery]) -> list[tuple[str, str, list[Delivery]]]:
    """One send per delivery, except digest deliveries, which share their slot's key.

    A digest's idempotency key also names the deliveries it holds: a retry of the same set
    repeats the key, while a different set (say, half a slot) never looks like a duplicate.
    """
    groups: dict[tuple[str, str], list[Delivery]] = {}
    for delivery in claimed:
        groups.setdefault((delivery.route, delivery.idempotency_key), []).append(delivery)
    out: list[tuple[str, str, list[Delivery]]] = []
    for (route, key), items in groups.items():
        if key.startswith(DIGEST_KEY_PREFIX):
            members = ",".join(str(d.id) for d in sorted(items, key=lambda d: d.id or 0))
            key = f"{key}-{hashlib.sha256(members.encode()).hexdigest()[:12]}"
        out.append((route, key, items))
    return out


def _deliver_batch(
    db: Database,
    notifiers: Mapping[str, Notifier],
    claimed: list[Delivery],
    renderer: AlertRenderer,
    retry: RetryPolicy,
    now: datetime,
    report: DispatchReport,
) -> None:
    # Give the rest back rather than send on a lease that may have run out (a duplicate).
    deadline = time.monotonic() + retry.lease.total_seconds() / 2
    rendered: dict[int, AlertMessage] = {}
    with db.session() as session:
        records = load_alerts(session, [d.alert_id for d in claimed])
    pending = _groups(claimed)
    for index, (route, key, deliveries) in enumerate(pending):
        ids = [d.id for d in deliveries if d.id is not None]
        if time.monotonic() > deadline:
            rest = [d.id for _, _, ds in pending[index:] for d in ds if d.id is not None]
            with db.session() as session:
                release(session, rest)
            report.released += len(rest)
            return
        notifier = notifiers.get(route)
        try:
            if notifier is None:
                raise DeliveryError(f"route {route!r} is not configured", retryable=False)
            message = _message(records, renderer, route, deliveries, rendered).for_delivery(key)
            notifier.send(message)
        except (DeliveryError, ConfigError) as exc:
            retryable = getattr(exc, "retryable", False)
            _fail(db, ids, str(exc), retryable, retry, now, report)
            log.warning("alert delivery %s to %s failed: %s", ids, route, exc)
        except Exception as exc:  # a notifier bug must not stop the other routes
            _fail(db, ids, f"{type(exc).__name__}", True, retry, now, report)
            log.exception("alert delivery %s to %s crashed", ids, route)
        else:
            with db.session() as session:
                mark_sent(session, ids, utcnow())
            report.sent += len(ids)


def _message(
    records: Mapping[int, AlertRecord],
    renderer: AlertRenderer,
    route: str,
    deliveries: list[Delivery],
    rendered: dict[int, AlertMessage],
) -> AlertMessage:
    messages: list[AlertMessage] = []
    for delivery in deliveries:
        if delivery.alert_id not in rendered:
            record = records.get(delivery.alert_id)
            if record is None:
                raise DeliveryError(f"alert {delivery.alert_id} is gone", retryable=False)
            rendered[delivery.alert_id] = renderer.render(
                record.alert, record.post, record.channel, record.matches, record.copies
            )
        messages.append(rendered[delivery.alert_id])
    return combine_digest(route, messages)


def _fail(
    db: Database,
    ids: list[int],
    error: str,
    retryable: bool,
    retry: RetryPolicy,
    now: datetime,
    report: DispatchReport,
) -> None:
    with db.session() as session:
        status = mark_failed(session, ids, error, retryable=retryable, policy=retry, now=now)
    if status == "dead":
        report.dead += len(ids)
    else:
        report.retrying += len(ids)
    report.errors.append(error)


def renderer_for(settings: Settings) -> AlertRenderer:
    """The renderer with the user's templates_dir (relative to the config file) if set."""
    folder = settings.alerts.templates_dir
    if folder is not None and not folder.is_absolute() and settings.source_path is not None:
        folder = settings.source_path.parent / folder
    return AlertRenderer(folder)


class Dispatcher:
    """The configured dispatcher, built once: what the daemon's APScheduler job calls.

    dispatcher = Dispatcher(db, settings)
    scheduler.add_job(dispatcher.run_once, "interval", seconds=10,
                      max_instances=1, coalesce=True)
    ...
    dispatcher.close()
    """

    def __init__(self, db: Database, settings: Settings, *, worker_id: str | None = None) -> None:
        self.db = db
        self.notifiers = build_notifiers(settings.alerts)
        self.renderer = renderer_for(settings)
        self.retry = retry_policy(settings.alerts)
        self.worker_id = worker_id or default_worker_id()

    def run_once(self, limit: int = 1000) -> DispatchReport:
        """Send every due delivery once; never raises for a failed destination."""
        return dispatch_due(
            self.db,
            self.notifiers,
            worker_id=self.worker_id,
            renderer=self.renderer,
            retry=self.retry,
            limit=limit,
        )

    def close(self) -> None:
        for notifier in self.notifiers.values():
            close = getattr(notifier, "close", None)
            if close is not None:
                close()


def dispatch_configured(
    db: Database, settings: Settings, *, worker_id: str | None = None, limit: int = 1000
) -> DispatchReport:
    """Run the configured dispatcher once (`tgmon alerts dispatch`)."""
    dispatcher = Dispatcher(db, settings, worker_id=worker_id)
    try:
        return dispatcher.run_once(limit)
    finally:
        dispatcher.close()
