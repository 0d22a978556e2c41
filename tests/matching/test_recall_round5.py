"""Issue 15, fifth round: what recall_round5.jsonl found, fixed as a class."""

from __future__ import annotations

import pytest

from monitor.matching.explain import explain_term
from tests.support.matching import fires


@pytest.mark.parametrize(
    ("term", "text", "expected"),
    [
        # an old ѣ: Russian е is Ukrainian і in any syllable of a name, both ways
        ("Белгород", "Над Білгородом збили дрони", True),
        ("Білгород", "В Белгороде снова сирены", True),
        # a name's spelling only: the common word «белый» gets nothing from it
        ("Белгород", "Білий дим над містом", False),
    ],
)
def test_an_old_yat_is_russian_e_and_ukrainian_i_in_any_syllable_of_a_name(
    term: str, text: str, expected: bool
) -> None:
    assert fires(term, text) is expected


def test_explain_says_the_old_yat_spelling_was_added_and_why() -> None:
    lines = explain_term("Белгород")
    assert any("білгород" in line and "old ѣ" in line for line in lines if line.startswith("added"))
