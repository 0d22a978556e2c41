"""Search semantics on real SQLite (FTS5) and PostgreSQL (tsvector): same answers on both."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from alembic import command
from sqlalchemy import func, select, update

from monitor.core.errors import InputError, QueryError
from monitor.core.events import ChannelInfo, ChannelPost
from storage.database import Database
from storage.models import Match, Post, PostVersion
from storage.posts import ensure_channel, mark_deleted, upsert_posts
from storage.search import SearchFilters, count, iter_posts, refresh_search_text, search
from storage.stemming import search_text

T0 = datetime(2026, 11, 1, tzinfo=UTC)
TEXTS = {
    1: "Бойцы Вагнера заняли позиции у Бахмута",
    2: "Сбито пять беспилотников над Белгородом",
    3: "Ёлка и колонна техники на трассе",
    4: "Збито п'ять беспілотників над Харковом",
    5: "Drones attacked the refinery overnight",
    6: "Техника колонны стоит у моста",  # same words as 3, not a phrase
    7: "Вагнеровцы покинули Бахмут; «учения» продолжаются",
    8: "It's a 'quoted' text with \"double\" quotes AND NEAR(x y) ^col: {a b}",
}


def _ids(hits: list) -> list[int]:  # type: ignore[type-arg]
    return sorted(h.message_id for h in hits)


@pytest.fixture
def seeded(db: Database) -> Database:
    with db.session() as s:
        ensure_channel(s, ChannelInfo(101, "rybar", "Рыбарь"))
        ensure_channel(s, ChannelInfo(202, "dva_majors", "Два майора"))
        ensure_channel(s, ChannelInfo(303, None, "No username"))
        posts = [
            ChannelPost(
                101 if mid % 2 else 202,
                mid,
                T0 + timedelta(days=mid),
                text=text,
                media_kind="photo" if mid in (2, 5) else None,
            )
            for mid, text in TEXTS.items()
        ]
        posts.append(
            ChannelPost(
                303,
                1,
                T0,
                text="Репост про Вагнер",
                fwd_from_channel_id=101,
                fwd_from_message_id=1,
                fwd_from_name="Рыбарь",
            )
        )
        upsert_posts(s, posts)
    return db


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("Вагнер", [1]),  # «Вагнера»; «Вагнеровцы» is another word
        ("вагнер*", [1, 7]),
        ("беспилотник", [2]),
        ("беспілотник", [4]),
        ("drone", [5]),
        ("attack", [5]),
        ("елка", [3]),
        ("ЁЛКА", [3]),
        ('"колонна техники"', [3]),
        ('"колонны техника"', [3]),  # phrases match on stems, so inflected phrases too
        ("колонна техника", [3, 6]),
        ("колонна AND техника", [3, 6]),
        ("беспилотник OR беспілотник", [2, 4]),
        ("(беспилотник OR беспілотник) -харьков", [2, 4]),
        ("(беспилотник OR беспілотник) NOT харковом", [2]),
        ("бахмут -учения", [1]),
        ("бахмут NOT (учения OR трасса)", [1]),
        ("отсутствует", []),
    ],
)
def test_query_semantics(seeded: Database, query: str, expected: list[int]) -> None:
    with seeded.session() as s:
        hits = search(s, query, SearchFilters(channels=("rybar", "dva_majors")))
    assert _ids(hits) == expected


@pytest.mark.parametrize(
    "query",
    [
        "'; drop table post; --",
        '"AND" "OR" "NOT"',
        "NEAR(x y)",
        "^col: {a b}",
        "it's",
        '"double"',
        "x* *",
        "a\\b",
        "столбец:значение",
        "100% a_b",
    ],
)
def test_hostile_queries_are_just_words(seeded: Database, query: str) -> None:
    with seeded.session() as s:
        search(s, query)
        assert s.execute(select(func.count()).select_from(Post)).scalar_one() == 9


def test_operator_words_inside_quotes_are_searched(seeded: Database) -> None:
    with seeded.session() as s:
        assert _ids(search(s, '"double" quotes')) == [8]
        assert _ids(search(s, "near")) == [8]


@pytest.mark.parametrize("query", ["", "a AND", '"open', "(a", "NOT a"])
def test_malformed_query_is_a_query_error_not_sql(seeded: Database, query: str) -> None:
    with seeded.session() as s, pytest.raises(QueryError):
        search(s, query)


def test_filters(seeded: Database) -> None:
    with seeded.session() as s:
        s.execute(update(Post).where(Post.message_id.in_([5, 8])).values(language="en"))  # type: ignore[attr-defined]
        post_id = s.execute(select(Post.id).where(Post.message_id == 3)).scalar_one()  # type: ignore[arg-type]
        s.add(Match(post_id=post_id, watchlist="convoys", rule="r1"))
        removed = s.execute(select(Post.id).where(Post.message_id == 6)).scalar_one()  # type: ignore[arg-type]
        s.add(Match(post_id=removed, watchlist="convoys", rule="r1", removed_at=T0))
    with seeded.session() as s:
        mark_deleted(s, 202, [2])
        upsert_posts(s, [ChannelPost(101, 7, T0 + timedelta(days=7), text="Бахмут, правка")])

    def ids(**kwargs: object) -> list[int]:
        with seeded.session() as s:
            return [
                h.message_id if h.channel_id != 303 else -1
                for h in sorted(
                    search(s, None, SearchFilters(**kwargs), limit=100),  # type: ignore[arg-type]
                    key=lambda h: (h.channel_id, h.message_id),
                )
            ]

    assert sorted(ids(channels=("rybar",))) == [1, 3, 5, 7]
    assert sorted(ids(channels=("@RYBAR", "202"))) == [1, 2, 3, 4, 5, 6, 7, 8]
    assert ids(channels=("-100303",)) == [-1]
    assert sorted(ids(since=T0 + timedelta(days=6))) == [6, 7, 8]
    assert sorted(ids(until=T0 + timedelta(days=2))) == [-1, 1]
    assert sorted(ids(language="EN")) == [5, 8]
    assert ids(watchlist="convoys") == [3]
    assert sorted(ids(has_media=True)) == [2, 5]
    assert ids(deleted=True) == [2]
    assert ids(edited=True) == [7]
    assert ids(forwarded_from="rybar") == [-1]
    assert ids(forwarded_from="101") == [-1]
    assert ids(forwarded_from="рыбарь") == [-1]
    with seeded.session() as s, pytest.raises(InputError, match="@nobody: not stored"):
        search(s, "x", SearchFilters(channels=("nobody",)))


def test_sort_page_count_and_stream(seeded: Database) -> None:
    with seeded.session() as s:
        newest = search(s, "бахмут OR вагнер OR вагнеровцы", limit=2)
        assert [h.message_id for h in newest] == [7, 1]
        assert all(h.score is None for h in newest)
        relevant = search(s, "вагнер", sort="relevance")
        assert {h.message_id for h in relevant} == {1}
        assert relevant[0].score is not None
        oldest = search(s, None, limit=3, offset=1, sort="oldest")  # the repost comes first
        assert [(h.channel_id, h.message_id) for h in oldest] == [(101, 1), (202, 2), (101, 3)]
        assert count(s, "вагнер") == 2  # the rybar post and the repost
        streamed = list(iter_posts(s, None, SearchFilters(channels=("rybar",)), batch=2))
        assert [h.message_id for h in streamed] == [1, 3, 5, 7]
        with pytest.raises(InputError):
            search(s, "x", limit=0)


def test_index_follows_inserts_edits_and_translations(db: Database) -> None:
    with db.session() as s:
        ensure_channel(s, ChannelInfo(1, "c", None))
        upsert_posts(s, [ChannelPost(1, 1, T0, text="Колонна техники у Курска")])
    with db.session() as s:
        assert _ids(search(s, "курск")) == [1]
        upsert_posts(s, [ChannelPost(1, 1, T0, text="Колонна техники у Белгорода", edited_at=T0)])
    with db.session() as s:
        assert _ids(search(s, "белгород")) == [1]
        assert search(s, "курск") == []
        post = s.execute(select(Post).where(Post.message_id == 1)).scalar_one()
        assert post.search_text == search_text(post.text)
        # the translation job stores a translation, then refreshes the index for those posts
        s.execute(
            update(Post)
            .where(Post.id == post.id)
            .values(  # type: ignore[arg-type]
                translation="A column of armour near Belgorod", translation_status="done"
            )
        )
        assert refresh_search_text(s, [post.id]) == 1  # type: ignore[list-item]
    with db.session() as s:
        assert _ids(search(s, "armoured OR columns")) == [1]
        hit = search(s, "armour")[0]
        assert hit.translation == "A column of armour near Belgorod"
        assert refresh_search_text(s) == 1
        s.execute(PostVersion.__table__.delete())  # type: ignore[attr-defined]
        s.execute(Post.__table__.delete())  # type: ignore[attr-defined]
    with db.session() as s:
        assert search(s, "белгород") == []


def test_common_term_plan_gives_the_same_answers(
    seeded: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    """SQLite walks posts by date for common terms; force that plan and compare."""
    import storage.search

    with seeded.session() as s:
        before = {q: _ids(search(s, q)) for q in ("вагнер", "колонна техника", "бахмут -учения")}
    monkeypatch.setattr(storage.search, "_COMMON_HITS", 1)
    with seeded.session() as s:
        after = {q: _ids(search(s, q)) for q in before}
        assert after == before
        assert _ids(search(s, "вагнер", SearchFilters(channels=("rybar",)))) == [1]


def test_migration_backfills_posts_stored_before_it(db: Database) -> None:
    """Upgrading a database that already holds posts makes them searchable."""
    with db.session() as s:
        ensure_channel(s, ChannelInfo(1, "c", None))
        upsert_posts(s, [ChannelPost(1, 1, T0, text="Старый пост про Вагнера")])
    command.downgrade(db.alembic_config(), "0001")
    assert db.current_revisions() == {"0001"}
    try:
        with db.session() as s:
            s.execute(
                update(Post.__table__).values(  # type: ignore[attr-defined]
                    translation="An old post about Wagner"
                )
            )
    finally:
        db.upgrade()
    with db.session() as s:
        assert _ids(search(s, "вагнер")) == [1]
        assert _ids(search(s, "wagner")) == [1]


def test_refresh_search_text_in_batches(db: Database, monkeypatch: pytest.MonkeyPatch) -> None:
    import storage.search

    monkeypatch.setattr(storage.search, "_REFRESH_BATCH", 2)
    with db.session() as s:
        ensure_channel(s, ChannelInfo(1, "c", None))
        upsert_posts(s, [ChannelPost(1, i, T0, text=f"пост номер {i}") for i in range(1, 6)])
        s.execute(update(Post.__table__).values(search_text=""))  # type: ignore[attr-defined]
    with db.session() as s:
        ids = list(s.execute(select(Post.id)).scalars())  # type: ignore[call-overload]
        assert refresh_search_text(s, [*ids[:3], 999_999]) == 3
        assert len(search(s, "пост")) == 3
        assert refresh_search_text(s) == 5
        assert len(search(s, "номер")) == 5
