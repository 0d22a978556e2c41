"""Workers on separate Telegram accounts share channels: access hashes are kept per account.

Telegram issues an access hash per account, so the hash of the account that ran `channels add`
is refused (PEER_ID_INVALID / CHANNEL_INVALID) for any other. The double enforces exactly that;
every test runs on SQLite and PostgreSQL.
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import select, update
from telethon import errors

from monitor.config.settings import Settings
from monitor.daemon.watcher import ChannelWatcher
from monitor.pipeline.ingest import Pipeline
from monitor.sources.request_budget import RequestBudget
from monitor.sources.telegram.source import TelegramSource
from storage.channels import channel_overview, channel_problems
from storage.database import Database
from storage.models import ChannelAccess, Post
from storage.stats import collect_stats
from storage.workers import channels_in_error
from tests.support.clock import ManualClock as Clock
from tests.support.clock import no_sleep
from tests.support.telegram_double import PRIMARY_ACCOUNT, FakeTelegramClient

ALPHA, HIDDEN = 101, 303
B_ACCOUNT = 777


def watcher_for(
    db: Database,
    tmp_path: Path,
    client: FakeTelegramClient,
    refs: tuple[str, ...] = ("@alpha",),
    **kwargs: Any,
) -> ChannelWatcher:
    settings = Settings(data_dir=tmp_path, channels=[{"ref": ref} for ref in refs])
    source = TelegramSource(client, sleep=no_sleep)
    return ChannelWatcher(source, Pipeline(db), db, settings, clock=Clock(), **kwargs)


def world() -> tuple[FakeTelegramClient, FakeTelegramClient]:
    a = FakeTelegramClient()
    a.add_channel(ALPHA, "alpha", "Alpha")
    a.post(ALPHA, "first")
    return a, a.other_account(B_ACCOUNT)


def message_ids(db: Database, channel_id: int) -> list[int]:
    with db.session() as s:
        rows = s.execute(select(Post.message_id).where(Post.channel_id == channel_id))
        return sorted(r[0] for r in rows)


def hashes(db: Database, channel_id: int) -> dict[int, int]:
    with db.session() as s:
        rows = s.execute(
            select(ChannelAccess.account_id, ChannelAccess.access_hash).where(
                ChannelAccess.channel_id == channel_id
            )
        )
        return {account: access_hash for account, access_hash in rows}


def error_of(db: Database, channel_id: int) -> str | None:
    with db.read_session() as s:
        return next(r.error for r in channel_overview(s) if r.channel_id == channel_id)


def test_a_second_account_polls_a_channel_the_first_one_added(db: Database, tmp_path: Path) -> None:
    a, b = world()
    watcher_a = watcher_for(db, tmp_path, a)
    watcher_b = watcher_for(db, tmp_path, b)
    read_by_b: list[int] = []

    async def scenario() -> None:
        await watcher_a.sync_channels()  # account A adds @alpha
        await watcher_a.poll(ALPHA)
        await watcher_b.sync_channels()  # worker B starts: a known channel, no lookup yet
        assert not [c for c in b.calls if c.startswith("resolve:")]
        a.post(ALPHA, "second")
        await watcher_b.poll(ALPHA)  # the lease moved to worker B, another account
        a.post(ALPHA, "third")
        await watcher_b.poll(ALPHA)
        await watcher_b.recheck(ALPHA, 10)
        read_by_b.extend(message_ids(db, ALPHA))
        a.post(ALPHA, "fourth")
        await watcher_a.poll(ALPHA)  # and back to A: its own hash still works

    asyncio.run(scenario())
    assert read_by_b == [1, 2, 3]
    assert message_ids(db, ALPHA) == [1, 2, 3, 4]
    assert error_of(db, ALPHA) is None
    assert [c for c in b.calls if c.startswith("resolve:")] == ["resolve:alpha"]  # once
    assert [c for c in a.calls if c.startswith("resolve:")] == ["resolve:alpha"]
    assert hashes(db, ALPHA) == {PRIMARY_ACCOUNT: a.hash_for(ALPHA), B_ACCOUNT: b.hash_for(ALPHA)}


def test_a_refused_hash_is_resolved_again_once_and_the_read_retried(
    db: Database, tmp_path: Path
) -> None:
    a, b = world()
    watcher_b = watcher_for(db, tmp_path, b)
    asyncio.run(watcher_for(db, tmp_path, a).sync_channels())
    asyncio.run(watcher_b.poll(ALPHA))
    with db.session() as s:  # B's stored hash went stale (e.g. a session from another login)
        s.execute(
            update(ChannelAccess)
            .where(ChannelAccess.account_id == B_ACCOUNT)
            .values(access_hash=12345)
        )
    fresh = watcher_for(db, tmp_path, b)  # a restarted worker B
    a.post(ALPHA, "second")
    report = asyncio.run(fresh.poll(ALPHA))
    assert report.new == 1 and message_ids(db, ALPHA) == [1, 2]
    assert [c for c in b.calls if c.startswith("resolve:")] == ["resolve:alpha"] * 2
    assert hashes(db, ALPHA)[B_ACCOUNT] == b.hash_for(ALPHA)
    assert error_of(db, ALPHA) is None


def test_a_private_channel_is_not_resolved_again(db: Database, tmp_path: Path) -> None:
    a, b = world()
    asyncio.run(watcher_for(db, tmp_path, a).sync_channels())
    watcher_b = watcher_for(db, tmp_path, b)
    asyncio.run(watcher_b.poll(ALPHA))
    b.fail("iter_messages", errors.ChannelPrivateError(request=None), channel_id=ALPHA)
    asyncio.run(watcher_b.poll(ALPHA))
    assert [c for c in b.calls if c.startswith("resolve:")] == ["resolve:alpha"]
    assert error_of(db, ALPHA) == "poll failed: @alpha: ChannelPrivate"


def test_a_channel_without_username_shows_why_this_account_cannot_read_it(
    db: Database, tmp_path: Path
) -> None:
    a, b = world()
    a.add_channel(HIDDEN, None, "Hidden")
    a.post(HIDDEN, "members only")
    watcher_a = watcher_for(db, tmp_path, a)

    async def add_hidden() -> None:
        from storage.channels import ChannelSpec

        await watcher_a.sync_channels()  # @alpha
        await watcher_a.add_channel(ChannelSpec(str(HIDDEN)))
        await watcher_a.poll(HIDDEN)

    asyncio.run(add_hidden())
    starting_b = watcher_for(db, tmp_path, b, ("@alpha", str(HIDDEN)))
    asyncio.run(starting_b.sync_channels())  # both in B's config: a start costs no lookups
    assert b.calls == ["get_me"]
    asyncio.run(starting_b.poll(HIDDEN))
    expected = (
        f"poll failed: {HIDDEN}: account {B_ACCOUNT} has no access hash for it and it has no "
        "username to look up (`tgmon channels add <id>` with this account, once it can see it)"
    )
    assert error_of(db, HIDDEN) == expected
    with db.read_session() as s:
        assert (HIDDEN, expected) in [(c.id, e) for c, e in channel_problems(s)]
        assert ("Hidden", expected) in [(name, e) for name, e, _ in channels_in_error(s)]
        figures = collect_stats(s, days=7, top=5, now=datetime(2026, 11, 25, 12, 0, tzinfo=UTC))
        assert expected in [e for _, e, _ in figures.channel_errors]
    assert message_ids(db, HIDDEN) == [1]
    assert not [c for c in b.calls if c.startswith("resolve:")]

    # The fix the error names: B's account joins, `channels add <id>` runs with B's session.
    b.joined.add(HIDDEN)
    a.post(HIDDEN, "later")
    watcher_b = watcher_for(db, tmp_path, b)

    async def add_with_b() -> None:
        from storage.channels import ChannelSpec

        await watcher_b.add_channel(ChannelSpec(str(HIDDEN)))
        await watcher_b.poll(HIDDEN)

    asyncio.run(add_with_b())
    assert "dialogs" in b.calls  # found among B's chats: B's own hash
    assert hashes(db, HIDDEN) == {
        PRIMARY_ACCOUNT: a.hash_for(HIDDEN),
        B_ACCOUNT: b.hash_for(HIDDEN),
    }
    assert message_ids(db, HIDDEN) == [1, 2] and error_of(db, HIDDEN) is None


def test_a_resolve_spends_the_budget_and_honours_a_flood_wait(db: Database, tmp_path: Path) -> None:
    a, b = world()
    asyncio.run(watcher_for(db, tmp_path, a).sync_channels())
    budget = RequestBudget(60, 10, sleep=no_sleep)
    watcher_b = watcher_for(db, tmp_path, b, budget=budget)
    b.fail("resolve", errors.FloodWaitError(request=None, capture=600))
    asyncio.run(watcher_b.poll(ALPHA))
    assert budget.spent == 2  # getMe once, then the lookup; nothing read
    assert (error_of(db, ALPHA) or "").startswith("flood wait until")
    assert watcher_b.due_after_flood(ALPHA) is not None
    asyncio.run(watcher_b.poll(ALPHA))  # still waiting: no second lookup
    assert [c for c in b.calls if c.startswith("resolve:")] == ["resolve:alpha"]


def test_a_hash_from_before_accounts_were_kept_is_claimed_by_the_account_it_works_for(
    db: Database, tmp_path: Path
) -> None:
    a, b = world()
    asyncio.run(watcher_for(db, tmp_path, a).sync_channels())
    with db.session() as s:  # what migration 0010 leaves: one hash, owner unknown (account 0)
        s.execute(
            update(ChannelAccess)
            .where(ChannelAccess.account_id == PRIMARY_ACCOUNT)
            .values(account_id=0)
        )
    a.calls.clear()
    asyncio.run(watcher_for(db, tmp_path, b).poll(ALPHA))  # B: the old hash is refused
    asyncio.run(watcher_for(db, tmp_path, a).poll(ALPHA))  # A: it works, no lookup needed
    assert not [c for c in a.calls if c.startswith("resolve:")]
    assert hashes(db, ALPHA) == {PRIMARY_ACCOUNT: a.hash_for(ALPHA), B_ACCOUNT: b.hash_for(ALPHA)}
    assert error_of(db, ALPHA) is None


def test_a_username_that_now_names_another_channel_is_not_taken_for_it(
    db: Database, tmp_path: Path
) -> None:
    a, b = world()
    watcher_a = watcher_for(db, tmp_path, a)
    asyncio.run(watcher_a.sync_channels())
    asyncio.run(watcher_a.poll(ALPHA))
    a.rename(ALPHA, "alpha_new")  # the database still says @alpha: no recheck ran since
    a.add_channel(404, "alpha", "Squatter")
    a.post(404, "not ours")
    asyncio.run(watcher_for(db, tmp_path, b).poll(ALPHA))
    assert error_of(db, ALPHA) == "poll failed: @alpha: now names another channel (id 404), not 101"
    assert B_ACCOUNT not in hashes(db, ALPHA)
    assert message_ids(db, ALPHA) == [1] and message_ids(db, 404) == []
