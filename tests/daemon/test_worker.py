"""The daemon end to end in one process: real scheduler, real database, scripted source."""

from __future__ import annotations

import asyncio
import logging
import threading
import time
from collections.abc import Callable, Sequence
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select, text
from sqlmodel import select as sqlmodel_select

from monitor.config.settings import Settings
from monitor.core.clock import utcnow
from monitor.core.errors import SessionError
from monitor.core.events import ChannelInfo, PostEvent
from monitor.daemon.contracts import JobSpec
from monitor.daemon.worker import Daemon
from monitor.sources import EventHandler
from monitor.wiring import build_app
from storage.database import Database
from storage.models import Post, TranslationCache, Worker
from tests.support.daemon_fakes import ScriptedSource, SimpleWatcher, fake_channel_id, in_future

CHANNELS = 3
TOTAL = 10


def make_settings(url: str, tmp: Path, **daemon: Any) -> Settings:
    return Settings(
        data_dir=tmp,
        database={"url": url},
        channels=[{"ref": f"fake{i}", "poll": "1s", "join": i == 0} for i in range(CHANNELS)],
        daemon={
            "worker_id": "test-worker",
            "heartbeat": "0.3s",
            "lease_period": "3s",
            "poll_jitter": 0,
            "recheck_interval": "1s",
            "recheck_window": 5,
            "http_port": 0,
            **daemon,
        },
    )


class RecordingSource(ScriptedSource):
    """Remembers how many catch-ups had finished when live listening began."""

    def __init__(self, watcher_box: list[SimpleWatcher], **kw: Any) -> None:
        super().__init__(**kw)
        self.watcher_box = watcher_box
        self.catch_ups_before_listen: list[int] | None = None

    async def listen(self, channels: Sequence[ChannelInfo], on_event: EventHandler) -> None:
        if self.catch_ups_before_listen is None:
            self.catch_ups_before_listen = list(self.watcher_box[0].catch_ups)
        await super().listen(channels, on_event)


def count_posts(db: Database) -> int:
    with db.session() as session:
        return int(session.execute(select(func.count()).select_from(Post)).scalar_one())


async def wait_for(check: Callable[[], bool], what: str, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}: {check.__doc__ or ''}")
        await asyncio.sleep(0.05)


def test_daemon_runs_every_part_and_stops_cleanly(
    db: Database, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="monitor.daemon")
    settings = make_settings(db.url, tmp_path)
    box: list[SimpleWatcher] = []
    source = RecordingSource(box, start=time.time() - 100, every=1, total=TOTAL)
    broken = fake_channel_id("fake2")
    ran: dict[str, list[str]] = {"sync": [], "async": []}

    def factory(*parts: Any) -> SimpleWatcher:
        watcher = SimpleWatcher(*parts)
        watcher.fail_polls = {broken}
        box.append(watcher)
        return watcher

    def drain_translations() -> None:  # a sync job: runs in a worker thread
        ran["sync"].append(threading.current_thread().name)

    async def dispatch_alerts() -> None:
        ran["async"].append(threading.current_thread().name)

    def flaky() -> None:
        raise ConnectionError("translator down")

    daemon = Daemon(
        settings,
        db,
        source=source,
        watcher_factory=factory,
        pipeline=build_app(settings, db=db).pipeline,
        jobs=[
            JobSpec("translation", drain_translations, timedelta(seconds=0.2)),
            JobSpec("alerts", dispatch_alerts, timedelta(seconds=0.2)),
            JobSpec("flaky", flaky, timedelta(seconds=0.2)),
        ],
    )
    live = fake_channel_id("fake0")
    scrapes: dict[str, httpx.Response] = {}

    async def scenario() -> None:
        task = asyncio.create_task(daemon.run())
        await wait_for(lambda: count_posts(db) == CHANNELS * TOTAL, "catch-up of all channels")
        watcher = box[0]
        await wait_for(lambda: source.listening != [], "live listening")
        await wait_for(lambda: broken in watcher.polls, "a poll of the broken channel")
        await wait_for(lambda: ran["sync"] and ran["async"], "extra jobs")
        await wait_for(lambda: daemon.runner.states["flaky"].failures > 0, "flaky job")
        # Live events reach the watcher for held channels only.
        new_post = source.post(live, 500)
        await source.live.put(PostEvent("new", live, 500, new_post))
        await source.live.put(PostEvent("new", 42, 1, source.post(42, 1)))
        await wait_for(lambda: count_posts(db) == CHANNELS * TOTAL + 1, "live post stored")
        await wait_for(lambda: daemon.last_beat_at is not None, "a heartbeat")
        await wait_for(
            lambda: any("(live)" in r.getMessage() for r in caplog.records), "a live summary"
        )
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{daemon.http_port}") as client:
            scrapes["healthz"] = await client.get("/healthz")
            scrapes["metrics"] = await client.get("/metrics")
        daemon.request_stop()
        await asyncio.wait_for(task, timeout=10)

    asyncio.run(scenario())
    watcher = box[0]
    assert sorted(set(watcher.catch_ups)) == sorted(fake_channel_id(f"fake{i}") for i in range(3))
    assert source.catch_ups_before_listen is not None
    assert len(set(source.catch_ups_before_listen)) == CHANNELS  # catch-up came first
    assert [e.channel_id for e in watcher.events] == [live]  # channel 42 is not ours
    summaries = [r.getMessage() for r in caplog.records if "(live)" in r.getMessage()]
    assert f"channel {live} (live): 1 new, 0 edited, 0 deleted since the last heartbeat" in (
        summaries
    )
    assert all(name != "MainThread" for name in ran["sync"])
    assert all(name == "MainThread" for name in ran["async"])
    # A broken channel and a broken job were counted, not fatal.
    assert daemon.runner.states["poll"].failures >= 1
    assert daemon.runner.states["flaky"].last_error == "ConnectionError: translator down"
    assert scrapes["healthz"].status_code == 200
    assert "ok: worker 'test-worker'" in scrapes["healthz"].text
    body = scrapes["metrics"].text
    assert f'tgmon_posts_ingested_total{{channel="{live}",kind="new"}}' in body
    assert 'tgmon_job_failures_total{job="flaky"}' in body
    assert "tgmon_channel_lag_seconds" in body and "tgmon_translation_backlog" in body
    with db.session() as session:
        worker = session.get(Worker, "test-worker")
        assert worker is not None and worker.stopped_at is not None
        assert worker.jobs["flaky"]["failures"] >= 1


