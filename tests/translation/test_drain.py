"""The translation backlog end to end: real database (SQLite and PostgreSQL), real HTTP server."""

from __future__ import annotations

import threading
from collections.abc import Iterator, Sequence
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import update
from sqlmodel import Session, select

from monitor.config.settings import TranslationSettings
from monitor.core.events import ChannelInfo, ChannelPost
from monitor.pipeline.ingest import Pipeline
from monitor.translation.drain import drain_translations
from monitor.translation.provider_limiter import RateLimiter
from monitor.translation.providers import DeepTranslator
from monitor.translation.triage import TranslationTriageStage
from storage import translations as store
from storage.database import Database
from storage.models import Match, Post, TranslationCache, TranslationProvider
from storage.posts import PostChange
from tests.support.libre_server import FakeLibreTranslate

T0 = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)


class Clock:
    def __init__(self) -> None:
        self.now = T0

    def __call__(self) -> datetime:
        return self.now


class FixedLanguage:
    """Stands in for the language-detection stage: writes a known language."""

    name = "language"

    def __init__(self, language: str | None) -> None:
        self.language = language

    def run(self, session: Session, changes: Sequence[PostChange]) -> None:
        ids = [c.post_id for c in changes]
        session.execute(update(Post).where(Post.id.in_(ids)).values(language=self.language))  # type: ignore[union-attr]


@pytest.fixture
def libre() -> Iterator[FakeLibreTranslate]:
    server = FakeLibreTranslate().start()
    yield server
    server.stop()


def settings(**overrides: object) -> TranslationSettings:
    base: dict[str, object] = {"provider": "libre", "url": "http://unused/", "backoff": "30s"}
    base.update(overrides)
    return TranslationSettings(**base)  # type: ignore[arg-type]


def translator(libre: FakeLibreTranslate, max_chars: int = 2000) -> DeepTranslator:
    return DeepTranslator("libre", url=libre.url, timeout=5, max_chars=max_chars)


def ingest(
    db: Database,
    texts: dict[int, str],
    *,
    language: str | None = "ru",
    channel: int = 1,
    triage: TranslationSettings | None = None,
) -> list[int]:
    stages: list[object] = [FixedLanguage(language)]
    if triage is not None:
        stages.append(TranslationTriageStage(triage))
    posts = [
        ChannelPost(channel, mid, T0 - timedelta(hours=1), text=text) for mid, text in texts.items()
    ]
    Pipeline(db, stages).ingest(ChannelInfo(channel, f"chan{channel}"), posts)  # type: ignore[arg-type]
    with db.session() as session:
        rows = session.exec(
            select(Post).where(Post.channel_id == channel, Post.message_id.in_(list(texts)))  # type: ignore[attr-defined]
        ).all()
        return [r.id for r in sorted(rows, key=lambda r: r.message_id)]  # type: ignore[misc]


def posts(db: Database) -> dict[int, Post]:
    with db.read_session() as session:
        return {p.id: p for p in session.exec(select(Post)).all()}  # type: ignore[misc]


def drain(
    db: Database, libre: FakeLibreTranslate, clock: Clock, s: TranslationSettings, **kw: object
):  # type: ignore[no-untyped-def]
    return drain_translations(db, translator(libre), s, clock=clock, **kw)  # type: ignore[arg-type]


def test_each_text_is_sent_once_forwards_reposts_and_reverted_edits_come_from_cache(
    db: Database, libre: FakeLibreTranslate
) -> None:
    clock, s = Clock(), settings()
    a, b, c = ingest(db, {1: "привет мир", 2: "Привет   МИР", 3: "новости фронт"})
    (repost,) = ingest(db, {7: "привет мир"}, channel=2)
    report = drain(db, libre, clock, s)
    assert libre.translate_requests == 2
    assert (report.translated, report.from_cache, report.failed) == (2, 2, 0)
    stored = posts(db)
    assert stored[a].translation == "EN:hello world" and stored[a].translation_status == "done"
    assert stored[repost].translation == "EN:hello world"
    assert stored[c].translation == "EN:news front" and stored[c].translation_provider == "libre"
    assert drain(db, libre, clock, s).processed == 0

    ingest(db, {3: "новости фронт, обновлено"})  # an edit: back to pending, translated anew
    assert posts(db)[c].translation_status == "pending" and posts(db)[c].translation is None
    drain(db, libre, clock, s)
    ingest(db, {3: "новости фронт"})  # reverted: the old translation is still cached
    report = drain(db, libre, clock, s)
    assert libre.translate_requests == 3 and report.from_cache == 1
    assert posts(db)[c].translation == "EN:news front"
    with db.session() as session:
        hits = session.exec(select(TranslationCache.hits)).all()
    assert sum(hits) >= 1


