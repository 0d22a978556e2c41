"""The dispatcher: claim due deliveries, render, send through the route's Notifier, settle.

Synchronous on purpose: the daemon runs `dispatch_due` from an APScheduler job (in a thread),
cron runs `tgmon alerts dispatch`. Delivery is at-least-once: a delivery is marked sent in
its own transaction right after the destination acknowledged it; if the process dies between
the acknowledgement and that commit, the claim's lease expires and another run sends it
again with the same Idempotency-Key, which receivers use to drop the duplicate.

Routes are delivered concurrently, one thread per route, and every send has a hard time limit
(the route's `timeout`): a dead or slow destination holds up only its own deliveries. When a
send overruns, the rest of that route's batch is postponed untried (no attempt charged).
"""

from __future__ import annotations

import hashlib
import logging
import os
import socket
import threading
import time
import uuid
from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from monitor.alerts.notifiers import Notifier, build_notifiers
from monitor.alerts.policy import DIGEST_KEY_PREFIX, retry_policy
from monitor.alerts.render import AlertMessage, AlertRenderer, TranslationState, combine_digest
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
from storage.postponed import postpone_deliveries
from storage.translations import provider_outage

log = logging.getLogger(__name__)

MAX_PARALLEL_ROUTES = 16
DEFAULT_SEND_LIMIT = 30.0  # seconds, for a notifier whose route sets no timeout
# A notifier's own timeouts (httpx, smtplib) apply per read or connect, not to the whole send;
# this grace lets them report their own reason first before the hard limit cuts in.
_LIMIT_GRACE = 1.0


@dataclass
class DispatchReport:
    """What one dispatcher run did."""

    claimed: int = 0
    sent: int = 0
    retrying: int = 0
    dead: int = 0
    released: int = 0
    postponed: int = 0  # untried because their route stopped answering in this run
    errors: list[str] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False, compare=False)

    def count(self, name: str, n: int, error: str | None = None) -> None:
        """Add to a counter from any route's thread."""
        with self._lock:
            setattr(self, name, getattr(self, name) + n)
            if error is not None:
                self.errors.append(error)


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
    time_limits: Mapping[str, float] | None = None,
    translation_wait: timedelta | None = None,
    translation_state: Callable[[], TranslationState] = TranslationState,
) -> DispatchReport:
    """Deliver every due delivery (up to `limit`), batch by batch; return the counts.

    `now` fixes the time used for "due" and for scheduling retries (tests); by default the
    clock is read per batch. Deliveries of a route with no notifier become dead letters
    ("route not configured") so they show in `tgmon alerts list --failed`. `time_limits`
    gives each route's hard limit per send in seconds (default: the notifier's `timeout`).
    A post waiting for its translation is held up to `translation_wait`, unless translation is
    off or its provider is down; `translation_state` says, when an alert goes out without
    English, why (translation off, provider unreachable since …).
    """
    renderer = renderer or AlertRenderer()
    retry = retry or RetryPolicy()
    worker_id = worker_id or default_worker_id()
    limits = {
        route: (time_limits or {}).get(route)
        or float(getattr(notifier, "timeout", 0) or DEFAULT_SEND_LIMIT)
        for route, notifier in notifiers.items()
    }
    report = DispatchReport()
    state = translation_state()
    if state.off or state.outage_since is not None:
        translation_wait = None  # no English is coming soon: holding alerts would only delay
    while report.claimed < limit:
        at = now or clock()
        with db.session() as session:
            claimed = claim_due(
                session,
                worker_id,
                at,
                retry.lease,
                min(batch, limit - report.claimed),
                translation_wait=translation_wait,
            )
        if not claimed:
            break
        report.claimed += len(claimed)
        _deliver_batch(db, notifiers, limits, claimed, renderer, retry, at, report, state)
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


@dataclass
class _Batch:
    """What every route's thread of one batch shares."""

    db: Database
    records: Mapping[int, AlertRecord]
    renderer: AlertRenderer
    retry: RetryPolicy
    now: datetime
    deadline: float  # monotonic: past it, claims are given back rather than sent
    report: DispatchReport
    translation: TranslationState
    rendered: dict[int, AlertMessage] = field(default_factory=dict)


def _deliver_batch(
    db: Database,
    notifiers: Mapping[str, Notifier],
    limits: Mapping[str, float],
    claimed: list[Delivery],
    renderer: AlertRenderer,
    retry: RetryPolicy,
    now: datetime,
    report: DispatchReport,
    translation: TranslationState,
) -> None:
    # Give the rest back rather than send on a lease that may have run out (a duplicate).
    deadline = time.monotonic() + retry.lease.total_seconds() / 2
    with db.session() as session:
        records = load_alerts(session, [d.alert_id for d in claimed])
    shared = _Batch(db, records, renderer, retry, now, deadline, report, translation)
    by_route: dict[str, list[tuple[str, list[Delivery]]]] = {}
    for route, key, deliveries in _groups(claimed):
        by_route.setdefault(route, []).append((key, deliveries))
    workers = min(len(by_route), MAX_PARALLEL_ROUTES)
    with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="tgmon-route") as pool:
        futures = [
            pool.submit(
                _deliver_route,
                shared,
                route,
                notifiers.get(route),
                limits.get(route, DEFAULT_SEND_LIMIT),
                groups,
            )
            for route, groups in by_route.items()
        ]
        for future in futures:
            future.result()