def test_unreachable_database_is_retried_until_stopped(tmp_path: Path) -> None:
    url = "postgresql+psycopg://tgmon:secret@127.0.0.1:1/tgmon?connect_timeout=1"
    settings = make_settings(url, tmp_path, http_port=None)
    db = Database(url)
    daemon = Daemon(
        settings,
        db,
        source=ScriptedSource(start=0, every=0, total=1),
        watcher_factory=SimpleWatcher,
        pipeline=build_app(settings, db=db).pipeline,
    )

    async def scenario() -> None:
        task = asyncio.create_task(daemon.run())
        await wait_for(
            lambda: (
                "register" in daemon.runner.states
                and daemon.runner.states["register"].failures >= 2
            ),
            "two retries",
        )
        assert not task.done()  # still trying, not crashed
        daemon.request_stop()
        await asyncio.wait_for(task, timeout=10)

    asyncio.run(scenario())
    assert "OperationalError" in (daemon.runner.states["register"].last_error or "")
    db.dispose()


@pytest.mark.postgres
def test_postgres_connections_killed_mid_run_are_survived(db: Database, tmp_path: Path) -> None:
    if db.is_sqlite:
        pytest.skip("a PostgreSQL restart")
    settings = make_settings(db.url, tmp_path, http_port=None)
    # Posts keep appearing: one every 0.1 s per channel, from now on.
    source = ScriptedSource(start=time.time(), every=0.1, total=60)
    daemon = Daemon(
        settings,
        db,
        source=source,
        watcher_factory=SimpleWatcher,
        pipeline=build_app(settings, db=db).pipeline,
    )

    def kill_connections() -> None:
        admin = Database(db.url)
        with admin.engine.connect() as conn:
            conn.execute(
                text(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                    "WHERE datname = current_database() AND pid <> pg_backend_pid()"
                )
            )
            conn.commit()
        admin.dispose()

    async def scenario() -> None:
        task = asyncio.create_task(daemon.run())
        await wait_for(lambda: count_posts(db) >= CHANNELS * 5, "first posts")
        await asyncio.to_thread(kill_connections)
        await wait_for(lambda: count_posts(db) == CHANNELS * 60, "all posts after the restart")
        daemon.request_stop()
        await asyncio.wait_for(task, timeout=10)

    asyncio.run(scenario())
    assert count_posts(db) == CHANNELS * 60


