"""ChannelWatcher driving a web preview channel and an account channel through one SourceRouter.

The web channel is served by a real HTTP server on 127.0.0.1 in the preview's markup; the
account channel by the Telethon double. SQLite and PostgreSQL.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlmodel import select

from monitor.config.settings import Settings
from monitor.core.events import ChannelInfo
from monitor.daemon.watcher import ChannelWatcher
from monitor.pipeline.ingest import Pipeline
from monitor.sources.router import SourceRouter
from monitor.sources.telegram.source import TelegramSource
from monitor.sources.web.client import PreviewClient
from monitor.sources.web.source import WebSource
from storage.database import Database
from storage.models import Channel, ChannelAccess, Post, PostVersion
from tests.support.clock import no_sleep
from tests.support.telegram_double import FakeTelegramClient
from tests.support.web_preview import FakePreview

GREY, ALPHA = 1289637461, 101


@pytest.fixture
def preview() -> Iterator[FakePreview]:
    server = FakePreview().start()
    yield server
    server.stop()


def world(db: Database, tmp_path: Path, preview: FakePreview) -> tuple[Any, Settings]:
    client = FakeTelegramClient()
    client.add_channel(ALPHA, "alpha", "Alpha")
    settings = Settings(
        data_dir=tmp_path,
        channels=[
            {"ref": "@alpha", "backfill": 5},
            {"ref": "greyzone", "source": "web", "backfill": 30},
        ],
        sources={"web": {"base_url": preview.url, "jitter": 0, "deleted_after_looks": 2}},
    )
    return client, settings


def run_with(db: Database, settings: Settings, client: Any, body: Any, budget: Any = None) -> Any:
    async def main() -> Any:
        web = WebSource(PreviewClient(settings.sources.web), deleted_after_looks=2)
        router = SourceRouter(
            {"web": web, "telegram": TelegramSource(client, sleep=no_sleep)},
            ref_kinds={c.ref: c.source or "telegram" for c in settings.channels},
        )
        watcher = ChannelWatcher(
            router, Pipeline(db), db, settings, jitter=lambda: 0.5, budget=budget
        )
        try:
            return await body(watcher)
        finally:
            await web.client.aclose()

    return asyncio.run(main())


def posts(db: Database, channel_id: int) -> dict[int, Post]:
    with db.session() as s:
        rows = s.exec(select(Post).where(Post.channel_id == channel_id)).all()
        return {p.message_id: p for p in rows}


def test_web_and_account_channels_side_by_side(
    db: Database, tmp_path: Path, preview: FakePreview
) -> None:
    grey = preview.add("GreyZone", GREY, "Серая Зона")
    for i in range(45):
        grey.post(f"сводка номер {i + 1}", views=10 + i)
    client, settings = world(db, tmp_path, preview)
    for i in range(3):
        client.post(ALPHA, f"alpha {i}")

    async def first(watcher: ChannelWatcher) -> Any:
        infos = await watcher.sync_channels()
        for info in infos:
            await watcher.catch_up(info.channel_id)
        return infos

    infos = run_with(db, settings, client, first)
    assert {(i.channel_id, i.source) for i in infos} == {(ALPHA, "telegram"), (GREY, "web")}
    assert sorted(posts(db, GREY)) == list(range(16, 46))  # backfill 30, oldest first
    assert len(posts(db, ALPHA)) == 3
    with db.session() as s:
        row = s.get(Channel, GREY)
        assert row is not None
        assert (row.source, row.username) == ("web", "GreyZone")
        assert s.get(ChannelAccess, (GREY, client.account_id)) is None  # no account, no hash
        assert row.last_message_id == 45

    # downtime: 25 new posts (more than a page), an edit, a deletion, views grow
    for i in range(25):
        grey.post(f"новое {i}")
    grey.edit(44, "сводка номер 44 (исправлено)")
    grey.delete(40)
    grey.posts[45].views = 999
    client.post(ALPHA, "alpha new")
    requests_before = len(preview.requests)

    async def later(watcher: ChannelWatcher) -> Any:
        await watcher.sync_channels()  # a known web channel is not looked up again
        lookups = len(preview.requests) - requests_before
        reports = [await watcher.poll(GREY), await watcher.poll(ALPHA)]
        rechecks = [await watcher.recheck(GREY, 40) for _ in range(2)]
        return lookups, reports, rechecks

    lookups, reports, rechecks = run_with(db, settings, client, later)
    assert lookups == 0
    stored = posts(db, GREY)
    assert sorted(m for m in stored if m > 45) == list(range(46, 71))  # caught up across pages
    assert stored[44].text == "сводка номер 44 (исправлено)"
    assert stored[44].version_count == 2
    assert stored[45].views == 999
    assert stored[40].deleted_at is not None  # missing from two complete looks
    assert stored[39].deleted_at is None
    assert len(posts(db, ALPHA)) == 4
    with db.session() as s:
        versions = s.exec(select(PostVersion).where(PostVersion.post_id == stored[44].id)).all()
        assert [v.text for v in sorted(versions, key=lambda v: v.version)] == [
            "сводка номер 44",
            "сводка номер 44 (исправлено)",
        ]


def test_a_web_channel_that_loses_its_preview_gets_a_clear_state(
    db: Database, tmp_path: Path, preview: FakePreview
) -> None:
    grey = preview.add("GreyZone", GREY, "Серая Зона")
    grey.post("один")
    client, settings = world(db, tmp_path, preview)

    async def body(watcher: ChannelWatcher) -> None:
        await watcher.sync_channels()
        await watcher.catch_up(GREY)
        grey.preview = False
        await watcher.poll(GREY)
        await watcher.poll(ALPHA)  # the other channel goes on

    run_with(db, settings, client, body)
    with db.session() as s:
        row = s.get(Channel, GREY)
        assert row is not None
        assert row.error == "poll failed: @GreyZone: no web preview: the channel restricts it"
        alpha = s.get(Channel, ALPHA)
        assert alpha is not None and alpha.error is None


def test_a_channel_moved_from_account_to_web_keeps_its_row(
    db: Database, tmp_path: Path, preview: FakePreview
) -> None:
    grey = preview.add("GreyZone", GREY, "Серая Зона")
    grey.post("один")
    client = FakeTelegramClient()
    client.add_channel(GREY, "GreyZone", "Серая Зона")
    client.post(GREY, "один")
    account = Settings(data_dir=tmp_path, channels=[{"ref": "@GreyZone"}])
    run_with(db, account, client, lambda w: w.sync_channels())
    web = Settings(
        data_dir=tmp_path,
        channels=[{"ref": "@GreyZone", "source": "web"}],
        sources={"web": {"base_url": preview.url, "jitter": 0}},
    )
    infos = run_with(db, web, client, lambda w: w.sync_channels())
    assert [(i.channel_id, i.source) for i in infos] == [(GREY, "web")]
    with db.session() as s:
        assert len(s.exec(select(Channel)).all()) == 1


def test_a_configured_web_channel_that_cannot_be_read_shows_until_it_can(
    db: Database, tmp_path: Path, preview: FakePreview
) -> None:
    from storage import channels as store

    grey = preview.add("GreyZone", GREY, "Серая Зона", preview=False)
    grey.post("один")
    client, settings = world(db, tmp_path, preview)
    infos = run_with(db, settings, client, lambda w: w.sync_channels())
    assert [i.channel_id for i in infos] == [ALPHA]  # not watched: nothing to poll
    with db.read_session() as s:
        rows = {r.username: r for r in store.channel_overview(s)}
        problems = [(c.username, e) for c, e in store.channel_problems(s)]
    assert rows["greyzone"].mode == "unresolved" and rows["greyzone"].source == "web"
    assert rows["greyzone"].error == "@greyzone: no web preview: the channel restricts it"
    assert problems == [("greyzone", "@greyzone: no web preview: the channel restricts it")]

    grey.preview = True  # the owner turned the preview back on: the next start reads it
    infos = run_with(db, settings, client, lambda w: w.sync_channels())
    assert sorted(i.channel_id for i in infos) == [ALPHA, GREY]
    with db.read_session() as s:
        assert [(r.channel_id, r.mode) for r in store.channel_overview(s)] == [
            (ALPHA, "poll"),
            (GREY, "poll"),
        ]


def test_web_reads_leave_the_account_budget_and_lookup_pauses_alone(
    db: Database, tmp_path: Path, preview: FakePreview
) -> None:
    from monitor.sources.request_budget import RequestBudget

    grey = preview.add("GreyZone", GREY, "Серая Зона")
    for i in range(30):
        grey.post(f"пост {i}")
    client, settings = world(db, tmp_path, preview)
    client.post(ALPHA, "alpha")
    budget = RequestBudget(6000, 100, sleep=no_sleep)
    preview.throttle, preview.retry_after = 1, "86400"  # the web host asks for a day's pause

    async def body(watcher: ChannelWatcher) -> list[ChannelInfo]:
        infos: list[ChannelInfo] = await watcher.sync_channels()
        for info in infos:
            await watcher.catch_up(info.channel_id)
            await watcher.recheck(info.channel_id, 50)
        return infos

    infos = run_with(db, settings, client, body, budget=budget)
    assert [i.channel_id for i in infos] == [ALPHA]  # the account lookup was not paused
    # getMe (once per start); alpha: lookup, history, refresh, re-read; the web host none
    assert budget.spent == 5
    infos = run_with(db, settings, client, body, budget=budget)  # the next start reads the web
    assert sorted(i.channel_id for i in infos) == [ALPHA, GREY]
    assert budget.spent == 5 + 4  # getMe, alpha again (known: no lookup); nothing for the web


def test_download_media_leaves_web_channels_alone(
    db: Database, tmp_path: Path, preview: FakePreview, caplog: pytest.LogCaptureFixture
) -> None:
    grey = preview.add("GreyZone", GREY, "Серая Зона")
    grey.post("фото", photo=True)
    settings = Settings(
        data_dir=tmp_path,
        channels=[{"ref": "greyzone", "source": "web", "backfill": 5}],
        telegram={"download_media": True},
        sources={"web": {"base_url": preview.url, "jitter": 0}},
    )

    async def body(watcher: ChannelWatcher) -> None:
        await watcher.sync_channels()
        await watcher.catch_up(GREY)

    run_with(db, settings, FakeTelegramClient(), body)
    stored = posts(db, GREY)
    assert stored[1].media_kind == "photo" and stored[1].media_path is None
    assert "media not saved" not in caplog.text