def _deliver_route(
    batch: _Batch,
    route: str,
    notifier: Notifier | None,
    limit: float,
    groups: list[tuple[str, list[Delivery]]],
) -> None:
    """Send one route's share of a batch in order; stop at the deadline or a silent route."""
    for index, (key, deliveries) in enumerate(groups):
        ids = [d.id for d in deliveries if d.id is not None]
        rest = [d.id for _, ds in groups[index:] for d in ds if d.id is not None]
        if time.monotonic() > batch.deadline:
            with batch.db.session() as session:
                release(session, rest)
            batch.report.count("released", len(rest))
            return
        started = time.monotonic()
        try:
            if notifier is None:
                raise DeliveryError(f"route {route!r} is not configured", retryable=False)
            message = _message(batch, route, deliveries)
            _send_within(notifier, message.for_delivery(key), route, limit)
        except (DeliveryError, ConfigError) as exc:
            retryable = getattr(exc, "retryable", False)
            _fail(batch, ids, str(exc), retryable)
            log.warning("alert delivery %s to %s failed: %s", ids, route, exc)
            # Overran its hard limit, or its own timeout ran out: the destination is not
            # answering, and each further try would wait as long again. Leave it for later.
            if retryable and time.monotonic() - started >= limit:
                _postpone(
                    batch, rest[len(ids) :], f"route {route} did not answer within {limit:g}s"
                )
                return
        except Exception as exc:  # a notifier bug must not stop the other routes
            _fail(batch, ids, f"{type(exc).__name__}", True)
            log.exception("alert delivery %s to %s crashed", ids, route)
        else:
            with batch.db.session() as session:
                mark_sent(session, ids, utcnow())
            batch.report.count("sent", len(ids))


def _postpone(batch: _Batch, untried: list[int], reason: str) -> None:
    if untried:
        until = batch.now + batch.retry.delay(1)
        with batch.db.session() as session:
            postpone_deliveries(session, untried, until, f"not tried: {reason}")
        batch.report.count("postponed", len(untried))


class _SendOverran(DeliveryError):
    """A send that did not finish within its route's hard time limit."""


def _send_within(notifier: Notifier, message: AlertMessage, route: str, limit: float) -> None:
    """Run notifier.send with a hard wall-clock limit.

    The send runs in a daemon thread: past the limit it is abandoned (its own socket timeout
    ends it later) and never keeps the process from exiting.
    """
    outcome: list[BaseException | None] = []

    def send() -> None:
        try:
            notifier.send(message)
        except BaseException as exc:  # handed to the waiting thread, which decides
            outcome.append(exc)
        else:
            outcome.append(None)

    sender = threading.Thread(target=send, name=f"tgmon-send-{route}", daemon=True)
    sender.start()
    sender.join(limit + _LIMIT_GRACE)
    if not outcome:
        raise _SendOverran(f"route {route}: no answer within {limit:g}s")
    if outcome[0] is not None:
        raise outcome[0]


def _message(batch: _Batch, route: str, deliveries: list[Delivery]) -> AlertMessage:
    messages: list[AlertMessage] = []
    for delivery in deliveries:
        if delivery.alert_id not in batch.rendered:
            record = batch.records.get(delivery.alert_id)
            if record is None:
                raise DeliveryError(f"alert {delivery.alert_id} is gone", retryable=False)
            batch.rendered[delivery.alert_id] = batch.renderer.render(
                record.alert,
                record.post,
                record.channel,
                record.matches,
                record.copies,
                translation=batch.translation,
            )
        messages.append(batch.rendered[delivery.alert_id])
    return combine_digest(route, messages)


def _fail(batch: _Batch, ids: list[int], error: str, retryable: bool) -> None:
    with batch.db.session() as session:
        status = mark_failed(
            session, ids, error, retryable=retryable, policy=batch.retry, now=batch.now
        )
    batch.report.count("dead" if status == "dead" else "retrying", len(ids), error)


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

    def __init__(
        self,
        db: Database,
        settings: Settings,
        *,
        worker_id: str | None = None,
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        self.db = db
        self.clock = clock
        self.notifiers = build_notifiers(settings.alerts)
        self.renderer = renderer_for(settings)
        self.retry = retry_policy(settings.alerts)
        self.worker_id = worker_id or default_worker_id()
        self.time_limits = {r.name: r.timeout.total_seconds() for r in settings.alerts.routes}
        self.translation_wait = settings.alerts.translation_wait
        self.translation_provider = settings.translation.provider

    def translation_state(self) -> TranslationState:
        """Whether translation is off, or since when its provider has been failing."""
        if self.translation_provider == "none":
            return TranslationState(off=True)
        with self.db.read_session() as session:
            outage = provider_outage(session, self.translation_provider)
        if outage is None:
            return TranslationState()
        return TranslationState(outage_since=outage[0], outage_error=outage[1])

    def run_once(self, limit: int = 1000) -> DispatchReport:
        """Send every due delivery once; never raises for a failed destination."""
        return dispatch_due(
            self.db,
            self.notifiers,
            worker_id=self.worker_id,
            renderer=self.renderer,
            retry=self.retry,
            limit=limit,
            time_limits=self.time_limits,
            translation_wait=self.translation_wait,
            translation_state=self.translation_state,
            clock=self.clock,
        )

    def close(self) -> None:
        for notifier in self.notifiers.values():
            close = getattr(notifier, "close", None)
            if close is not None:
                close()


def dispatch_configured(
    db: Database,
    settings: Settings,
    *,
    worker_id: str | None = None,
    limit: int = 1000,
    clock: Callable[[], datetime] = utcnow,
) -> DispatchReport:
    """Run the configured dispatcher once (`tgmon alerts dispatch`)."""
    dispatcher = Dispatcher(db, settings, worker_id=worker_id, clock=clock)
    try:
        return dispatcher.run_once(limit)
    finally:
        dispatcher.close()
