"""Search and watchlists split words with one tokeniser, on SQLite and PostgreSQL (issue 11)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from alembic import command
from sqlalchemy import select, update

from monitor.core.events import ChannelInfo, ChannelPost
from monitor.matching.matcher import compile_matcher
from monitor.matching.watchlists import Watchlist
from storage.database import Database
from storage.highlight import hit_spans
from storage.models import Post
from storage.posts import ensure_channel, upsert_posts
from storage.query import parse_query, positive_leaves
from storage.search import search

T0 = datetime(2026, 11, 1, tzinfo=UTC)
POST = "#ВагнерГрупп: на складе нашли м'ясо и консервы"
OTHER = "Вагнергруппа не при чём; ясо — это не слово"  # glued in lower case: one word
WORDS = ["Вагнер", "групп", "м'ясо"]


def _ids(hits: list) -> list[int]:  # type: ignore[type-arg]
    return sorted(h.message_id for h in hits)


@pytest.fixture
def stored(db: Database) -> Database:
    with db.session() as s:
        ensure_channel(s, ChannelInfo(1, "rybar", None))
        upsert_posts(s, [ChannelPost(1, 1, T0, text=POST), ChannelPost(1, 2, T0, text=OTHER)])
    return db


@pytest.mark.parametrize("query", [*WORDS, "м’ясо", "мясо", "ВагнерГрупп", '"вагнер групп"'])
def test_camel_hashtag_and_apostrophe_words_are_found(stored: Database, query: str) -> None:
    with stored.session() as s:
        assert _ids(search(s, query)) == [1]


def test_index_holds_whole_words_without_apostrophes(stored: Database) -> None:
    with stored.session() as s:
        value = s.execute(select(Post.search_text).where(Post.message_id == 1)).scalar_one()
    assert value.split()[:2] == ["вагнер", "групп"]
    assert "'" not in value and "м" not in value.split()  # «м'ясо» is not «м» + «ясо»


@pytest.mark.parametrize("word", WORDS)
def test_a_watchlist_and_a_search_agree(stored: Database, word: str) -> None:
    matcher = compile_matcher([Watchlist.model_validate({"name": "t", "rules": [{"any": [word]}]})])
    with stored.session() as s:
        posts = {p.message_id: p.text for p in s.execute(select(Post)).scalars()}
        found = set(_ids(search(s, word)))
    matched = {mid for mid, text in posts.items() if matcher.match(text, language="uk")}
    assert matched == found == {1}
    hits = matcher.match(POST, language="uk")
    marked = hit_spans(POST, positive_leaves(parse_query(word)))
    assert {span for h in hits for span in h.spans} == set(marked)  # the same word marked


def test_migration_recomputes_search_text_of_the_old_tokeniser(stored: Database) -> None:
    old = "вагнергрупп на склад нашл м ясо и консерв"  # what the old tokeniser stored
    command.downgrade(stored.alembic_config(), "0008")  # only 0009: 0007 stays
    assert stored.current_revisions() == {"0007", "0008"}
    try:
        with stored.session() as s:
            s.execute(
                update(Post.__table__)  # type: ignore[attr-defined]
                .where(Post.__table__.c.message_id == 1)  # type: ignore[attr-defined]
                .values(search_text=old)
            )
            assert _ids(search(s, "вагнер")) == []
    finally:
        stored.upgrade()
    assert stored.current_revisions() == {"0011"}  # 0009, then the head
    with stored.session() as s:
        for word in WORDS:
            assert _ids(search(s, word)) == [1], word
