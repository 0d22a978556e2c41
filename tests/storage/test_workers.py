"""Worker rows, channel leases and retention against real SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import select

from monitor.core.errors import ConfigError
from monitor.core.events import ChannelInfo
from storage.database import Database
from storage.leases import fair_share, lease_round, release_all
from storage.models import Channel, TranslationCache, Worker
from storage.posts import ensure_channel
from storage.workers import (
    alive_worker_ids,
    mark_stopped,
    prune_translation_cache,
    record_beat,
    register_worker,
)

NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)
PERIOD = timedelta(seconds=90)


def add_channels(db: Database, n: int, *, start: int = 1) -> list[int]:
    with db.session() as session:
        for cid in range(start, start + n):
            ensure_channel(session, ChannelInfo(cid, f"c{cid}"))
    return list(range(start, start + n))


def register(db: Database, wid: str, now: datetime = NOW, host: str | None = None) -> None:
    with db.session() as session:
        register_worker(
            session,
            wid,
            host=host or f"host-{wid}",
            pid=1,
            now=now,
            heartbeat_s=30,
            stale_after=PERIOD,
        )


def test_register_beat_and_stop(db: Database) -> None:
    register(db, "w1")
    with db.session() as session:
        record_beat(session, "w1", NOW + timedelta(seconds=30), {"poll": {"runs": 3}})
    with db.session() as session:
        worker = session.get(Worker, "w1")
        assert worker is not None
        assert worker.beat_at == NOW + timedelta(seconds=30)
        assert worker.jobs == {"poll": {"runs": 3}}
        assert alive_worker_ids(session, NOW + timedelta(seconds=60), PERIOD) == ["w1"]
        mark_stopped(session, "w1", NOW + timedelta(seconds=61), {})
    with db.session() as session:
        assert alive_worker_ids(session, NOW + timedelta(seconds=62), PERIOD) == []


def test_a_live_worker_id_cannot_be_taken_by_another_host(db: Database) -> None:
    register(db, "w1", host="alpha")
    with pytest.raises(ConfigError, match="daemon.worker_id: 'w1' is in use by host alpha"):
        register(db, "w1", now=NOW + timedelta(seconds=10), host="beta")
    register(db, "w1", now=NOW + timedelta(seconds=10), host="alpha")  # a restart: fine
    register(db, "w1", now=NOW + timedelta(minutes=10), host="beta")  # alpha is dead: fine


def test_prune_translation_cache_keeps_recent_entries(db: Database) -> None:
    with db.session() as session:
        for i, age in enumerate((400, 10)):
            session.add(
                TranslationCache(
                    key=f"k{i}",
                    provider="google",
                    source_lang="ru",
                    target_lang="en",
                    translation="x",
                    created_at=NOW - timedelta(days=age),
                )
            )
    with db.session() as session:
        assert prune_translation_cache(session, NOW - timedelta(days=180)) == 1
    with db.session() as session:
        assert [c.key for c in session.exec(select(TranslationCache)).all()] == ["k1"]


def test_sqlite_worker_holds_every_enabled_channel(db: Database) -> None:
    if not db.is_sqlite:
        pytest.skip("SQLite behaviour")
    ids = add_channels(db, 3)
    with db.session() as session:
        session.get(Channel, ids[1]).enabled = False  # type: ignore[union-attr]
    with db.session() as session:
        decided = lease_round(session, "w1", now=NOW, period=PERIOD)
    assert decided.held == (ids[0], ids[2])


@pytest.mark.parametrize(("total", "alive", "share"), [(10, 3, 4), (9, 3, 3), (1, 3, 1), (0, 2, 0)])
def test_fair_share(total: int, alive: int, share: int) -> None:
    assert fair_share(total, alive) == share


def _round(db: Database, wid: str, now: datetime) -> tuple[int, ...]:
    with db.session() as session:
        return lease_round(session, wid, now=now, period=PERIOD).held


@pytest.mark.postgres
def test_leases_spread_and_move_when_a_worker_dies(db: Database) -> None:
    if db.is_sqlite:
        pytest.skip("leases are PostgreSQL behaviour")
    ids = add_channels(db, 10)
    for wid in ("a", "b", "c"):
        register(db, wid)
    now = NOW
    held: dict[str, tuple[int, ...]] = {}
    for step in range(4):  # a few rounds converge to a fair spread
        now = NOW + timedelta(seconds=step * 30)
        for wid in ("a", "b", "c"):
            held[wid] = _round(db, wid, now)
    sizes = sorted(len(h) for h in held.values())
    assert sizes == [3, 3, 4]
    assert sorted(c for h in held.values() for c in h) == ids  # each exactly once

    # "c" dies (no more rounds); a and b go on every 30 s. Once c's heartbeat and leases
    # are older than one period, they share its channels.
    for step in range(1, 9):
        t = now + timedelta(seconds=step * 30)
        for wid in ("a", "b"):
            held[wid] = _round(db, wid, t)
    assert sorted(held["a"] + held["b"]) == ids
    assert sorted(len(held[w]) for w in ("a", "b")) == [5, 5]


@pytest.mark.postgres
def test_release_all_frees_channels_at_once(db: Database) -> None:
    if db.is_sqlite:
        pytest.skip("leases are PostgreSQL behaviour")
    add_channels(db, 4)
    register(db, "a")
    assert len(_round(db, "a", NOW)) == 4
    with db.session() as session:
        assert release_all(session, "a") == 4
        mark_stopped(session, "a", NOW, {})
    register(db, "b", now=NOW + timedelta(seconds=1))
    assert len(_round(db, "b", NOW + timedelta(seconds=1))) == 4  # no waiting for expiry


@pytest.mark.postgres
def test_disabled_channel_lease_is_given_back(db: Database) -> None:
    if db.is_sqlite:
        pytest.skip("leases are PostgreSQL behaviour")
    ids = add_channels(db, 2)
    register(db, "a")
    assert _round(db, "a", NOW) == tuple(ids)
    with db.session() as session:
        session.get(Channel, ids[0]).enabled = False  # type: ignore[union-attr]
    assert _round(db, "a", NOW + timedelta(seconds=30)) == (ids[1],)
    with db.session() as session:
        assert session.get(Channel, ids[0]).lease_owner is None  # type: ignore[union-attr]


@pytest.mark.postgres
def test_channel_overview_names_the_holding_worker(db: Database) -> None:
    if db.is_sqlite:
        pytest.skip("leases are PostgreSQL behaviour")
    from storage.channels import LeaseHolder, channel_overview

    add_channels(db, 2)
    register(db, "a", host="box-1")
    with db.session() as session:
        session.get(Channel, 2).enabled = False  # type: ignore[union-attr]
    _round(db, "a", NOW)
    _round(db, "a", NOW + timedelta(seconds=30))  # a renewal keeps the time it was taken
    with db.read_session() as session:
        rows = {r.channel_id: r.holder for r in channel_overview(session)}
    expires = NOW + timedelta(seconds=30) + 2 * PERIOD / 3
    assert rows == {1: LeaseHolder("a", NOW, expires, "box-1", 1), 2: None}
    with db.session() as session:
        release_all(session, "a")
    with db.read_session() as session:
        assert [r.holder for r in channel_overview(session)] == [None, None]


@pytest.mark.postgres
def test_a_clean_release_is_heard_by_the_other_workers_at_once(db: Database) -> None:
    if db.is_sqlite:
        pytest.skip("leases are PostgreSQL behaviour")
    from storage.handover import HandoverListener

    add_channels(db, 2)
    register(db, "a")
    _round(db, "a", NOW)
    b, a = HandoverListener(db, "b"), HandoverListener(db, "a")
    try:
        assert b.wait(0.05) is False and a.wait(0.05) is False  # connected, nothing yet
        with db.session() as session:
            release_all(session, "a")
        assert b.wait(5) is True  # delivered at commit
        assert b.wait(0.05) is False  # once
        assert a.wait(0.2) is False  # its own notice is no news
        with db.session() as session:
            assert release_all(session, "a") == 0  # nothing held: nothing announced
        assert b.wait(0.2) is False
    finally:
        a.close()
        b.close()
