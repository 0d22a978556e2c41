"""The outbox in the database: alerts with their match, dedupe, edits, deletions, claims."""

from __future__ import annotations

import threading
import time
from datetime import timedelta

import pytest
from sqlmodel import select

from monitor.alerts.recorder import record_alerts, record_deletion_alerts, retry_alerts
from monitor.config.settings import AlertPolicy, AlertSettings, RouteSettings
from monitor.core.events import ChannelPost
from storage.database import Database
from storage.models import Alert, Delivery
from storage.outbox import (
    RetryPolicy,
    claim_due,
    load_alert,
    mark_failed,
    mark_sent,
)
from storage.posts import mark_deleted, upsert_posts
from tests.support.alert_helpers import T0, TEXT, add_match, match_and_alert, store_post


def _settings(**policy: object) -> AlertSettings:
    return AlertSettings(
        routes=[
            RouteSettings(name="hook", url="webhook+http://127.0.0.1:9/x", secret="s3cret"),
            RouteSettings(name="crit", url="json://127.0.0.1:9/", min_severity="critical"),
            RouteSettings(name="other", url="json://127.0.0.1:9/", watchlists=["other"]),
        ],
        policy=AlertPolicy(**policy),
    )


def test_alert_and_its_deliveries_are_written_with_the_match(db: Database) -> None:
    with db.session() as s:
        post_id = store_post(s, 1, 10)
        alerts = match_and_alert(s, post_id, _settings())
    with db.session() as s:
        alert = s.exec(select(Alert)).one()
        deliveries = s.exec(select(Delivery)).all()
    assert [a.id for a in alerts] == [alert.id]
    assert (alert.reason, alert.status, alert.copies) == ("new", "pending", [post_id])
    assert [d.route for d in deliveries] == ["hook"]  # severity/watchlist filters apply
    assert deliveries[0].idempotency_key.startswith(f"tgmon-{alert.id}-")


def test_a_failed_transaction_leaves_neither_match_nor_alert(db: Database) -> None:
    try:
        with db.session() as s:
            post_id = store_post(s, 1, 10)
            match_and_alert(s, post_id, _settings())
            raise RuntimeError("crash before commit")
    except RuntimeError:
        pass
    with db.session() as s:
        assert s.exec(select(Alert)).all() == []
        assert s.exec(select(Delivery)).all() == []


def test_same_story_in_three_channels_is_one_alert_listing_three_copies(db: Database) -> None:
    settings = _settings()
    with db.session() as s:
        ids = [store_post(s, c, 100 + c, fwd=(777, 5)) for c in (1, 2, 3)]
        created = [
            match_and_alert(s, i, settings, now=T0 + timedelta(hours=n)) for n, i in enumerate(ids)
        ]
    assert [len(c) for c in created] == [1, 0, 0]
    with db.session() as s:
        alert = s.exec(select(Alert)).one()
        assert alert.copies == ids
        assert len(s.exec(select(Delivery)).all()) == 1


def test_same_text_without_forward_dedupes_by_content_hash(db: Database) -> None:
    settings = _settings()
    with db.session() as s:
        a = store_post(s, 1, 1, TEXT)
        b = store_post(
            s, 2, 1, "  КОЛОННА «ВАГНЕРА» ЗАМЕЧЕНА ПОД БАХМУТОМ "
        )  # same after normalising
        match_and_alert(s, a, settings)
        match_and_alert(s, b, settings)
        alert = s.exec(select(Alert)).one()
    assert alert.copies == [a, b]


def test_a_copy_after_the_window_is_a_new_alert(db: Database) -> None:
    settings = _settings(dedupe_window=timedelta(hours=48))
    with db.session() as s:
        a = store_post(s, 1, 1)
        b = store_post(s, 2, 1)
        match_and_alert(s, a, settings, now=T0)
        later = match_and_alert(s, b, settings, now=T0 + timedelta(hours=49))
    assert len(later) == 1
    with db.session() as s:
        first, second = s.exec(select(Alert).order_by(Alert.id)).all()
    assert second.dedupe_key.startswith("text:") and second.copies == [b]
    assert first.dedupe_key.startswith(second.dedupe_key + "@") and first.copies == [a]


def test_edit_that_changes_nothing_does_not_realert_and_new_match_on_edit_does(
    db: Database,
) -> None:
    settings = _settings()
    with db.session() as s:
        matched = store_post(s, 1, 1)
        match_and_alert(s, matched, settings)
        plain = store_post(s, 1, 2, "Погода в Бахмуте")
    edit_same = ChannelPost(channel_id=1, message_id=1, posted_at=T0, text=TEXT + " (upd)")
    edit_new = ChannelPost(
        channel_id=1, message_id=2, posted_at=T0, text="Погода: «Вагнер» в Бахмуте"
    )
    with db.session() as s:
        changes = upsert_posts(s, [edit_same, edit_new], now=T0 + timedelta(minutes=5))
        assert [c.version for c in changes] == [2, 2]
        # the match stage re-evaluates both; the watchlist still matches post 1 (nothing new for
        # it), and now matches post 2 for the first time
        again = add_match(s, matched, rule="wagner-again", version=2)
        fresh = add_match(s, plain, version=2, spans=[[9, 15]])
        created = record_alerts(s, [again, fresh], settings, T0 + timedelta(minutes=5))
    assert [(a.post_id, a.reason) for a in created] == [(plain, "edited")]


