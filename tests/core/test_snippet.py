"""One highlighter for every view: merged spans, snippets around the first hit, hit runs."""

from __future__ import annotations

import pytest

from monitor.core.snippet import Segment, mark, merge_spans, segments, snippet


@pytest.mark.parametrize(
    ("length", "spans", "expected"),
    [
        (10, [[2, 4], [3, 6]], [(2, 6)]),  # overlapping
        (10, [[2, 4], [4, 6]], [(2, 6)]),  # touching
        (10, [[8, 20]], [(8, 10)]),  # clipped to the text
        (10, [[5, 5], [6, 3], [1]], []),  # empty, reversed, malformed
        (10, [[6, 7], [1, 2]], [(1, 2), (6, 7)]),  # sorted
    ],
)
def test_merge_spans(length: int, spans: list[list[int]], expected: list[tuple[int, int]]) -> None:
    assert merge_spans(length, spans) == expected


def test_snippet_cuts_around_first_hit_on_word_boundaries() -> None:
    text = " ".join(f"w{i}" for i in range(200)) + " Вагнер " + " ".join("x" * 3 for _ in range(80))
    at = text.index("Вагнер")
    snip = snippet(text, [(at, at + 6)], width=60)
    assert snip.text.startswith("…") and snip.text.endswith("…")
    assert "[Вагнер]" in mark(snip)
    assert len(snip.text) <= 60 + 2 + 40


def test_segments_split_text_into_runs() -> None:
    assert segments("abc Вагнер def", [(4, 10)]) == [
        Segment("abc ", False),
        Segment("Вагнер", True),
        Segment(" def", False),
    ]
    assert segments("", []) == [Segment("", False)]
