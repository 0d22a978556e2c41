"""Access hashes per Telegram account (storage.access, revision 0010), on both backends."""

from __future__ import annotations

from datetime import UTC, datetime

from alembic import command
from sqlalchemy import text

from storage.access import UNKNOWN_ACCOUNT, access_hash, record_access
from storage.database import Database
from storage.models import Channel, ChannelAccess

NOW = datetime(2026, 12, 6, 12, 0, tzinfo=UTC)


def add_channel(db: Database, channel_id: int) -> None:
    with db.session() as s:
        s.add(Channel(id=channel_id, username=f"c{channel_id}"))


def test_each_account_keeps_its_own_hash(db: Database) -> None:
    add_channel(db, 1)
    with db.session() as s:
        record_access(s, 1, 42, 1111, now=NOW)
        record_access(s, 1, 777, 2222, now=NOW)
    with db.session() as s:
        assert (access_hash(s, 1, 42), access_hash(s, 1, 777), access_hash(s, 1, 5)) == (
            1111,
            2222,
            None,
        )
        record_access(s, 1, 777, 3333, now=NOW)  # refused and looked up again: replaced
    with db.session() as s:
        assert access_hash(s, 1, 777) == 3333
        assert len(list(s.execute(text("SELECT 1 FROM channelaccess")))) == 2


def test_an_account_claiming_the_unowned_hash_takes_it_over(db: Database) -> None:
    add_channel(db, 1)
    with db.session() as s:
        s.add(ChannelAccess(channel_id=1, account_id=UNKNOWN_ACCOUNT, access_hash=1111))
    with db.session() as s:
        record_access(s, 1, 777, 2222, now=NOW)  # another account's lookup: the old one stays
        assert access_hash(s, 1, UNKNOWN_ACCOUNT) == 1111
        record_access(s, 1, 42, 1111, now=NOW)  # the account it works for claims it
        assert access_hash(s, 1, UNKNOWN_ACCOUNT) is None
        assert access_hash(s, 1, 42) == 1111


def test_migration_0010_keeps_old_hashes_unowned_and_back(db: Database) -> None:
    add_channel(db, 1)
    add_channel(db, 2)
    config = db.alembic_config()
    command.downgrade(config, "0009")
    try:
        with db.engine.begin() as conn:
            conn.execute(text("UPDATE channel SET access_hash = 987654321012 WHERE id = 1"))
    finally:
        db.upgrade()
    assert db.current_revisions() == {"0011"}
    with db.session() as s:
        assert access_hash(s, 1, UNKNOWN_ACCOUNT) == 987654321012
        assert access_hash(s, 2, UNKNOWN_ACCOUNT) is None  # no hash before: nothing to keep
        record_access(s, 2, 42, 5, now=NOW)
    command.downgrade(config, "0009")
    try:
        with db.engine.connect() as conn:
            rows = conn.execute(text("SELECT id, access_hash FROM channel ORDER BY id")).all()
        assert [tuple(r) for r in rows] == [(1, 987654321012), (2, 5)]
    finally:
        db.upgrade()
