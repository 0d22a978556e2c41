"""The dispatcher end to end: real database, local receivers, retries, dead letters, digests."""

from __future__ import annotations

import threading
import time
from collections import Counter
from collections.abc import Iterator
from datetime import timedelta

import pytest
from sqlmodel import select

from monitor.alerts.dispatch import dispatch_due
from monitor.alerts.notifiers import WebhookNotifier, build_notifiers, sign
from monitor.alerts.recorder import retry_alerts
from monitor.alerts.render import AlertMessage, AlertRenderer, combine_digest
from monitor.config.settings import AlertSettings, RouteSettings
from storage.database import Database
from storage.models import Alert, Delivery
from storage.outbox import RetryPolicy, load_alert
from tests.support.alert_helpers import T0, Received, Receiver, match_and_alert, store_post

RETRY = RetryPolicy(max_attempts=3, backoff=timedelta(seconds=10), backoff_max=timedelta(minutes=5))


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    server = Receiver().start()
    yield server
    server.stop()


def _settings(receiver: Receiver, **route: object) -> AlertSettings:
    return AlertSettings(
        routes=[RouteSettings(name="hook", url="webhook+" + receiver.url, secret="k3y", **route)]
    )


def _alerts(db: Database, settings: AlertSettings, count: int) -> list[int]:
    with db.session() as s:
        return [
            match_and_alert(
                s, store_post(s, 1, n + 1, f"Вагнер сообщение {n}"), settings, spans=[[0, 6]]
            )[0].id
            for n in range(count)
        ]


def test_webhooks_are_delivered_once_and_verifiable(db: Database, receiver: Receiver) -> None:
    settings = _settings(receiver)
    ids = _alerts(db, settings, 3)
    notifiers = build_notifiers(settings)
    report = dispatch_due(db, notifiers, now=T0, retry=RETRY)
    assert (report.claimed, report.sent) == (3, 3)
    assert dispatch_due(db, notifiers, now=T0 + timedelta(days=1), retry=RETRY).claimed == 0
    assert sorted(r.json()["alert"]["id"] for r in receiver.received) == ids
    for item in receiver.received:
        assert item.headers["X-Tgmon-Signature"] == sign(item.body, "k3y")
    with db.session() as s:
        assert {a.status for a in s.exec(select(Alert)).all()} == {"sent"}
        assert all(d.sent_at is not None for d in s.exec(select(Delivery)).all())


def test_failing_destination_is_retried_with_the_same_key(db: Database, receiver: Receiver) -> None:
    answers = iter([503, 500, 200])
    receiver.respond = lambda _r: next(answers)
    settings = _settings(receiver)
    _alerts(db, settings, 1)
    notifiers = build_notifiers(settings)
    now = T0
    first = dispatch_due(db, notifiers, now=now, retry=RETRY)
    assert first.retrying == 1
    assert dispatch_due(db, notifiers, now=now + timedelta(seconds=1), retry=RETRY).claimed == 0
    for _ in range(2):
        now += timedelta(minutes=10)  # past any backoff
        dispatch_due(db, notifiers, now=now, retry=RETRY)
    keys = {r.headers["Idempotency-Key"] for r in receiver.received}
    assert len(receiver.received) == 3 and len(keys) == 1
    with db.session() as s:
        delivery = s.exec(select(Delivery)).one()
    assert (delivery.status, delivery.attempts, delivery.idempotency_key) == ("sent", 3, keys.pop())


def test_never_succeeding_destination_dead_letters_then_retry(
    db: Database, receiver: Receiver
) -> None:
    receiver.respond = lambda _r: 502
    settings = _settings(receiver)
    (alert_id,) = _alerts(db, settings, 1)
    notifiers = build_notifiers(settings)
    for n in range(5):
        dispatch_due(db, notifiers, now=T0 + timedelta(hours=n), retry=RETRY)
    assert len(receiver.received) == RETRY.max_attempts
    with db.session() as s:
        delivery = s.exec(select(Delivery)).one()
        assert (delivery.status, s.get(Alert, alert_id).status) == ("dead", "failed")
        assert "HTTP 502" in (delivery.last_error or "")
        assert retry_alerts(s, [alert_id], settings, T0 + timedelta(days=1)) == 1
    receiver.respond = lambda _r: 200
    assert dispatch_due(db, notifiers, now=T0 + timedelta(days=1), retry=RETRY).sent == 1


def test_client_error_is_dead_at_once(db: Database, receiver: Receiver) -> None:
    receiver.respond = lambda _r: 422
    settings = _settings(receiver)
    _alerts(db, settings, 1)
    report = dispatch_due(db, build_notifiers(settings), now=T0, retry=RETRY)
    assert (report.dead, len(receiver.received)) == (1, 1)


def test_route_removed_from_config_dead_letters(db: Database, receiver: Receiver) -> None:
    _alerts(db, _settings(receiver), 1)
    report = dispatch_due(db, {}, now=T0, retry=RETRY)
    assert report.dead == 1 and "not configured" in report.errors[0]