@pytest.mark.postgres
def test_channels_of_a_cleanly_stopped_worker_are_taken_at_once(
    db: Database, tmp_path: Path
) -> None:
    if db.is_sqlite:
        pytest.skip("leases are PostgreSQL behaviour")
    from monitor.daemon.worker_record import WorkerRecord
    from storage.leases import lease_round
    from storage.posts import ensure_channel

    # Lease rounds every 100 s: only the hand-over notice can move the channels in this test.
    settings = make_settings(db.url, tmp_path, http_port=None, lease_period="300s")
    ids = [fake_channel_id(f"fake{i}") for i in range(CHANNELS)]
    with db.session() as session:
        for cid in ids:
            ensure_channel(session, ChannelInfo(cid, f"fake{cid}"))
    other = WorkerRecord(db, "other", settings.daemon, utcnow)
    other.register()
    with db.session() as session:  # the other worker holds every channel
        lease_round(session, "other", now=utcnow(), period=settings.daemon.lease_period)
    daemon = Daemon(
        settings,
        db,
        source=ScriptedSource(start=time.time() - 100, every=1, total=TOTAL),
        watcher_factory=SimpleWatcher,
        pipeline=build_app(settings, db=db).pipeline,
    )
    took: list[float] = []

    async def scenario() -> None:
        task = asyncio.create_task(daemon.run())
        await wait_for(lambda: daemon._ready, "the daemon's first lease round")
        states = daemon.runner.states
        listening = lambda: "handover" in states and states["handover"].runs > 0  # noqa: E731
        await wait_for(listening, "listening for hand-overs")
        assert daemon.held == {}  # nothing free: all leased to "other", which is alive
        stopped_at = time.monotonic()
        await asyncio.to_thread(other.record_exit, {})  # "other" stops cleanly
        await wait_for(lambda: sorted(daemon.held) == ids, "the hand-over", timeout=10)
        took.append(time.monotonic() - stopped_at)
        await wait_for(lambda: count_posts(db) == CHANNELS * TOTAL, "catch-up of the channels")
        daemon.request_stop()
        await asyncio.wait_for(task, timeout=10)

    asyncio.run(scenario())
    print(f"channels taken {took[0]:.2f}s after the other worker stopped")
    with db.session() as session:
        owners = session.execute(text("select distinct lease_owner from channel")).scalars()
        assert list(owners) == [None]  # and released again at this stop


class DisconnectingSource(ScriptedSource):
    """Live updates that drop once (as Telegram does), then work."""

    def __init__(self, **kw: Any) -> None:
        super().__init__(**kw)
        self.attempts = 0

    async def listen(self, channels: Sequence[ChannelInfo], on_event: EventHandler) -> None:
        self.attempts += 1
        if self.attempts == 1:
            raise ConnectionError("Telegram closed the connection")
        await super().listen(channels, on_event)


def test_disconnects_flood_waits_and_retention(
    db: Database, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    settings = make_settings(db.url, tmp_path, http_port=None, translation_cache_max_age="30d")
    with db.session() as session:
        for key, age in (("old", 90), ("recent", 1)):
            session.add(
                TranslationCache(
                    key=key,
                    provider="google",
                    source_lang="ru",
                    target_lang="en",
                    translation="x",
                    created_at=utcnow() - timedelta(days=age),
                )
            )
    source = DisconnectingSource(start=time.time() - 100, every=1, total=3)
    box: list[SimpleWatcher] = []
    flooded = fake_channel_id("fake1")

    def factory(*parts: Any) -> SimpleWatcher:
        watcher = SimpleWatcher(*parts)
        watcher.flood_until[flooded] = in_future(3600)
        box.append(watcher)
        return watcher

    daemon = Daemon(
        settings,
        db,
        source=source,
        watcher_factory=factory,
        pipeline=build_app(settings, db=db).pipeline,
    )

    async def scenario() -> None:
        task = asyncio.create_task(daemon.run())
        await wait_for(lambda: source.attempts >= 2, "a second live connection")
        others = {fake_channel_id("fake0"), fake_channel_id("fake2")}
        await wait_for(lambda: others <= set(box[0].polls), "polls of the other channels")
        daemon.request_stop()
        await asyncio.wait_for(task, timeout=10)

    asyncio.run(scenario())
    assert flooded not in box[0].polls  # waiting out its FloodWait
    assert flooded in box[0].catch_ups  # (catch-up is the watcher's own call to make)
    assert any("live updates failed (1 in a row)" in r.getMessage() for r in caplog.records)
    with db.session() as session:  # the retention job ran at start
        assert [c.key for c in session.exec(sqlmodel_select(TranslationCache))] == ["recent"]


def test_a_revoked_session_stops_the_daemon_with_one_line(db: Database, tmp_path: Path) -> None:
    settings = make_settings(db.url, tmp_path, http_port=None)

    class RevokedWatcher(SimpleWatcher):
        async def sync_channels(self) -> list[ChannelInfo]:
            raise SessionError("Telegram revoked the session (AuthKeyUnregistered): log in again")

    daemon = Daemon(
        settings,
        db,
        source=ScriptedSource(start=0, every=0, total=1),
        watcher_factory=RevokedWatcher,
        pipeline=build_app(settings, db=db).pipeline,
    )
    with pytest.raises(SessionError, match="log in again"):
        asyncio.run(asyncio.wait_for(daemon.run(), timeout=20))
    with db.session() as session:
        worker = session.get(Worker, "test-worker")
        assert worker is not None and worker.stopped_at is not None
