"""Idempotent upsert and edit history, on SQLite and PostgreSQL."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

from sqlmodel import select

from monitor.core.events import ChannelInfo, ChannelPost, Entity
from storage.database import Database
from storage.models import Channel, Post, PostVersion
from storage.post_detail import post_versions
from storage.posts import advance_cursor, ensure_channel, mark_deleted, upsert_posts

T0 = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)
CHANNEL = ChannelInfo(1000000001, "frontline_dispatch", "Frontline Dispatch")


def post(message_id: int, text: str = "Текст", **kw: object) -> ChannelPost:
    return ChannelPost(
        CHANNEL.channel_id, message_id, T0 + timedelta(minutes=message_id), text, **kw
    )


def store(db: Database, *posts: ChannelPost) -> list:
    with db.session() as s:
        ensure_channel(s, CHANNEL)
        return upsert_posts(s, list(posts))


def test_new_posts_are_stored_once_with_version_one(db: Database) -> None:
    entities = (Entity("hashtag", 0, 5),)
    first = store(db, post(1, "#Мали новости", entities=entities), post(2))
    again = store(db, post(1, "#Мали новости", entities=entities), post(2))
    assert [c.kind for c in first] == ["new", "new"]
    assert [c.kind for c in again] == ["unchanged", "unchanged"]
    with db.session() as s:
        rows = s.exec(select(Post).order_by(Post.message_id)).all()
        assert len(rows) == 2
        assert rows[0].url == "https://t.me/frontline_dispatch/1"
        assert rows[0].entities == [{"type": "hashtag", "offset": 0, "length": 5}]
        assert rows[0].posted_at == T0 + timedelta(minutes=1)  # tz-aware UTC on both backends
        # a post never edited is its own only version: its text is not stored twice
        assert [v["text"] for v in post_versions(s, rows[0])] == ["#Мали новости"]
        assert [v["version"] for v in post_versions(s, rows[1])] == [1]
        assert s.exec(select(PostVersion)).all() == []


def test_changed_text_adds_a_version_and_keeps_the_old_one(db: Database) -> None:
    store(db, post(1, "Первая версия", views=10))
    [change] = store(db, post(1, "Вторая версия", views=25, edited_at=T0 + timedelta(hours=1)))
    assert change.kind == "edited" and change.version == 2
    assert change.previous_text == "Первая версия"
    store(db, post(1, "Третья версия", edited_at=T0 + timedelta(hours=2)))
    with db.session() as s:
        row = s.exec(select(Post)).one()
        assert row.text == "Третья версия" and row.version_count == 3
        assert row.views == 25  # a later read without counters does not erase them
        assert row.translation_status == "pending"
        versions = s.exec(select(PostVersion).order_by(PostVersion.version)).all()
        assert [v.text for v in versions] == ["Первая версия", "Вторая версия", "Третья версия"]
        assert versions[1].edited_at == T0 + timedelta(hours=1)


def test_same_text_refreshes_counters_without_a_version(db: Database) -> None:
    store(db, post(1, views=10, reactions={"👍": 1}))
    [change] = store(db, post(1, views=99, forwards=4, reactions={"👍": 3}))
    assert change.kind == "unchanged"
    with db.session() as s:
        row = s.exec(select(Post)).one()
        assert (row.views, row.forwards, row.reactions) == (99, 4, {"👍": 3})
        assert len(post_versions(s, row)) == 1


def test_duplicate_in_one_batch_keeps_the_last_copy(db: Database) -> None:
    changes = store(db, post(5, "старый"), replace(post(5, "новый")))
    assert [c.kind for c in changes] == ["new"]
    with db.session() as s:
        assert s.exec(select(Post.text)).one() == "новый"


def test_deletion_is_a_mark_never_a_removal(db: Database) -> None:
    store(db, post(1), post(2))
    with db.session() as s:
        assert len(mark_deleted(s, CHANNEL.channel_id, [2, 3])) == 1
    with db.session() as s:
        assert mark_deleted(s, CHANNEL.channel_id, [2]) == []  # noticed once
        rows = {p.message_id: p for p in s.exec(select(Post)).all()}
        assert rows[1].deleted_at is None and rows[2].deleted_at is not None
        assert rows[2].text == "Текст"


def test_channel_rename_updates_the_row_not_a_new_channel(db: Database) -> None:
    with db.session() as s:
        ensure_channel(s, CHANNEL)
    with db.session() as s:
        ensure_channel(s, replace(CHANNEL, username="frontline_dispatch_v2"))
    with db.session() as s:
        channels = s.exec(select(Channel)).all()
        assert [(c.id, c.username) for c in channels] == [(1000000001, "frontline_dispatch_v2")]


def test_cursor_only_moves_forward(db: Database) -> None:
    with db.session() as s:
        ensure_channel(s, CHANNEL)
        assert advance_cursor(s, CHANNEL.channel_id, [5, 9, 7]) == 9
        assert advance_cursor(s, CHANNEL.channel_id, [3]) == 9


def test_an_older_copy_replayed_later_is_not_an_edit(db: Database) -> None:
    store(db, post(1, "исходный текст"))
    store(db, post(1, "исправленный текст", edited_at=T0 + timedelta(hours=2)))
    [change] = store(db, post(1, "исходный текст"))  # the first export imported again
    assert change.kind == "unchanged"
    [change] = store(db, post(1, "ранняя правка", edited_at=T0 + timedelta(hours=1)))
    assert change.kind == "unchanged"
    with db.session() as s:
        assert s.exec(select(Post.text)).one() == "исправленный текст"
        assert len(s.exec(select(PostVersion)).all()) == 2


def test_a_first_edit_keeps_version_one_once_also_where_an_older_tgmon_stored_it(
    db: Database,
) -> None:
    store(db, post(1, "старый текст"), post(2, "другой текст"))
    with db.session() as s:  # as tgmon before this release wrote it: version 1 of every post
        [old] = s.exec(select(Post).where(Post.message_id == 2)).all()
        s.add(PostVersion(post_id=old.id, version=1, text=old.text, captured_at=T0))
    later = T0 + timedelta(hours=1)
    store(db, post(1, "новый текст", edited_at=later), post(2, "правка", edited_at=later))
    with db.session() as s:
        for message_id, texts in (
            (1, ["старый текст", "новый текст"]),
            (2, ["другой текст", "правка"]),
        ):
            row = s.exec(select(Post).where(Post.message_id == message_id)).one()
            assert [v["text"] for v in post_versions(s, row)] == texts