def test_digest_sends_one_message_per_slot(db: Database, receiver: Receiver) -> None:
    settings = _settings(receiver, digest=timedelta(minutes=10))
    _alerts(db, settings, 3)
    notifiers = build_notifiers(settings)
    assert dispatch_due(db, notifiers, now=T0, retry=RETRY).claimed == 0  # slot not over yet
    report = dispatch_due(db, notifiers, now=T0 + timedelta(minutes=10), retry=RETRY)
    assert (report.claimed, report.sent, len(receiver.received)) == (3, 3, 1)
    payload = receiver.received[0].json()
    assert payload["schema"] == "tgmon.alert-digest/1" and len(payload["alerts"]) == 3
    digest = combine_digest("hook", [_render_one(db, n) for n in (1, 2)])
    assert digest.html.count("<body") == 1 and digest.html.count("<section>") == 2
    assert digest.subject == "[tgmon warning] digest: 2 alerts (hook)"


def _render_one(db: Database, alert_id: int) -> AlertMessage:
    with db.session() as s:
        record = load_alert(s, alert_id)
    assert record is not None
    return AlertRenderer().render(
        record.alert, record.post, record.channel, record.matches, record.copies
    )


def test_one_failing_route_does_not_hold_back_another(db: Database, receiver: Receiver) -> None:
    def respond(item: Received) -> int:
        return 500 if item.path.startswith("/bad") else 200

    receiver.respond = respond
    bad = receiver.url.replace("/hook", "/bad")
    settings = AlertSettings(
        routes=[
            RouteSettings(name="good", url="webhook+" + receiver.url, secret="s3cret"),
            RouteSettings(name="bad", url="webhook+" + bad, secret="s3cret"),
        ]
    )
    _alerts(db, settings, 2)
    report = dispatch_due(db, build_notifiers(settings), now=T0, retry=RETRY)
    assert (report.sent, report.retrying) == (2, 2)
    assert Counter(r.path for r in receiver.received) == {"/hook": 2, "/bad": 2}


def test_templates_dir_overrides_one_template(db: Database, receiver: Receiver, tmp_path) -> None:
    (tmp_path / "payload.json.j2").write_text(
        '{"schema": "custom/1", "text": {{ post.text | tojson }}}', encoding="utf-8"
    )
    settings = _settings(receiver)
    _alerts(db, settings, 1)
    notifier = WebhookNotifier("hook", receiver.url, None)
    dispatch_due(db, {"hook": notifier}, now=T0, retry=RETRY, renderer=AlertRenderer(tmp_path))
    assert receiver.received[0].json()["schema"] == "custom/1"


def test_two_dispatchers_at_once_never_send_a_delivery_twice(
    db: Database, receiver: Receiver
) -> None:
    settings = _settings(receiver)
    _alerts(db, settings, 40)
    reports = []

    def run(worker: str) -> None:
        reports.append(
            dispatch_due(db, build_notifiers(settings), worker_id=worker, retry=RETRY, batch=5)
        )

    threads = [threading.Thread(target=run, args=(f"w{n}",)) for n in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    keys = Counter(r.headers["Idempotency-Key"] for r in receiver.received)
    assert len(keys) == 40 and set(keys.values()) == {1}
    assert sum(r.sent for r in reports) == 40


def test_slow_destination_gives_back_claims_before_the_lease_runs_out(
    db: Database, receiver: Receiver
) -> None:
    # Claims are given back once half the lease has gone (1.5 s here). The first send starts
    # well inside that, even on a loaded machine, and takes longer than all of it.
    def slow(_item: Received) -> int:
        time.sleep(1.6)
        return 200

    receiver.respond = slow
    settings = _settings(receiver)
    _alerts(db, settings, 3)
    short = RetryPolicy(lease=timedelta(seconds=3))
    report = dispatch_due(db, build_notifiers(settings), now=T0, retry=short, limit=3)
    assert (report.sent, report.released) == (1, 2)
    with db.session() as s:
        states = sorted((d.status, d.attempts) for d in s.exec(select(Delivery)).all())
    assert states == [("pending", 0), ("pending", 0), ("sent", 1)]


def test_route_secrets_are_masked_in_config_show() -> None:
    from monitor.config.settings import Settings, masked_dump

    settings = Settings(
        alerts=AlertSettings(
            routes=[
                RouteSettings(name="m", url="smtp://u:pw-123456@h", password="pw-123456"),
                RouteSettings(name="w", url="webhook+https://h/x?t=tok-abcdef", secret="sec-99"),
            ]
        )
    )
    dumped = str(masked_dump(settings))
    assert not any(s in dumped for s in ("pw-123456", "tok-abcdef", "sec-99"))


def test_failed_digest_is_retried_whole_with_the_same_key(db: Database, receiver: Receiver) -> None:
    answers = iter([503, 200])
    receiver.respond = lambda _r: next(answers)
    settings = _settings(receiver, digest=timedelta(minutes=10))
    _alerts(db, settings, 2)
    notifiers = build_notifiers(settings)
    dispatch_due(db, notifiers, now=T0 + timedelta(minutes=10), retry=RETRY)
    dispatch_due(db, notifiers, now=T0 + timedelta(hours=1), retry=RETRY)
    first, second = receiver.received
    assert first.headers["Idempotency-Key"] == second.headers["Idempotency-Key"]
    assert len(first.json()["alerts"]) == len(second.json()["alerts"]) == 2