def test_an_outage_keeps_the_backlog_pending_backs_off_and_drains_on_recovery(
    db: Database, libre: FakeLibreTranslate
) -> None:
    clock, s = Clock(), settings(backoff="30s", max_backoff="1h")
    ids = ingest(db, {1: "привет", 2: "мир", 3: "война"})
    libre.stop()
    report = drain(db, libre, clock, s)
    assert report.stopped == "outage" and "cannot connect" in (report.error or "")
    assert report.backoff_until == T0 + timedelta(seconds=30)
    stored = posts(db)
    assert all(stored[i].translation_status == "pending" for i in ids)
    assert all(stored[i].translation_attempts == 0 for i in ids)  # refused: nobody's fault

    clock.now += timedelta(seconds=31)
    report = drain(db, libre, clock, s)  # still down: the back-off doubles
    assert report.backoff_until == clock.now + timedelta(seconds=60)

    libre.start()  # back, same port; but the back-off is honoured
    report = drain(db, libre, clock, s)
    assert report.stopped == "backoff" and libre.translate_requests == 0
    with db.session() as session:
        assert store.translation_backlog(session)["pending"] == 3

    clock.now += timedelta(seconds=61)
    report = drain(db, libre, clock, s)
    assert report.translated == 3 and report.stopped is None
    with db.session() as session:
        assert store.translation_backlog(session) == {
            "pending": 0,
            "done": 3,
            "failed": 0,
            "skipped": 0,
        }
        state = session.get(TranslationProvider, "libre")
        assert state is not None and state.failures == 0 and state.backoff_until is None


def test_a_rejected_post_is_retried_a_bounded_number_of_times_then_failed(
    db: Database, libre: FakeLibreTranslate
) -> None:
    clock, s = Clock(), settings(max_attempts=3, backoff="10s")
    libre.behaviour.max_chars = 20
    bad, good = ingest(db, {1: "война " * 10, 2: "мир"})
    report = drain(db, libre, clock, s)
    assert report.translated == 1 and report.retrying == 1
    assert posts(db)[bad].translation_next_at == T0 + timedelta(seconds=10)
    assert drain(db, libre, clock, s).processed == 0  # not due yet
    for wait in (10, 20):
        clock.now += timedelta(seconds=wait + 1)
        drain(db, libre, clock, s)
    row = posts(db)[bad]
    assert row.translation_status == "failed" and row.translation_attempts == 3
    assert "HTTP 400" in (row.translation_error or "")
    assert posts(db)[good].translation_status == "done"

    with db.session() as session:
        assert store.requeue_failed(session) == 1
    assert posts(db)[bad].translation_status == "pending"


def test_a_post_that_crashes_the_server_ends_failed_instead_of_blocking(
    db: Database, libre: FakeLibreTranslate
) -> None:
    clock, s = Clock(), settings(max_attempts=2, backoff="10s", max_backoff="10s")
    libre.behaviour.poison = "яд"
    poison, *others = ingest(db, {1: "яд", 2: "мир", 3: "война"})
    for _ in range(6):
        drain(db, libre, clock, s)
        clock.now += timedelta(seconds=11)
    stored = posts(db)
    assert stored[poison].translation_status == "failed"
    assert "HTTP 500" in (stored[poison].translation_error or "")
    assert all(stored[i].translation_status == "done" for i in others)


def test_long_posts_are_split_under_the_limit_and_keep_their_links(
    db: Database, libre: FakeLibreTranslate
) -> None:
    libre.behaviour.max_chars = 60
    text = (
        "Первый абзац про фронт. Подробности: https://t.me/rybar/12345 и @rybar.\n\n"
        + "Второй абзац, очень длинный, новости и ещё новости. " * 4
        + "\n\n#новости конец"
    )
    (post_id,) = ingest(db, {1: text})
    report = drain_translations(db, translator(libre, 60), settings(), clock=Clock())
    assert report.translated == 1 and report.failed == 0
    assert libre.translate_requests >= 4
    assert all(len(r.q) <= 60 for r in libre.behaviour.received)
    out = posts(db)[post_id].translation or ""
    assert "https://t.me/rybar/12345" in out and "@rybar" in out and "#новости" in out
    assert out.index("Первый") < out.index("Второй") and "\n\n" in out


def test_the_daily_budget_stops_the_drain_until_the_next_day(
    db: Database, libre: FakeLibreTranslate
) -> None:
    clock, s = Clock(), settings(daily_char_budget=15)
    first, second = ingest(db, {1: "привет мир", 2: "новости фронт"})
    report = drain(db, libre, clock, s)
    assert report.stopped == "budget" and report.translated == 1
    assert posts(db)[second].translation_status == "pending"
    assert drain(db, libre, clock, s).translated == 0
    clock.now += timedelta(days=1)
    assert drain(db, libre, clock, s).translated == 1


