"""The query language, stemming and highlighting: pure, table-driven."""

from __future__ import annotations

import pytest

from monitor.core.errors import QueryError
from monitor.core.snippet import mark, snippet
from storage.highlight import hit_spans
from storage.query import And, Leaf, Not, Or, parse_query, positive_leaves, to_fts5, to_tsquery
from storage.stemming import search_text, stem


@pytest.mark.parametrize(
    ("query_word", "text_word"),
    [
        ("Вагнер", "Вагнера"),
        ("вагнер", "ВАГНЕРУ"),
        ("беспилотник", "беспилотников"),
        ("беспілотник", "беспілотників"),
        ("Україна", "Україною"),
        ("дрон", "дронів"),
        ("drone", "drones"),
        ("attack", "attacked"),
        ("елка", "ёлки"),
    ],
)
def test_inflections_share_a_stem(query_word: str, text_word: str) -> None:
    assert search_text(query_word) == search_text(text_word)


def test_short_words_are_not_stemmed() -> None:
    assert stem("всу") == "всу"
    assert search_text("ВСУ и ЗСУ") == "всу и зсу"


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("вагнер", Leaf(("вагнер",))),
        ('"колонна техники"', Leaf(("колонна", "техники"))),
        ("беспилот*", Leaf(("беспилот",), prefix=True)),
        ("a b", And((Leaf(("a",)), Leaf(("b",))))),
        ("a AND b", And((Leaf(("a",)), Leaf(("b",))))),
        ("a OR b c", Or((Leaf(("a",)), And((Leaf(("b",)), Leaf(("c",))))))),
        ("a -b", And((Leaf(("a",)), Not(Leaf(("b",)))))),
        ("a NOT (b OR c)", And((Leaf(("a",)), Not(Or((Leaf(("b",)), Leaf(("c",)))))))),
        ("covid-19", Leaf(("covid", "19"))),
        ("ЁЖИК", Leaf(("ежик",))),
        ("and or not", And((Leaf(("and",)), Leaf(("or",)), Leaf(("not",))))),
        ("'; drop table post; --", And((Leaf(("drop",)), Leaf(("table",)), Leaf(("post",))))),
    ],
)
def test_parse(query: str, expected: object) -> None:
    assert parse_query(query) == expected


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("", "empty"),
        ("   ", "empty"),
        (";;", "empty"),
        ('x"y', "unclosed quote at position 2"),
        ("a )", "unexpected ')' at position 3"),
        ('"unclosed phrase', "unclosed quote at position 1"),
        ("(a OR b", "unclosed parenthesis at position 1"),
        ("a OR b)", "unexpected ')' at position 7"),
        ("a AND", "AND at position 3 has nothing after it"),
        ("a OR", "OR at position 3 has nothing after it"),
        ("AND a", "AND at position 1 has nothing before it"),
        ("a NOT", "NOT at position 3 has nothing after it"),
        ("NOT a", "needs a positive term"),
        ("-a -b", "only excluded terms"),
        ("a OR -b", "needs a positive term"),
        ("()", "empty parentheses"),
        ('a ""', "empty phrase"),
        ("a AND OR b", "AND at position 3 has nothing after it"),
    ],
)
def test_malformed_queries_raise_one_line(query: str, message: str) -> None:
    with pytest.raises(QueryError) as info:
        parse_query(query)
    assert message in str(info.value)
    assert "\n" not in str(info.value)


@pytest.mark.parametrize(
    ("query", "fts5", "tsquery"),
    [
        ("Вагнера", '"вагнер"', "('вагнер')"),
        ('"колонна техники"', '"колон техник"', "('колон' <-> 'техник')"),
        ("беспилот*", '"беспилот" *', "('беспилот':*)"),
        ("a OR b", '("a" OR "b")', "(('a') | ('b'))"),
        ("a -b", '(("a") NOT "b")', "(('a') & !('b'))"),
        ('x "y"', '("x" AND "y")', "(('x') & ('y'))"),
    ],
)
def test_compile(query: str, fts5: str, tsquery: str) -> None:
    node = parse_query(query)
    assert to_fts5(node) == fts5
    assert to_tsquery(node) == tsquery


def test_positive_leaves_skip_negations() -> None:
    leaves = positive_leaves(parse_query("вагнер OR (бахмут -учения)"))
    assert [leaf.words for leaf in leaves] == [("вагнер",), ("бахмут",)]


def test_highlight_maps_stems_back_to_the_original_words() -> None:
    text = "Бойцы Вагнера у Бахмута; «ВАГНЕРОВЦЫ» ушли. Ёлки!"
    leaves = positive_leaves(parse_query("вагнер OR елка OR бахм*"))
    spans = hit_spans(text, leaves)
    assert [text[s:e] for s, e in spans] == ["Вагнера", "Бахмута", "Ёлки"]
    assert mark(snippet(text, spans)) == "Бойцы [Вагнера] у [Бахмута]; «ВАГНЕРОВЦЫ» ушли. [Ёлки]!"


def test_snippet_cuts_around_the_first_hit() -> None:
    text = "слово " * 60 + "Вагнера " + "хвост " * 60
    spans = hit_spans(text, positive_leaves(parse_query("вагнер")))
    snip = snippet(text, spans, width=80)
    assert snip.text.startswith("…") and snip.text.endswith("…")
    assert "[Вагнера]" in mark(snip)
    assert len(snip.text) < 110
