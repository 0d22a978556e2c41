"""A stage that fails never loses a post's alerts: the post is listed, retried, alerted once."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlmodel import func, select

from monitor.config.settings import Settings
from monitor.core.events import ChannelInfo, ChannelPost
from monitor.services.health import worker_health
from monitor.wiring import build_app
from storage.database import Database
from storage.models import Alert, Match, StageBacklog
from storage.stats import stages_missed

T0 = datetime(2026, 11, 20, tzinfo=UTC)
CHANNEL = ChannelInfo(1000000002, "sahel_watch", "Sahel Watch")
LIST = 'name = "wagner"\nseverity = "critical"\n[[rules]]\nall = ["Вагнер", "Мали"]\n'


class SteppingClock:
    def __init__(self) -> None:
        self.now = T0

    def __call__(self) -> datetime:
        return self.now


def count(db: Database, model: Any) -> int:
    with db.read_session() as s:
        return int(s.execute(select(func.count()).select_from(model)).scalar_one())


def test_matching_fails_for_a_batch_then_recovers_and_alerts_once(
    db: Database, tmp_path: Path
) -> None:
    (tmp_path / "lists").mkdir()
    (tmp_path / "lists" / "wagner.toml").write_text(LIST, encoding="utf-8")
    settings = Settings(
        data_dir=tmp_path, database={"url": db.url}, watchlists={"paths": [tmp_path / "lists"]}
    )
    app = build_app(settings, db=db)
    real = app.registry.matcher
    calls = {"n": 0}

    def flaky_matcher() -> Any:
        calls["n"] += 1
        if calls["n"] == 1:
            raise RuntimeError("dictionary file vanished")
        return real()

    app.registry.matcher = flaky_matcher  # type: ignore[method-assign]
    clock = SteppingClock()
    app.pipeline.clock = clock
    posts = [
        ChannelPost(CHANNEL.channel_id, 1, T0, text="Колонна вагнеровцев вошла в Мали"),
        ChannelPost(CHANNEL.channel_id, 2, T0, text="Бойцы «Вагнера» покидают север Мали"),
    ]

    report = app.pipeline.ingest(CHANNEL, posts)
    assert report.new == 2 and report.stage_failures == {"match": 1}
    assert count(db, Alert) == 0 and count(db, StageBacklog) == 2  # stored, listed, no alert
    with db.read_session() as s:
        assert stages_missed(s) == {"match": 2}  # what `tgmon stats` and /metrics show

    assert app.pipeline.retry_stages().stage_failures == {}  # not due yet: nothing runs
    assert count(db, StageBacklog) == 2
    clock.now = T0 + timedelta(minutes=2)
    again = app.pipeline.retry_stages()
    assert again.stage_failures == {}
    assert count(db, StageBacklog) == 0 and count(db, Match) == 2
    assert count(db, Alert) == 2

    clock.now = T0 + timedelta(hours=2)
    app.pipeline.retry_stages()
    app.pipeline.ingest(CHANNEL, posts)  # the same posts again: unchanged
    assert count(db, Alert) == 2  # each alert raised exactly once


def test_posts_that_never_pass_a_stage_fail_health(db: Database, tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path, database={"url": db.url})
    app = build_app(settings, db=db)

    def broken() -> Any:
        raise RuntimeError("matcher broken for good")

    app.registry.matcher = broken  # type: ignore[method-assign]
    clock = SteppingClock()
    app.pipeline.clock = clock
    app.pipeline.ingest(CHANNEL, [ChannelPost(CHANNEL.channel_id, 1, T0, text="Вагнер в Мали")])
    for hour in range(1, 12):
        clock.now = T0 + timedelta(hours=hour * 2)
        app.pipeline.retry_stages()
    from storage.workers import record_beat, register_worker

    with db.session() as session:
        register_worker(
            session,
            "w1",
            host="h",
            pid=1,
            now=datetime.now(UTC),
            heartbeat_s=30,
            stale_after=timedelta(seconds=90),
        )
        record_beat(session, "w1", datetime.now(UTC), {})
    verdict = worker_health(settings, "w1")
    assert not verdict.ok
    assert "1 post(s) never passed stage match (retries used up): RuntimeError: matcher" in (
        verdict.reason
    )