def test_deleted_post_alerts_only_when_the_watchlist_asks(db: Database) -> None:
    with db.session() as s:
        post_id = store_post(s, 1, 1)
        match_and_alert(s, post_id, _settings())
        marked = mark_deleted(s, 1, [1])
        assert record_deletion_alerts(s, marked, _settings()) == []
        created = record_deletion_alerts(s, marked, _settings(on_deleted=True))
        assert [a.reason for a in created] == ["deleted"]
        assert record_deletion_alerts(s, marked, _settings(on_deleted=True)) == []


def test_cooldown_records_but_suppresses(db: Database) -> None:
    settings = _settings(cooldown=timedelta(minutes=10))
    with db.session() as s:
        a = store_post(s, 1, 1, "первый текст")
        b = store_post(s, 1, 2, "второй текст")
        match_and_alert(s, a, settings, now=T0)
        second = match_and_alert(s, b, settings, now=T0 + timedelta(minutes=1))
    assert second[0].status == "suppressed"
    with db.session() as s:
        assert len(s.exec(select(Delivery)).all()) == 1
        assert retry_alerts(s, [second[0].id], settings, T0) == 1  # sending it anyway
        assert len(s.exec(select(Delivery)).all()) == 2


def test_claims_are_exclusive_leased_and_settled(db: Database) -> None:
    policy = RetryPolicy(max_attempts=2, lease=timedelta(minutes=2))
    with db.session() as s:
        for n in range(3):
            match_and_alert(s, store_post(s, 1, n + 1, f"текст {n}"), _settings())
    with db.session() as s:
        first = claim_due(s, "w1", T0, policy.lease, limit=2)
    with db.session() as s:
        second = claim_due(s, "w2", T0, policy.lease)
    assert len(first) == 2 and len(second) == 1
    assert not {d.id for d in first} & {d.id for d in second}
    with db.session() as s:
        assert claim_due(s, "w3", T0 + timedelta(minutes=1), policy.lease) == []
        expired = claim_due(s, "w3", T0 + timedelta(minutes=3), policy.lease)
    assert len(expired) == 3 and all(d.attempts == 2 for d in expired)
    with db.session() as s:
        mark_sent(s, [expired[0].id], T0)
        assert (
            mark_failed(s, [expired[1].id], "HTTP 503", retryable=True, policy=policy, now=T0)
            == "dead"
        )
        assert (
            mark_failed(s, [expired[2].id], "HTTP 400", retryable=False, policy=policy, now=T0)
            == "dead"
        )
        statuses = sorted(a.status for a in s.exec(select(Alert)).all())
    assert statuses == ["failed", "failed", "sent"]
    with db.session() as s:
        assert retry_alerts(s, None, _settings(), T0) == 2
        assert sorted(a.status for a in s.exec(select(Alert)).all()) == [
            "pending",
            "pending",
            "sent",
        ]


def test_backoff_grows_and_is_capped() -> None:
    policy = RetryPolicy(backoff=timedelta(seconds=10), backoff_max=timedelta(seconds=60))
    delays = [policy.delay(n).total_seconds() for n in (1, 2, 3, 10)]
    assert 5 <= delays[0] <= 10 and 10 <= delays[1] <= 20 and 20 <= delays[2] <= 40
    assert 30 <= delays[3] <= 60


def test_two_writers_recording_one_story_at_once_make_one_alert(db: Database) -> None:
    """PostgreSQL: the second insert waits on the first's unique key, then joins as a copy."""
    if db.is_sqlite:
        pytest.skip("SQLite has one writer at a time; the race cannot happen")
    settings = _settings()
    with db.session() as s:
        a, b = store_post(s, 1, 1, fwd=(9, 9)), store_post(s, 2, 1, fwd=(9, 9))
    inserted = threading.Event()
    results: dict[str, list[Alert]] = {}

    def first() -> None:
        with db.session() as s:
            results["a"] = match_and_alert(s, a, settings)
            inserted.set()
            time.sleep(0.5)  # hold the transaction open while the second writer arrives

    def second() -> None:
        inserted.wait(10)
        with db.session() as s:
            results["b"] = match_and_alert(s, b, settings)

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert len(results["a"]) == 1 and results["b"] == []
    with db.session() as s:
        alert = s.exec(select(Alert)).one()
    assert sorted(alert.copies) == sorted([a, b])


def test_deleted_alert_is_delivered_with_its_reason(db: Database) -> None:
    settings = _settings(on_deleted=True)
    with db.session() as s:
        post_id = store_post(s, 1, 1)
        match_and_alert(s, post_id, settings)
        (alert,) = record_deletion_alerts(s, mark_deleted(s, 1, [1]), settings)
    with db.session() as s:
        record = load_alert(s, alert.id)
    assert record is not None and record.alert.reason == "deleted"
    assert record.post.deleted_at is not None and [m.rule for m in record.matches] == ["wagner"]


def test_one_batch_settles_copies_in_order_and_a_replay_adds_nothing(db: Database) -> None:
    """The set-based path: a whole batch of matches in one call, as an import writes them."""
    settings = _settings()
    with db.session() as s:
        same = [store_post(s, c, 1, fwd=(5, 5)) for c in (1, 2, 3)]
        other = store_post(s, 4, 1, "Вагнер в Мали")
        matches = [add_match(s, post_id) for post_id in (*same, other)]
        created = record_alerts(s, matches, settings, T0)
        assert record_alerts(s, matches, settings, T0) == []  # the pairs have their alert
    assert [(a.post_id, a.copies) for a in created] == [(same[0], tuple(same)), (other, (other,))]
    with db.session() as s:
        alerts = s.exec(select(Alert).order_by(Alert.id)).all()
        deliveries = s.exec(select(Delivery)).all()
    assert [a.copies for a in alerts] == [same, [other]]
    assert sorted(d.alert_id for d in deliveries) == [alerts[0].id, alerts[1].id]
