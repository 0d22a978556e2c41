"""One word model: a bare search word finds what the same watchlist term fires on.

On the bundled samples through the whole pipeline (both databases): for every match of the
example watchlists, searching for the term spelling that fired returns the post. Then the
parts a user meets: «Вагнер» finds «вагнерівці» and "Wagner", `=Вагнер` does not, designations
find their spellings and not the pronoun, phrases keep their order.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlmodel import select

from monitor.config.settings import bundled_path, load_settings
from monitor.core.errors import QueryError
from monitor.core.events import ChannelInfo, ChannelPost
from monitor.matching.matcher import compile_matcher
from monitor.matching.watchlists import Rule, TermSpec, Watchlist
from monitor.services.importing import import_exports
from monitor.services.search import SearchService
from monitor.services.search_terms import MAX_ALTERNATIVES, expand_query
from monitor.wiring import build_app
from storage.database import Database
from storage.highlight import hit_spans
from storage.models import Channel, Match, Post
from storage.posts import ensure_channel, upsert_posts
from storage.query import parse_query, positive_leaves, to_fts5, to_tsquery
from storage.search import SearchFilters

EXPECTED = json.loads(bundled_path("samples", "expected.json").read_text(encoding="utf-8"))
T0 = datetime(2026, 11, 1, tzinfo=UTC)


def _term_specs(watchlists: list[Watchlist]) -> dict[str, list[TermSpec]]:
    """Every positive term of the lists by its label (the text a Match records)."""
    found: dict[str, list[TermSpec]] = {}
    for watchlist in watchlists:
        for rule in watchlist.rules:
            terms = list(rule.any or rule.all or ())
            if rule.near is not None:
                terms += list(rule.near.terms)
            if rule.phrase is not None:
                terms.append(TermSpec(term=rule.phrase))
            for spec in terms:
                found.setdefault(spec.term, []).append(spec)
    return found


def _fires(spelling: str, spec: TermSpec, text: str) -> bool:
    single = spec.model_copy(update={"term": spelling, "variants": ()})
    matcher = compile_matcher([Watchlist(name="one", rules=(Rule(any=(single,)),))])
    return bool(matcher.match(text))


def test_searching_the_term_that_fired_finds_every_matched_sample_post(db: Database) -> None:
    app = build_app(load_settings(bundled_path("tgmon.example.toml")), db=db)
    for channel in EXPECTED["channels"]:
        export = bundled_path("samples", channel, "result.json")
        channel_id = json.loads(export.read_text(encoding="utf-8"))["id"]
        import_exports(app.pipeline, export, usernames={channel_id: channel})
    specs = _term_specs(list(app.registry.watchlists))
    with db.session() as s:
        rows = s.exec(
            select(Channel.username, Post.message_id, Post.text, Post.translation, Match.terms)
            .join(Post, Post.id == Match.post_id)
            .join(Channel, Channel.id == Post.channel_id)
            .where(Match.removed_at.is_(None))
        ).all()
    wanted: dict[tuple[str, str], set[int]] = {}  # (spelling, channel) → message ids
    for username, message_id, text, translation, terms in rows:
        for label in terms:
            spellings = {
                spelling
                for spec in specs.get(label, [])
                for spelling in spec.spellings
                if any(_fires(spelling, spec, t) for t in (text, translation) if t)
            }
            assert spellings, (username, message_id, label)
            for spelling in spellings:
                wanted.setdefault((spelling, username), set()).add(message_id)
    assert len(wanted) > 30  # the lists fire on many posts, in several channels

    service = SearchService(db)
    missed = []
    for (spelling, username), ids in sorted(wanted.items()):
        page = service.search(
            spelling, SearchFilters(channels=(username,)), sort="date", limit=1000, offset=0
        )
        found = {hit.message_id for hit in page.hits}
        missed += [(spelling, username, i) for i in sorted(ids - found)]
    assert missed == []


@pytest.fixture
def posts(db: Database) -> Database:
    texts = {
        1: "Колонна вагнерівців пройшла через Гао",
        2: "Бойцы вагнеровцев замечены у Кидаля",
        3: "Wagner fighters left Bamako",
        4: "Над Бахмутом сбит Ми-24",
        5: "Українські сили збили Мі-24 над Донеччиною",
        6: "A Mi-24P was seen near the border",
        7: "Нас 24 человека было в колонне",
        8: "Бойцы Вагнера заняли позиции",
        9: "Техники колонна не видела, колонна стояла",
        10: "Kolonna tekhniki proshla cherez gorod",
        11: "Вагнер",
    }
    with db.session() as s:
        ensure_channel(s, ChannelInfo(101, "rybar", "Рыбарь"))
        upsert_posts(
            s,
            [ChannelPost(101, mid, T0 + timedelta(days=mid), text=t) for mid, t in texts.items()],
        )
    return db


def _ids(db: Database, query: str) -> list[int]:
    page = SearchService(db).search(query, SearchFilters(), sort="oldest", limit=100, offset=0)
    return [hit.message_id for hit in page.hits]


def test_a_bare_word_finds_forms_derivations_and_the_other_script(posts: Database) -> None:
    assert _ids(posts, "Вагнер") == [1, 2, 3, 8, 11]
    assert _ids(posts, "Wagner") == [1, 2, 3, 8, 11]
    assert _ids(posts, "wagner") == [3]  # lower-case Latin is an English word, as in a list


def test_an_equals_sign_searches_the_word_as_written(posts: Database) -> None:
    assert _ids(posts, "=Вагнер") == [8, 11]  # its own inflections only
    assert _ids(posts, "=wagner") == [3]


def test_a_designation_finds_its_spellings_not_the_pronoun(posts: Database) -> None:
    assert _ids(posts, "Ми-24") == [4, 5, 6]
    assert _ids(posts, "=Ми-24") == [4]


def test_a_phrase_keeps_its_order_and_finds_the_other_script(posts: Database) -> None:
    assert _ids(posts, '"колонна техники"') == [10]  # 9 has both words, not as a phrase
    assert _ids(posts, "колонна техники") == [9, 10]


def test_excluding_a_word_excludes_its_forms(posts: Database) -> None:
    assert _ids(posts, "колонна -Вагнер") == [7, 9, 10]  # not 1: «вагнерівців»


def test_the_expanded_forms_are_highlighted(posts: Database) -> None:
    page = SearchService(posts).search("Вагнер", SearchFilters(), sort="oldest", limit=5, offset=0)
    text = page.hits[0].text
    [(start, end)] = hit_spans(text, page.leaves)
    assert text[start:end] == "вагнерівців"


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.text(
        alphabet=st.sampled_from(list("Вагнер ми-24 =\"*()ORANDNOT wagnerМалі'ё-")), max_size=40
    )
)
def test_any_query_expands_and_compiles_for_both_databases(query: str) -> None:
    try:
        node = parse_query(query)
    except QueryError:
        return
    expanded = expand_query(node)
    assert to_fts5(expanded) and to_tsquery(expanded)
    for leaf in positive_leaves(expanded):
        assert len(leaf.alternatives) <= MAX_ALTERNATIVES
        assert not (leaf.literal or leaf.prefix) or leaf.alternatives == ()


@pytest.mark.parametrize("query", ["=", "= wagner", "=(wagner)", "wagner =", "==x", "=-x"])
def test_an_equals_sign_without_a_word_is_one_line_error(query: str) -> None:
    with pytest.raises(QueryError, match="'=' at position"):
        parse_query(query)
