"""Pure helpers around a translation call: protecting formatting, splitting, reassembling."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from monitor.translation import segments
from monitor.translation.segments import (
    has_words,
    protect_entities,
    restore_entities,
    split_for_translation,
    translate_segments,
)


@pytest.mark.parametrize(
    ("text", "kept"),
    [
        ("Читайте https://example.org/a?b=1#frag сегодня", ["https://example.org/a?b=1#frag"]),
        ("Подпишись на @rybar и t.me/rybar/123.", ["@rybar", "t.me/rybar/123"]),
        ("#новости #СВО дня", ["#новости", "#СВО"]),
        ("Пишите: desk@example.org, ответим", ["desk@example.org"]),
        ("Курс $BTC растёт", ["$BTC"]),
        ("Код `x = 1` и {7} автора", ["`x = 1`", "{7}"]),
        ("www.kremlin.ru/events", ["www.kremlin.ru/events"]),
    ],
)
def test_protect_keeps_formatting_out_of_the_text(text: str, kept: list[str]) -> None:
    protected = protect_entities(text)
    assert list(protected.originals) == kept
    for original in kept:
        assert original not in protected.text
    assert restore_entities(protected.text, protected) == text


def test_code_entities_are_protected_by_offset() -> None:
    text = "Смотри блок кода здесь"
    protected = protect_entities(text, [{"type": "pre", "offset": 12, "length": 4}])
    assert protected.originals == ("кода",)
    assert restore_entities(protected.text, protected) == text


def test_restore_tolerates_spaces_and_appends_what_was_lost() -> None:
    protected = protect_entities("Смотри @rybar и https://t.me/x/1")
    # A translator that respaced one placeholder and dropped the other.
    restored = restore_entities("See { 0 } and more", protected)
    assert restored == "See @rybar and more\nhttps://t.me/x/1"


def test_only_links_and_tags_leave_nothing_to_translate() -> None:
    assert not has_words(protect_entities("https://t.me/a/1 #tag @someone 2024"))
    assert has_words(protect_entities("Привет https://t.me/a/1"))


@pytest.mark.parametrize("limit", [5, 12, 40, 200, 5000])
def test_split_rejoins_exactly_and_respects_the_limit(limit: int) -> None:
    text = (
        "Первый абзац. Второе предложение!\n\nВторой абзац на\nдвух строках… Ещё одно;  "
        "и длинноесловобезпробеловвообщеникаких {12} конец.\n"
    )
    segments = split_for_translation(text, limit)
    assert "".join(s.lead + s.core + s.tail for s in segments) == text
    assert all(len(s.core) <= limit for s in segments)
    if limit >= 12:
        assert all("{1" not in s.core or "{12}" in s.core for s in segments)


def test_split_prefers_paragraphs_then_sentences() -> None:
    text = "Один. Два.\n\nТри. Четыре."
    cores = [s.core for s in split_for_translation(text, 12)]
    assert cores == ["Один. Два.", "Три. Четыре."]
    assert [s.core for s in split_for_translation(text, 8)] == ["Один.", "Два.", "Три.", "Четыре."]


def test_translate_segments_keeps_order_and_links() -> None:
    text = "Привет мир. @rybar\n\nВторой абзац https://t.me/c/1/2 конец."
    calls: list[str] = []

    def piece(p: str) -> str:
        calls.append(p)
        return p.upper()

    out = translate_segments(text, 20, piece)
    assert len(calls) > 1 and all(len(c) <= 20 for c in calls)
    assert "@rybar" in out and "https://t.me/c/1/2" in out
    assert out.index("ПРИВЕТ") < out.index("ВТОРОЙ")
    assert "\n\n" in out


def test_pieces_with_only_placeholders_are_not_sent() -> None:
    calls: list[str] = []
    out = translate_segments("Текст\n\nhttps://t.me/x/1", 8, lambda p: calls.append(p) or "T")
    assert calls == ["Текст"]
    assert out == "T\n\nhttps://t.me/x/1"


_PIECES = [
    "www.",
    "://",
    "http",
    "https",
    "t.me/",
    "@",
    "#",
    "$",
    "`",
    "```",
    "a",
    "BTC",
    "x1",
    "ру",
    "_",
    "+",
    "-",
    ".",
    "/",
    " ",
    "\n",
    "{3}",
    "{ 4 }",
    "mail.org",
    "«",
    ")",
]


@settings(max_examples=400, deadline=None)
@given(st.lists(st.sampled_from(_PIECES), max_size=25).map("".join))
def test_protected_runs_are_what_the_whole_alternation_finds(text: str) -> None:
    # Only the alternatives whose literal a text contains are run (for speed); on any text
    # that must find exactly the runs the full alternation finds, leftmost first.
    whole = re.compile("|".join(p for p, _ in segments._PROTECTED_PARTS), re.DOTALL)
    expected = [(m.start(), m.end()) for m in whole.finditer(text)]
    assert [(m.start(), m.end()) for m in segments._protected_matches(text)] == expected