def test_matched_mode_translates_only_posts_with_a_live_match(
    db: Database, libre: FakeLibreTranslate
) -> None:
    live, removed, plain = ingest(db, {1: "привет", 2: "мир", 3: "война"})
    with db.session() as session:
        session.add(Match(post_id=live, watchlist="w", rule="r"))
        session.add(Match(post_id=removed, watchlist="w", rule="r", removed_at=T0))
    report = drain(db, libre, Clock(), settings(mode="matched"))
    assert report.translated == 1
    stored = posts(db)
    assert stored[live].translation_status == "done"
    assert stored[removed].translation_status == stored[plain].translation_status == "pending"


def test_rate_limits_from_config_make_the_drain_wait(
    db: Database, libre: FakeLibreTranslate
) -> None:
    ticks = [0.0]
    limiter = RateLimiter(requests_per_minute=2, clock=lambda: ticks[0])

    def sleep(seconds: float) -> None:
        ticks[0] += seconds

    ingest(db, {1: "привет", 2: "мир", 3: "война"})
    report = drain(db, libre, Clock(), settings(), limiter=limiter, sleep=sleep)
    assert report.translated == 3 and report.waited_s == 60


def test_triage_marks_posts_that_need_no_translation(
    db: Database, libre: FakeLibreTranslate
) -> None:
    s = settings(sources=["ru", "uk"])
    (en,) = ingest(db, {1: "hello world"}, language="en", triage=s)
    (und,) = ingest(db, {2: "ок"}, language="und", triage=s)
    (empty,) = ingest(db, {3: "https://t.me/x/1 #tag"}, language="ru", triage=s)
    (be,) = ingest(db, {4: "вітаю"}, language="be", triage=s)
    (ru,) = ingest(db, {5: "привет"}, language="ru", triage=s)
    (unknown,) = ingest(db, {6: "мир"}, language=None, triage=s)
    stored = posts(db)
    assert (stored[en].translation_status, stored[en].translation_error) == (
        "skipped",
        "already in en",
    )
    assert stored[und].translation_status == "skipped"
    assert stored[empty].translation_error == "no text"
    assert stored[be].translation_error == "be not in translation.sources"
    assert stored[ru].translation_status == stored[unknown].translation_status == "pending"
    report = drain(db, libre, Clock(), s)
    assert report.translated == 2
    assert sorted(r.source for r in libre.behaviour.received) == ["auto", "ru"]


def test_an_edit_while_translating_wins_over_the_old_translation(db: Database) -> None:
    (post_id,) = ingest(db, {1: "привет"})
    with db.session() as session:
        claim = store.claim_pending(session, "libre", now=T0, limit=10, lease=timedelta(minutes=5))
    assert [p.id for p in claim.posts] == [post_id]
    with db.session() as session:  # claimed posts are leased: nobody else gets them
        again = store.claim_pending(session, "libre", now=T0, limit=10, lease=timedelta(minutes=5))
    assert again.posts == []
    ingest(db, {1: "привет, правка"})
    with db.session() as session:
        done = store.record_done(
            session,
            [post_id],
            content_hash=claim.posts[0].content_hash,
            translation="EN:hello",
            provider="libre",
            now=T0,
        )
    assert done == [] and posts(db)[post_id].translation is None


