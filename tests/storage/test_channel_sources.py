"""The channel's source kind (migration 0007) and the queries the daemon and health use."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlmodel import select

from monitor.core.events import ChannelInfo
from storage import channels as store
from storage.database import Database
from storage.models import Channel

NOW = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)


def test_source_kind_is_stored_and_switching_keeps_one_row(db: Database) -> None:
    web = ChannelInfo(1289637461, "GreyZone", "Серая Зона", None, source="web")
    with db.session() as session:
        store.upsert_watched(session, web, store.ChannelSpec("greyzone"), now=NOW)
        store.upsert_watched(
            session,
            ChannelInfo(101, "alpha", "Alpha", 555),
            store.ChannelSpec("@alpha"),
            now=NOW,
        )
    with db.read_session() as session:
        assert store.watched_source_kinds(session) == {"web", "telegram"}
        assert [(r.channel_id, r.source) for r in store.channel_overview(session)] == [
            (101, "telegram"),
            (1289637461, "web"),
        ]
    with db.session() as session:  # the same channel, now read through the account
        account = ChannelInfo(1289637461, "GreyZone", "Серая Зона", 777)
        spec = store.ChannelSpec("@GreyZone", source="telegram")
        store.upsert_watched(session, account, spec, now=NOW)
    with db.read_session() as session:
        rows = session.exec(select(Channel)).all()
        assert sorted((c.id, c.source) for c in rows) == [
            (101, "telegram"),
            (1289637461, "telegram"),
        ]
        assert store.watched_source_kinds(session) == {"telegram"}


def test_disabled_channels_need_no_source_and_problems_are_listed(db: Database) -> None:
    with db.session() as session:
        for cid, name, kind in ((1, "one", "web"), (2, "two", "telegram")):
            info = ChannelInfo(cid, name, name.title(), None, source=kind)
            store.upsert_watched(session, info, store.ChannelSpec(name), now=NOW)
        store.set_error(session, 1, "@one: no such channel", now=NOW)
        channel = session.get(Channel, 2)
        assert channel is not None
        store.set_watching(session, channel, enabled=False)
    with db.read_session() as session:
        assert store.watched_source_kinds(session) == {"web"}
        assert [(c.id, e) for c, e in store.channel_problems(session)] == [
            (1, "@one: no such channel")
        ]
