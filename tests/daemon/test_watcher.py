"""ChannelWatcher + TelegramSource against the Telethon double, on SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
import logging
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlmodel import select
from telethon import errors
from telethon.tl import types

from monitor.config.settings import Settings
from monitor.core.errors import SessionError
from monitor.daemon.watcher import ChannelWatcher
from monitor.pipeline.ingest import Pipeline
from monitor.sources.request_budget import RequestBudget
from monitor.sources.telegram.source import TelegramSource
from storage.database import Database
from storage.models import Channel, ChannelAccess, ChannelName, Post, PostVersion
from tests.support.clock import ManualClock as Clock
from tests.support.clock import no_sleep
from tests.support.telegram_double import FakeTelegramClient

ALPHA, BETA = 101, 202


def make_world(
    db: Database, tmp_path: Path, channels: list[dict[str, Any]] | None = None, **telegram: Any
) -> tuple[FakeTelegramClient, ChannelWatcher, Clock]:
    client = FakeTelegramClient()
    client.add_channel(ALPHA, "alpha", "Alpha")
    client.add_channel(BETA, "beta", "Beta")
    settings = Settings(
        data_dir=tmp_path,
        channels=channels if channels is not None else [{"ref": "@alpha"}, {"ref": "@beta"}],
        telegram=telegram,
    )
    clock = Clock()
    source = TelegramSource(client, sleep=no_sleep)
    watcher = ChannelWatcher(source, Pipeline(db), db, settings, clock=clock, jitter=lambda: 0.5)
    return client, watcher, clock


def stored(db: Database, channel_id: int) -> list[Post]:
    with db.session() as s:
        query = select(Post).where(Post.channel_id == channel_id).order_by(Post.message_id)
        return list(s.exec(query))


def channel_row(db: Database, channel_id: int) -> Channel:
    with db.session() as s:
        row = s.get(Channel, channel_id)
        assert row is not None
        return row


def run(coro: Any) -> Any:
    return asyncio.run(coro)


def test_usernames_resolved_once_then_stored_peer_used(db: Database, tmp_path: Path) -> None:
    client, watcher, _ = make_world(db, tmp_path)
    for n in range(3):
        client.post(ALPHA, f"post {n}")

    async def scenario() -> None:
        await watcher.sync_channels()
        await watcher.sync_channels()  # a restart: the rows exist, nothing re-resolved
        for _ in range(3):
            await watcher.poll(ALPHA)

    run(scenario())
    resolves = [c for c in client.calls if c.startswith("resolve:")]
    assert resolves == ["resolve:alpha", "resolve:beta"]
    with db.session() as s:
        kept = s.get(ChannelAccess, (ALPHA, client.account_id))
        assert kept is not None and kept.access_hash == client.entities[ALPHA].access_hash


def test_backfill_then_polls_lose_nothing(db: Database, tmp_path: Path) -> None:
    client, watcher, _ = make_world(db, tmp_path, [{"ref": "@alpha", "backfill": 3}])
    for n in range(10):
        client.post(ALPHA, f"old {n}")

    async def scenario() -> None:
        await watcher.sync_channels()
        await watcher.poll(ALPHA)
        client.post(ALPHA, "new 1")
        client.post(ALPHA, "new 2")
        await watcher.poll(ALPHA)

    run(scenario())
    assert [p.message_id for p in stored(db, ALPHA)] == [8, 9, 10, 11, 12]
    assert channel_row(db, ALPHA).last_message_id == 12


def test_posts_arriving_during_a_poll_are_not_lost(db: Database, tmp_path: Path) -> None:
    client, watcher, _ = make_world(db, tmp_path, [{"ref": "@alpha"}])
    client.post(ALPHA, "first")

    def publish_between_pages(channel_id: int, page: int) -> None:
        if channel_id == ALPHA and page == 1:
            client.post(ALPHA, "arrived mid-poll")

    async def scenario() -> None:
        await watcher.sync_channels()
        await watcher.poll(ALPHA)  # cursor at 1
        for n in range(250):
            client.post(ALPHA, f"burst {n}")
        client.on_page = publish_between_pages
        await watcher.poll(ALPHA)
        client.on_page = None
        client.post(ALPHA, "after")
        await watcher.poll(ALPHA)

    run(scenario())
    ids = [p.message_id for p in stored(db, ALPHA)]
    assert ids == list(range(1, 254))


def test_catch_up_after_downtime(db: Database, tmp_path: Path) -> None:
    client, watcher, _ = make_world(db, tmp_path)
    client.post(ALPHA, "before")
    run(watcher.sync_channels())
    run(watcher.poll(ALPHA))
    for n in range(150):
        client.post(ALPHA, f"while down {n}")
    # A new process: fresh source and watcher, only the database remembers.
    settings = watcher.settings
    restarted = ChannelWatcher(TelegramSource(client, sleep=no_sleep), Pipeline(db), db, settings)
    report = run(restarted.catch_up(ALPHA))
    assert report.new == 150
    assert len(stored(db, ALPHA)) == 151


def test_flood_wait_pauses_one_channel_only(
    db: Database, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    client, watcher, clock = make_world(db, tmp_path)
    client.post(ALPHA, "a")
    client.post(BETA, "b")
    run(watcher.sync_channels())
    client.fail("iter_messages", errors.FloodWaitError(request=None, capture=300), channel_id=ALPHA)
    with caplog.at_level(logging.WARNING):
        alpha = run(watcher.poll(ALPHA))
        beta = run(watcher.poll(BETA))
    assert alpha.new == 0 and beta.new == 1
    due = watcher.due_after_flood(ALPHA)
    assert due == clock.now + timedelta(seconds=302.5)  # 300 s + half of the 5 s jitter
    assert watcher.due_after_flood(BETA) is None
    assert watcher.floods.count == 1
    assert sum("FloodWait 300s" in r.getMessage() for r in caplog.records) == 1
    row = channel_row(db, ALPHA)
    assert (
        row.flood_wait_until == due and row.flood_waits == 1 and "flood wait" in (row.error or "")
    )

    requests_before = len(client.calls)
    run(watcher.poll(ALPHA))  # still waiting: no request at all
    assert client.calls[requests_before:] == []

    clock.now += timedelta(seconds=303)
    assert run(watcher.poll(ALPHA)).new == 1
    row = channel_row(db, ALPHA)
    assert row.error is None and row.flood_wait_until is None


def test_edit_becomes_a_new_version_and_deletion_is_marked(db: Database, tmp_path: Path) -> None:
    client, watcher, _ = make_world(db, tmp_path, [{"ref": "@alpha", "backfill": 10}])
    for n in range(5):
        client.post(ALPHA, f"text {n}", views=10)
    run(watcher.sync_channels())
    run(watcher.poll(ALPHA))
    client.edit(ALPHA, 2, "text 1 (corrected)")
    client.messages[ALPHA][3].views = 99
    client.delete(ALPHA, [4])
    report = run(watcher.recheck(ALPHA, window=10))
    assert (report.edited, report.deleted) == (1, 1)
    posts = {p.message_id: p for p in stored(db, ALPHA)}
    assert posts[2].text == "text 1 (corrected)" and posts[2].version_count == 2
    assert posts[3].views == 99
    assert posts[4].deleted_at is not None and posts[4].text == "text 3"  # kept, only marked
    with db.session() as s:
        versions = s.exec(select(PostVersion).where(PostVersion.post_id == posts[2].id)).all()
    assert [v.text for v in sorted(versions, key=lambda v: v.version)] == [
        "text 1",
        "text 1 (corrected)",
    ]


def test_username_change_is_recorded_not_duplicated(db: Database, tmp_path: Path) -> None:
    client, watcher, _ = make_world(db, tmp_path, [{"ref": "@alpha"}])
    client.post(ALPHA, "hello")
    run(watcher.sync_channels())
    run(watcher.poll(ALPHA))
    client.rename(ALPHA, "alpha_renamed")
    run(watcher.recheck(ALPHA, window=5))
    run(watcher.sync_channels())  # the config still says @alpha: same row, no lookup
    with db.session() as s:
        channels = s.exec(select(Channel)).all()
        names = s.exec(select(ChannelName).order_by(ChannelName.id)).all()
    assert [c.username for c in channels] == ["alpha_renamed"]
    assert [n.username for n in names] == ["alpha", "alpha_renamed"]
    assert [c for c in client.calls if c.startswith("resolve:")] == ["resolve:alpha"]


def test_private_channel_and_user_do_not_stop_the_others(db: Database, tmp_path: Path) -> None:
    config = [{"ref": "@gamma"}, {"ref": "@ann_user"}, {"ref": "@alpha"}, {"ref": "@nobody_here"}]
    client, watcher, _ = make_world(db, tmp_path, config)
    client.add_channel(303, "gamma", "Gamma", private=True)
    client.add_user(7, "ann_user")
    client.post(ALPHA, "still read")
    watched = run(watcher.sync_channels())
    assert [c.channel_id for c in watched] == [ALPHA]
    assert "ChannelPrivate" in watcher.unresolved["@gamma"]
    assert watcher.unresolved["@ann_user"] == "@ann_user: is a user, not a channel"
    assert "UsernameNotOccupied" in watcher.unresolved["@nobody_here"]
    assert run(watcher.poll(ALPHA)).new == 1

    client.private.add(ALPHA)  # a watched channel goes private later
    client.post(ALPHA, "unreadable")
    run(watcher.poll(ALPHA))
    row = channel_row(db, ALPHA)
    assert row.error == "poll failed: @alpha: ChannelPrivate" and row.error_at is not None


def test_live_events_share_the_pipeline_and_gaps_are_read(db: Database, tmp_path: Path) -> None:
    client, watcher, _ = make_world(db, tmp_path, [{"ref": "@alpha"}])
    client.post(ALPHA, "start")

    async def scenario() -> None:
        channels = await watcher.sync_channels()
        await watcher.poll(ALPHA)
        listener = asyncio.create_task(watcher.source.listen(channels, watcher.on_event))
        await asyncio.sleep(0)
        await client.emit_new(client.post(ALPHA, "live 2"))
        client.post(ALPHA, "missed by live updates 3")
        await client.emit_new(client.post(ALPHA, "live 4"))  # 3 never arrived live
        await client.emit_edit(client.edit(ALPHA, 2, "live 2, edited"))
        client.delete(ALPHA, [1])
        await client.emit_deleted(ALPHA, [1])
        await client.emit_new(client.post(BETA, "not watched"))
        listener.cancel()
        with pytest.raises(asyncio.CancelledError):
            await listener
        assert client.handlers == []

    run(scenario())
    posts = {p.message_id: p for p in stored(db, ALPHA)}
    assert sorted(posts) == [1, 2, 3, 4]
    assert posts[2].text == "live 2, edited" and posts[2].version_count == 2
    assert posts[1].deleted_at is not None
    assert stored(db, BETA) == []


def test_disconnect_mid_read_resumes_without_duplicates(db: Database, tmp_path: Path) -> None:
    client, watcher, _ = make_world(db, tmp_path, [{"ref": "@alpha", "backfill": 1}])
    client.post(ALPHA, "first")
    run(watcher.sync_channels())
    run(watcher.poll(ALPHA))
    for n in range(30):
        client.post(ALPHA, f"more {n}")
    client.fail("iter_messages_item", ConnectionError("reset"), channel_id=ALPHA)
    report = run(watcher.poll(ALPHA))
    assert report.new == 30
    assert watcher.source.reconnects == 1  # type: ignore[attr-defined]
    assert [p.message_id for p in stored(db, ALPHA)] == list(range(1, 32))


def test_revoked_session_propagates(db: Database, tmp_path: Path) -> None:
    client, watcher, _ = make_world(db, tmp_path)
    run(watcher.sync_channels())
    client.revoke(errors.AuthKeyUnregisteredError(request=None))
    with pytest.raises(SessionError, match="session revoked: run `tgmon login` again"):
        run(watcher.poll(ALPHA))


def test_media_download_refreshes_an_expired_reference(db: Database, tmp_path: Path) -> None:
    client, watcher, _ = make_world(
        db, tmp_path, [{"ref": "@alpha"}], download_media=True, media_max_bytes=1000
    )
    photo = types.Photo(
        id=5,
        access_hash=1,
        file_reference=b"x",
        date=None,
        dc_id=2,
        sizes=[types.PhotoSize(type="m", w=320, h=200, size=900)],
    )
    big = types.Document(
        id=6,
        access_hash=1,
        file_reference=b"y",
        date=None,
        mime_type="video/mp4",
        size=5_000_000,
        dc_id=2,
        attributes=[],
    )
    client.post(ALPHA, "first")
    run(watcher.sync_channels())
    run(watcher.poll(ALPHA))
    client.post(ALPHA, "photo", media=types.MessageMediaPhoto(photo=photo))
    client.post(ALPHA, "too big", media=types.MessageMediaDocument(document=big))
    client.expired_references.add((ALPHA, 2))
    run(watcher.poll(ALPHA))
    posts = {p.message_id: p for p in stored(db, ALPHA)}
    assert posts[2].media_sha256 is not None and Path(posts[2].media_path or "").is_file()
    assert posts[3].media_sha256 is None  # over the size cap
    assert f"get_messages:{ALPHA}" in client.calls  # the re-fetch after the expired reference


def test_request_budget_paces_requests() -> None:
    now = [0.0]
    slept: list[float] = []

    async def fake_sleep(seconds: float) -> None:
        slept.append(seconds)
        now[0] += seconds

    budget = RequestBudget(60, burst=2, monotonic=lambda: now[0], sleep=fake_sleep)

    async def spend() -> None:
        for _ in range(4):
            await budget.acquire()

    run(spend())
    assert budget.spent == 4
    assert slept == [1.0, 1.0]  # two at once, then one per second


def test_join_for_live_mode_and_a_failed_join_falls_back_to_polling(
    db: Database, tmp_path: Path
) -> None:
    client, watcher, _ = make_world(
        db, tmp_path, [{"ref": "@alpha", "join": True}, {"ref": "@beta", "join": True}]
    )
    client.fail("join", errors.ChannelsTooMuchError(request=None), channel_id=BETA)
    run(watcher.sync_channels())
    alpha, beta = channel_row(db, ALPHA), channel_row(db, BETA)
    assert client.joined == {ALPHA}
    assert (alpha.mode, alpha.joined_at is not None, alpha.error) == ("live", True, None)
    assert beta.mode == "poll" and beta.joined_at is None
    assert "join failed" in (beta.error or "") and "ChannelsTooMuch" in (beta.error or "")
    run(watcher.sync_channels())
    assert client.calls.count(f"join:{ALPHA}") == 1  # joined once, not at every start


def test_a_restart_honours_a_recorded_flood_wait(db: Database, tmp_path: Path) -> None:
    client, watcher, clock = make_world(db, tmp_path)
    client.post(ALPHA, "a")
    run(watcher.sync_channels())
    client.fail(
        "iter_messages", errors.FloodWaitError(request=None, capture=3600), channel_id=ALPHA
    )
    run(watcher.poll(ALPHA))
    restarted = ChannelWatcher(
        TelegramSource(client, sleep=no_sleep), Pipeline(db), db, watcher.settings, clock=clock
    )
    before = len(client.calls)
    assert run(restarted.poll(ALPHA)).new == 0
    assert client.calls[before:] == []
    assert restarted.due_after_flood(ALPHA) is not None


def test_backfill_since_a_date(db: Database, tmp_path: Path) -> None:
    since = "2026-11-20T12:05:00+00:00"  # the double dates message n at T0 + n minutes
    client, watcher, _ = make_world(db, tmp_path, [{"ref": "@alpha", "since": since}])
    for n in range(10):
        client.post(ALPHA, f"p{n}")
    run(watcher.sync_channels())
    seen: list[tuple[int, int | None]] = []
    run(watcher.catch_up(ALPHA, progress=lambda done, total: seen.append((done, total))))
    assert [p.message_id for p in stored(db, ALPHA)] == [5, 6, 7, 8, 9, 10]
    assert seen[-1] == (6, 6)


def test_the_composition_root_opens_telegram_and_watches(db: Database, tmp_path: Path) -> None:
    from monitor.wiring import build_app

    client = FakeTelegramClient()
    client.add_channel(ALPHA, "alpha", "Alpha")
    client.post(ALPHA, "hi")
    settings = Settings(
        data_dir=tmp_path,
        channels=[{"ref": "@alpha"}],
        telegram={"api_id": 1, "api_hash": "h" * 32},
    )
    (tmp_path / f"{settings.telegram.session_name}.session").touch()  # logged in before
    app = build_app(settings, db=db)

    def factory(_settings: Any, *, lock: Any = None) -> FakeTelegramClient:
        if lock is not None:
            lock.acquire()
        return client

    async def scenario() -> int:
        async with app.open_telegram(factory) as source:
            w = app.watcher(source)
            await w.sync_channels()
            return (await w.poll(ALPHA)).new

    assert run(scenario()) == 1
    assert client.connected is False  # disconnected on exit
    client.revoke(errors.SessionRevokedError(request=None))
    with pytest.raises(SessionError, match="run `tgmon login` again"):
        run(scenario())


def test_config_sync_keeps_a_cli_removal(db: Database, tmp_path: Path) -> None:
    from storage.channels import find_channel, set_watching

    client, watcher, _ = make_world(db, tmp_path)
    run(watcher.sync_channels())
    with db.session() as s:
        row = find_channel(s, "@alpha")
        assert row is not None
        set_watching(s, row, removed=True)
    watched = run(watcher.sync_channels())
    assert [c.channel_id for c in watched] == [BETA]


def test_polls_rechecks_and_live_events_run_side_by_side(db: Database, tmp_path: Path) -> None:
    config = [{"ref": "@alpha", "backfill": 100}, {"ref": "@beta", "backfill": 100}]
    client, watcher, _ = make_world(db, tmp_path, config)
    for n in range(5):
        client.post(ALPHA, f"a{n}")
        client.post(BETA, f"b{n}")

    async def scenario() -> None:
        channels = await watcher.sync_channels()
        await asyncio.gather(*(watcher.catch_up(c.channel_id) for c in channels))
        listener = asyncio.create_task(watcher.source.listen(channels, watcher.on_event))
        await asyncio.sleep(0)

        async def publish() -> None:
            for n in range(40):
                await client.emit_new(client.post(ALPHA if n % 2 else BETA, f"live {n}"))
                await asyncio.sleep(0)

        await asyncio.gather(
            publish(),
            *(watcher.poll(c.channel_id) for c in channels for _ in range(3)),
            *(watcher.recheck(c.channel_id, 10) for c in channels),
        )
        await asyncio.gather(*(watcher.poll(c.channel_id) for c in channels))
        listener.cancel()
        with pytest.raises(asyncio.CancelledError):
            await listener

    run(scenario())
    for channel_id in (ALPHA, BETA):
        ids = [p.message_id for p in stored(db, channel_id)]
        assert ids == sorted(client.messages[channel_id])  # everything, once


def test_a_flood_wait_on_username_lookup_pauses_all_lookups(db: Database, tmp_path: Path) -> None:
    config = [{"ref": "@alpha"}, {"ref": "@beta"}]
    client, watcher, clock = make_world(db, tmp_path, config)
    client.fail("resolve", errors.FloodWaitError(request=None, capture=74_000))
    assert run(watcher.sync_channels()) == []
    assert "74000" in watcher.unresolved["@alpha"]
    assert "paused" in watcher.unresolved["@beta"]
    assert [c for c in client.calls if c.startswith("resolve:")] == ["resolve:alpha"]
    run(watcher.sync_channels())  # still inside the wait: no lookup at all
    assert [c for c in client.calls if c.startswith("resolve:")] == ["resolve:alpha"]
    clock.now += timedelta(seconds=74_001)
    assert [c.channel_id for c in run(watcher.sync_channels())] == [ALPHA, BETA]


def test_a_server_that_leaves_deleted_ids_out_neither_breaks_nor_hides_a_recheck(
    db: Database, tmp_path: Path
) -> None:
    client, watcher, _ = make_world(db, tmp_path, [{"ref": "@alpha", "backfill": 10}])
    for n in range(5):
        client.post(ALPHA, f"text {n}", views=10)
    run(watcher.sync_channels())
    run(watcher.poll(ALPHA))
    client.omit_missing = True  # getMessages answers 4 messages for 5 ids
    client.delete(ALPHA, [4])
    client.edit(ALPHA, 2, "text 1 (corrected)")
    client.messages[ALPHA][5].views = 77

    first = run(watcher.recheck(ALPHA, window=10))
    posts = {p.message_id: p for p in stored(db, ALPHA)}
    assert first.edited == 1 and posts[2].version_count == 2  # matched by id, not position
    assert posts[5].views == 77
    assert posts[4].deleted_at is None  # not returned once is not deleted
    assert channel_row(db, ALPHA).error is None

    run(watcher.recheck(ALPHA, window=10))
    assert {p.message_id: p for p in stored(db, ALPHA)}[4].deleted_at is None
    third = run(watcher.recheck(ALPHA, window=10))
    assert third.deleted == 1  # missing from three re-reads in a row: deleted
    assert {p.message_id: p for p in stored(db, ALPHA)}[4].deleted_at is not None


def test_a_recheck_that_breaks_shows_on_the_channel_and_fails_the_job(
    db: Database, tmp_path: Path
) -> None:
    client, watcher, _ = make_world(db, tmp_path, [{"ref": "@alpha", "backfill": 10}])
    client.post(ALPHA, "text")
    run(watcher.sync_channels())
    run(watcher.poll(ALPHA))
    client.fail("get_messages", TypeError("unexpected reply"), channel_id=ALPHA, times=5)
    with pytest.raises(TypeError):
        run(watcher.recheck(ALPHA, window=10))
    assert channel_row(db, ALPHA).error == "recheck failed: TypeError: unexpected reply"
    client.post(ALPHA, "more")
    run(watcher.poll(ALPHA))  # polls work: the recheck's failure stays visible
    assert channel_row(db, ALPHA).error == "recheck failed: TypeError: unexpected reply"
    client._failures.clear()
    run(watcher.recheck(ALPHA, window=10))
    assert channel_row(db, ALPHA).error is None
