"""The one tokeniser shared by watchlist matching and the search index: table-driven."""

from __future__ import annotations

import pytest

from monitor.core.text import fold_word, split_words, word_spans

SPLITS = [
    # (text, words as written, folded words)
    ("#WagnerGroup", ["Wagner", "Group"], ["wagner", "group"]),
    ("#ВагнерГрупп", ["Вагнер", "Групп"], ["вагнер", "групп"]),
    (
        "#АфриканскийКорпус в Мали",
        ["Африканский", "Корпус", "в", "Мали"],
        ["африканский", "корпус", "в", "мали"],
    ),
    ("м'ясо", ["м'ясо"], ["м'ясо"]),  # Ukrainian apostrophe keeps the word whole
    ("м’ясо і пʼять", ["м’ясо", "і", "пʼять"], ["м'ясо", "і", "п'ять"]),  # typographic ones fold
    ("Wagner's men", ["Wagner", "s", "men"], ["wagner", "s", "men"]),  # not before Cyrillic
    ("#ЧВК_Вагнер", ["ЧВК", "Вагнер"], ["чвк", "вагнер"]),  # "_" splits
    ("БпЛА и ЗСУшники", ["БпЛА", "и", "ЗСУшники"], ["бпла", "и", "зсушники"]),  # acronyms stay
    ("ВАГНЕР iPhone", ["ВАГНЕР", "i", "Phone"], ["вагнер", "i", "phone"]),  # any lower→Upper cuts
    ("Ваг\u00adнер", ["Ваг\u00adнер"], ["вагнер"]),  # soft hyphen is invisible, not a split
    ("Ми\u0306 Ёлка", ["Ми\u0306", "Ёлка"], ["мй", "елка"]),  # decomposed «й», ё → е
    ("Вaгнер", ["Вaгнер"], ["вагнер"]),  # Latin look-alike inside a Cyrillic word
    ("Ту-22М3, 2026 г.", ["Ту", "22М3", "2026", "г"], ["ту", "22м3", "2026", "г"]),
    ("🔥«Бахмут»!", ["Бахмут"], ["бахмут"]),
    ("", [], []),
]


@pytest.mark.parametrize(
    ("text", "written", "folded"), SPLITS, ids=[s[0] or "empty" for s in SPLITS]
)
def test_words_split_and_fold(text: str, written: list[str], folded: list[str]) -> None:
    spans = word_spans(text)
    assert [w for w, _, _ in spans] == written
    assert all(text[start:end] == word for word, start, end in spans)  # offsets point at it
    assert split_words(text) == folded
    assert [fold_word(w) for w in written] == folded
