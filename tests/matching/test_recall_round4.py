"""Issue 15, fourth round: the classes of misses recall_round4.jsonl found, fixed as classes.

Lists are written in one language; posts are Russian, Ukrainian and English; translation off.
"""

from __future__ import annotations

import pytest

from monitor.matching.explain import explain_term
from monitor.matching.matcher import compile_matcher
from monitor.matching.watchlists import Watchlist


def fires(term: str, text: str, language: str | None = None) -> bool:
    rules = [{"any": [term]}]
    m = compile_matcher([Watchlist.model_validate({"name": "t", "rules": rules})])
    return bool(m.match(text, language=language))


@pytest.mark.parametrize(
    ("term", "text", "expected"),
    [
        ("Рівне", "Ровно снова обстреляли", True),  # a changed root: і ↔ о in an open syllable
        ("Ровно", "Вибухи у Рівному", True),
        ("Кременчуг", "Удар по Кременчуку", True),  # г ↔ к
        ("Kharkov", "Удар по Харкову вночі", True),  # English spelling of the Russian name
        ("Миколаїв", "Nikolaev port", True),
        ("Угледар", "ЗСУ вийшли з Вугледара", True),  # a letter added
        ("Рівне", "Рівно о 9:00 почалася атака", False),  # uk "exactly", not Rivne in Russian
    ],
)
def test_a_place_in_the_place_name_list_matches_its_other_spellings(
    term: str, text: str, expected: bool
) -> None:
    assert fires(term, text) is expected


def test_explain_says_which_place_name_spellings_were_added_and_why() -> None:
    lines = explain_term("Миколаїв")
    assert any("Николаев: ru name of the place «Миколаїв»" in line for line in lines)
    assert any(line.startswith("added: Mykolaiv: en name") for line in lines)