def test_concurrent_workers_never_translate_a_text_twice(
    db: Database, libre: FakeLibreTranslate
) -> None:
    texts = [f"новости {n} фронт" for n in range(12)]
    for channel in (1, 2, 3, 4):  # every text 8 times: more copies than a batch holds
        ingest(db, {i + 1: texts[i % len(texts)] for i in range(24)}, channel=channel)
    s = settings(batch_size=2)
    reports = []
    errors: list[BaseException] = []

    def work() -> None:
        try:
            worker_db = Database(db.url)
            reports.append(drain_translations(worker_db, translator(libre), s, clock=Clock()))
            worker_db.dispose()
        except BaseException as exc:  # surfaced below
            errors.append(exc)

    threads = [threading.Thread(target=work) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert not errors
    sent = [r.q for r in libre.behaviour.received]
    assert sorted(sent) == sorted(texts)  # each text exactly once
    with db.session() as session:
        assert store.translation_backlog(session)["done"] == 96
    assert sum(r.translated for r in reports) == len(texts)


def test_an_edited_post_starts_afresh(db: Database, libre: FakeLibreTranslate) -> None:
    clock, s = Clock(), settings(backoff="1h")
    libre.behaviour.max_chars = 10
    (post_id,) = ingest(db, {1: "война и мир, длинно"}, triage=s)
    drain(db, libre, clock, s)
    row = posts(db)[post_id]
    assert row.translation_attempts == 1 and row.translation_next_at is not None
    ingest(db, {1: "мир"}, triage=s)  # edited to something the server accepts
    row = posts(db)[post_id]
    assert (row.translation_attempts, row.translation_next_at, row.translation_error) == (
        0,
        None,
        None,
    )
    assert drain(db, libre, clock, s).translated == 1


def test_an_expired_lease_lets_another_worker_take_the_posts(db: Database) -> None:
    (post_id,) = ingest(db, {1: "привет"})
    lease = timedelta(minutes=5)
    with db.session() as session:
        assert len(store.claim_pending(session, "libre", now=T0, limit=5, lease=lease).posts) == 1
    later = T0 + lease + timedelta(seconds=1)
    with db.session() as session:
        claim = store.claim_pending(session, "libre", now=later, limit=5, lease=lease)
    assert [p.id for p in claim.posts] == [post_id]


def test_the_after_translation_hook_sees_the_posts_and_cannot_lose_them(
    db: Database, libre: FakeLibreTranslate
) -> None:
    a, b = ingest(db, {1: "привет", 2: "мир"})
    seen: list[list[int]] = []

    def hook(session: Session, post_ids: list[int]) -> None:
        seen.append(post_ids)
        translated = session.get(Post, post_ids[0])
        assert translated is not None and translated.translation_status == "done"
        if post_ids == [b]:
            raise RuntimeError("matching failed")

    report = drain(db, libre, Clock(), settings(), on_translated=hook)
    assert report.translated == 2 and seen == [[a], [b]]
    assert posts(db)[b].translation == "EN:world"


def test_the_daemon_job(db: Database, libre: FakeLibreTranslate) -> None:
    from monitor.config.settings import Settings
    from monitor.translation.drain import make_translation_job

    ingest(db, {1: "привет"})
    off = make_translation_job(Settings(translation={"provider": "none"}), db)  # type: ignore[arg-type]
    assert off() is None
    job = make_translation_job(
        Settings(translation={"provider": "libre", "url": libre.url}),  # type: ignore[arg-type]
        db,
    )
    first = job()
    assert first is not None and first.translated == 1
    second = job()
    assert second is not None and second.processed == 0


def test_build_stages_registers_the_triage(db: Database) -> None:
    from monitor.config.settings import Settings
    from monitor.wiring import build_app

    pipeline = build_app(Settings(), db=db).pipeline
    assert "translation_triage" in [stage.name for stage in pipeline.stages]
    pipeline.ingest(ChannelInfo(5, "media"), [ChannelPost(5, 1, T0, text="")])
    with db.session() as session:
        assert store.translation_backlog(session)["skipped"] == 1


def test_a_post_longer_than_the_whole_budget_fails_instead_of_blocking(
    db: Database, libre: FakeLibreTranslate
) -> None:
    clock, s = Clock(), settings(daily_char_budget=15)
    huge, small = ingest(db, {1: "война " * 10, 2: "мир"})
    report = drain(db, libre, clock, s)
    assert report.failed == 1 and report.translated == 1
    row = posts(db)[huge]
    assert row.translation_status == "failed"
    assert "exceed translation.daily_char_budget" in (row.translation_error or "")
    assert posts(db)[small].translation_status == "done"


def test_the_api_key_never_reaches_stored_errors_or_logs(
    db: Database, libre: FakeLibreTranslate, caplog: pytest.LogCaptureFixture
) -> None:
    import logging

    key = "key-5e1d9a0b77c4"
    caplog.set_level(logging.DEBUG)
    clock, s = Clock(), settings(max_attempts=1)
    keyed = DeepTranslator("libre", url=libre.url, api_key=key, timeout=5)
    rejected, _ = ingest(db, {1: "война " * 10, 2: "мир"})
    libre.behaviour.max_chars = 20  # a per-post failure
    drain_translations(db, keyed, s, clock=clock)
    libre.behaviour.api_key = "the-right-one"  # now the key is refused: an outage
    ingest(db, {3: "привет"})
    report = drain_translations(db, keyed, s, clock=clock)
    assert report.stopped == "outage"
    with db.read_session() as session:
        state = session.get(TranslationProvider, "libre")
        assert state is not None and "refused the API key" in (state.last_error or "")
        errors = [state.last_error or ""] + [p.translation_error or "" for p in posts(db).values()]
    assert posts(db)[rejected].translation_status == "failed"
    assert all(key not in e for e in errors)
    assert key not in caplog.text and key not in (report.error or "")
