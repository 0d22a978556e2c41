"""Property tests over the query parser and the search it drives: for any query string, a
QueryError (one line) or results — never another exception, never a hang. The compiled FTS5
and tsquery text is run against a real database on both backends, so syntax the database
itself rejects is found too."""

from __future__ import annotations

from datetime import timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from monitor.core.errors import QueryError, TgmonError
from storage.database import Database
from storage.query import parse_query, to_fts5, to_tsquery
from storage.search import search
from tests.support.alert_helpers import store_post

TOKENS = [
    "вагнер",
    "Бахмут",
    "drone",
    "x",
    "AND",
    "OR",
    "NOT",
    "and",
    "(",
    ")",
    '"',
    "-",
    "*",
    "-x",
    "беспилот*",
    '"колонна техники"',
    "'",
    ";",
    "\\",
    "NEAR",
    "^",
    ":",
    "{",
    "}",
    "+",
    "ё",
    "ß",
    "\x00",
    "\ud800",
    "Ми-24",
    "covid-19",
    "**",
    "--",
    "- -",
    "\u200b",
    "١٢",
    "ﬁ",
]
queries = st.one_of(
    st.text(max_size=60),
    st.lists(st.sampled_from(TOKENS), max_size=40).map(" ".join),
    st.lists(st.sampled_from(TOKENS), max_size=40).map("".join),
)
FUZZ = settings(
    max_examples=400,
    deadline=timedelta(seconds=10),
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


@FUZZ
@given(query=queries)
def test_parser_gives_a_query_error_or_compiles(query: str) -> None:
    try:
        node = parse_query(query)
        to_fts5(node)
        to_tsquery(node)
    except QueryError as exc:
        assert str(exc).startswith("query: ") and "\n" not in str(exc)


@pytest.fixture
def seeded(db: Database) -> Database:
    with db.session() as session:
        store_post(session, 1, 1, "Колонна «Вагнера» замечена под Бахмутом, drone covid-19")
        store_post(session, 1, 2, "Ми-24 и беспилотники; ß ﬁ ё")
    return db


@FUZZ
@given(query=queries)
def test_search_gives_a_tgmon_error_or_results(seeded: Database, query: str) -> None:
    try:
        with seeded.read_session() as session:
            search(session, query, limit=5)
    except TgmonError as exc:
        assert "\n" not in str(exc)
