"""Matching posts against watchlists: what fires, what must not, and where it is highlighted."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from monitor.core.text import WORD, fix_mixed_script
from monitor.matching import evaluation
from monitor.matching.matcher import Hit, Matcher, compile_matcher, explain_term, fold_aligned
from monitor.matching.watchlists import Watchlist, load_watchlists

DATA = Path(__file__).resolve().parents[1] / "data" / "matching"
CONFIG = Path(__file__).resolve().parents[2] / "config" / "watchlists"


@dataclass(frozen=True)
class Channel:
    channel_id: int
    username: str | None = None


def matcher(*rules: dict[str, Any], **list_keys: Any) -> Matcher:
    """One list named 't' with the given rules and list-level keys."""
    return compile_matcher([Watchlist.model_validate({"name": "t", "rules": rules, **list_keys})])


def highlighted(text: str, hits: list[Hit]) -> list[str]:
    return [text[start:end] for hit in hits for start, end in hit.spans]


@pytest.fixture(scope="module")
def examples() -> Matcher:
    return compile_matcher(load_watchlists([CONFIG]))


LABELLED = [
    json.loads(line) for line in (DATA / "morphology.jsonl").read_text("utf-8").split("\n") if line
]


@pytest.mark.parametrize(
    "row", LABELLED, ids=[f"{r['term']}|{r['text']}|{r['should_match']}" for r in LABELLED]
)
def test_labelled_forms_derivations_transliterations_and_traps(row: dict[str, Any]) -> None:
    hits = matcher({"any": [row["term"]]}).match(row["text"], language=row["language"])
    assert bool(hits) is row["should_match"], row["note"]


SPANS = [
    ("Бойцы Вагнера вошли в город", "Вагнер", ["Вагнера"]),
    ("🔥🔥 Бойцы «ВАГНЕРА» 🇷🇺 вошли", "Вагнер", ["ВАГНЕРА"]),  # emoji are 1–2 code points
    ("Вaгнер с латинской a", "Вагнер", ["Вaгнер"]),  # Latin look-alike inside a Cyrillic word
    ("ЧВК Ｗａｇｎｅｒ (fullwidth)", "Wagner", ["Ｗａｇｎｅｒ"]),  # NFKC
    ("Ваг\u00adнер с мягким переносом", "Вагнер", ["Ваг\u00adнер"]),  # soft hyphen inside
    ("Ми\u0306 и Мали", "Мали", ["Мали"]),  # a decomposed «й» before the word
    ("#Мали #Вагнер @wagner_group", "Вагнер", ["Вагнер", "wagner"]),  # hashtags and mentions
    ("Wagner's men", "Wagner", ["Wagner"]),  # the possessive is not part of the word
    ("#АфриканскийКорпус", "Африканский корпус", ["АфриканскийКорпус"]),  # glued hashtag
    ("#WagnerGroup", "Wagner", ["Wagner"]),
    ("м’ясорубка під Вагнером", "Вагнер", ["Вагнером"]),
    ("вагнеровцы и вагнерівці", "Вагнер", ["вагнеровцы", "вагнерівці"]),
    ("В Африканском   корпусе", "Африканский корпус", ["Африканском   корпусе"]),
    ("бій під Тин-Зауатеном", "Тин-Зауатен", ["Тин-Зауатеном"]),
]


@pytest.mark.parametrize(("text", "term", "expected"), SPANS)
def test_spans_point_into_the_original_text(text: str, term: str, expected: list[str]) -> None:
    hits = matcher({"any": [term]}).match(text, language="ru")
    assert highlighted(text, hits) == expected


RULE_KINDS = [
    # any
    ({"any": ["Вагнер", "Мали"]}, "Мали снова в новостях", True, ["Мали"]),
    ({"any": ["Вагнер", "Мали"]}, "Нигер снова в новостях", False, []),
    # all: every term, anywhere in the post
    ({"all": ["Вагнер", "Мали"]}, "Вагнеровцы покинули Мали", True, ["Вагнер", "Мали"]),
    ({"all": ["Вагнер", "Мали"]}, "Вагнеровцы покинули Нигер", False, []),
    ({"all": ["Wagner", "Mali"]}, "Wagner left Mali", True, ["Wagner", "Mali"]),
    # phrase: consecutive words in order, each inflected
    ({"phrase": "Африканский корпус"}, "бойцы Африканского корпуса", True, ["Африканский корпус"]),
    ({"phrase": "Африканский корпус"}, "корпус африканский", False, []),
    ({"phrase": "Африканский корпус"}, "африканский континент, корпус", False, []),
    ({"phrase": "drone strike"}, "Drone strikes hit the base", True, ["drone strike"]),
    # near: at most `within` words between the two terms
    (
        {"near": {"terms": ["Вагнер", "Кидаль"], "within": 3}},
        "Вагнер штурмует окраины Кидаля",
        True,
        ["Вагнер", "Кидаль"],
    ),
    (
        {"near": {"terms": ["Вагнер", "Кидаль"], "within": 3}},
        "Кидаль взят, а Вагнер, как сообщают источники, ушёл",
        True,
        ["Вагнер", "Кидаль"],
    ),
    (
        {"near": {"terms": ["Вагнер", "Кидаль"], "within": 3}},
        "Вагнер ушёл. Через неделю, по словам местных, начались бои у Кидаля",
        False,
        [],
    ),
    (
        {"near": {"terms": ["Wagner", "convoy"], "within": 0}},
        "Wagner convoys ambushed",
        True,
        ["Wagner", "convoy"],
    ),
    # regex: on the folded text (lower case, ё→е), spans in the original
    ({"regex": r"\bra-\d{5}\b"}, "Борт RA-78830 сел в Бамако", True, ["RA-78830"]),
    ({"regex": r"вагнер\w*"}, "ВАГНЁРОВЦЫ", True, ["ВАГНЁРОВЦЫ"]),
    ({"regex": r"\bra-\d{5}\b"}, "Борт RA-788 сел", False, []),
]


@pytest.mark.parametrize(("rule", "text", "fires", "terms"), RULE_KINDS)
def test_each_rule_kind(rule: dict[str, Any], text: str, fires: bool, terms: list[str]) -> None:
    hits = matcher(rule).match(text, language="ru")
    assert bool(hits) is fires
    if fires:
        (hit,) = hits
        assert list(hit.terms) == terms


def test_near_highlights_both_terms() -> None:
    text = "Вагнер штурмует окраины Кидаля"
    hits = matcher({"near": {"terms": ["Вагнер", "Кидаль"], "within": 3}}).match(text)
    assert highlighted(text, hits) == ["Вагнер", "Кидаля"]


def test_regex_span_is_exact_even_after_characters_that_fold_to_two() -> None:
    text = "Straße ﬁre: RA-78830"  # ß and the ﬁ ligature would change length under casefold/NFKC
    hits = matcher({"regex": r"ra-\d{5}"}).match(text)
    assert highlighted(text, hits) == ["RA-78830"]
    assert len(fold_aligned(text)) == len(text)


COMPOSER = {"not": ["опера", "композитор", "Рихард", "opera", "composer", "Richard"]}


@pytest.mark.parametrize(
    ("text", "fires"),
    [
        ("Вагнеровцы замечены в Мали", True),
        ("Wagner fighters seen in Mali", True),
        ("Рихард Вагнер: опера «Валькирия» впервые в Мали", False),
        ("В Мали поставили оперу Вагнера", False),
        ("Richard Wagner's operas staged in Mali", False),
        ("Composer Wagner celebrated in Mali", False),
    ],
)
def test_list_wide_not_silences_the_composer(text: str, fires: bool) -> None:
    m = matcher({"all": ["Вагнер", "Мали"]}, **COMPOSER)
    assert bool(m.match(text, language=None)) is fires


def test_rule_level_not_silences_only_that_rule() -> None:
    m = matcher(
        {"id": "plant", "any": ["Герань"], "not": ["цветок", "рассада"]},
        {"id": "all", "any": ["Герань"]},
    )
    assert [h.rule_id for h in m.match("Рассада герани и цветок")] == ["all"]
    assert [h.rule_id for h in m.match("Сбиты три «Герани»")] == ["plant", "all"]


@pytest.mark.parametrize(
    ("text", "language", "fires"),
    [
        ("Ситуация в Мали обостряется", "ru", True),
        ("Ми мали зустріч у штабі", "uk", False),  # "we had a meeting"
        ("Вони мали рацію", "uk", False),  # "they were right"
        ("Ситуация в Мали обостряется", None, False),  # language unknown: scoped rule waits
        ("Situation in Mali", "en", False),
    ],
)
def test_language_scope(text: str, language: str | None, fires: bool) -> None:
    m = matcher({"any": ["Мали"], "languages": ["ru"]})
    assert bool(m.match(text, language=language)) is fires


@pytest.mark.parametrize(
    ("text", "language", "fires"),
    [
        ("Ми мали зустріч з Вагнером", "uk", False),  # «мали» is "had" in Ukrainian
        ("Бійці Вагнера в Малі", "uk", True),  # «Малі» is added as the Ukrainian spelling
        ("Бійці Вагнера та малі групи", "uk", False),  # but «малі» is "small"
        ("Бойцы Вагнера в Мали", "ru", True),
        ("Бойцы Вагнера в Мали", "uk", False),
        ("Бойцы Вагнера в Мали", None, True),  # language unknown: a missed post is worse
    ],
)
def test_ukrainian_had_is_not_mali_even_without_a_language_scope(
    text: str, language: str | None, fires: bool
) -> None:
    m = matcher({"all": ["Вагнер", "Мали"]})
    assert bool(m.match(text, language=language)) is fires


@pytest.mark.parametrize(
    ("channel", "fires"),
    [
        (Channel(1234567890, "Rybar"), True),  # usernames compare case-insensitively
        (Channel(1234567890, None), False),
        (Channel(42, None), True),  # listed as "-10042" in the file
        (Channel(7, "grey_zone"), True),
        (Channel(7, "other"), False),
        (None, False),
    ],
)
def test_channel_scope(channel: Channel | None, fires: bool) -> None:
    m = matcher({"any": ["Мали"], "channels": ["@rybar", -10042, "https://t.me/grey_zone"]})
    assert bool(m.match("Мали", channel=channel)) is fires


@pytest.mark.parametrize(
    ("scope", "source", "fires"),
    [
        ("original", "original", True),
        ("original", "translation", False),
        ("translation", "original", False),
        ("translation", "translation", True),
        ("both", "translation", True),
        (None, "translation", True),
    ],
)
def test_text_source_scope(scope: str | None, source: str, fires: bool) -> None:
    rule: dict[str, Any] = {"any": ["Mali"]}
    if scope:
        rule["text"] = scope
    hits = matcher(rule).match("Wagner in Mali", text_source=source)  # type: ignore[arg-type]
    assert bool(hits) is fires
    assert all(hit.text_source == source for hit in hits)


def test_list_scope_applies_unless_a_rule_sets_its_own() -> None:
    m = matcher(
        {"id": "list_scope", "any": ["Мали"]},
        {"id": "own_scope", "any": ["Мали"], "languages": ["uk", "ru"]},
        languages=["ru"],
        text="original",
    )
    assert [h.rule_id for h in m.match("Мали", language="ru")] == ["list_scope", "own_scope"]
    assert m.match("Мали", language="ru", text_source="translation") == []


@pytest.mark.parametrize(
    ("term", "text", "fires"),
    [
        ({"term": "ВСУ", "exact": True}, "ВСУ наступают", True),
        ({"term": "ВСУ", "exact": True}, "всухую", False),
        ("ВСУ", "ВСУ", True),  # capitals-only words are literal without being told
        ("ВСУ", "ВСУшники", False),
        ("NATO", "учения НАТО", True),  # ... but still cross scripts
        ({"term": "NATO", "exact": True}, "учения НАТО", False),
        ({"term": "корпус", "exact": True}, "корпуса", False),  # literal: no inflection
        ({"term": "корпус", "exact": True}, "КОРПУС", True),  # but case-insensitive
        ({"term": "Вагнер", "exact": True}, "Wagner", False),  # and no transliteration
        ({"term": "Вагнер", "translit": False}, "Wagner", False),
        ({"term": "Вагнер", "translit": False}, "Вагнеру", True),
        ({"term": "Tinzaouaten", "variants": ["Tinzawaten", "Тин-Зауатен"]}, "Tinzawaten", True),
        (
            {"term": "Tinzaouaten", "variants": ["Tinzawaten", "Тин-Зауатен"]},
            "у Тин-Зауатена",
            True,
        ),
        ({"term": "Tinzaouaten"}, "под Тинзауатеном", True),  # automatic: ou → у
        ({"term": "Малі", "match_case": True}, "Вагнер у Малі", True),
        ({"term": "Малі", "match_case": True}, "малі підприємства", False),  # "small"
        # a capitalised name that is also a common word wants the name, match_case or not
        ({"term": "Малі"}, "малі підприємства", False),
    ],
)
def test_term_options(term: dict[str, Any] | str, text: str, fires: bool) -> None:
    assert bool(matcher({"any": [term]}).match(text)) is fires


def test_a_hit_says_which_list_rule_and_terms_fired() -> None:
    m = compile_matcher(
        [
            Watchlist.model_validate(
                {
                    "name": "a",
                    "severity": "critical",
                    "rules": [{"any": ["Нигер"]}, {"id": "wm", "all": ["Вагнер", "Мали"]}],
                }
            ),
            Watchlist.model_validate(
                {"name": "b", "severity": "info", "rules": [{"name": "drones", "any": ["дрон"]}]}
            ),
        ]
    )
    text = "Дроны Вагнера над Мали"
    assert m.match(text, text_source="original") == [
        Hit(
            "a",
            "critical",
            2,
            "wm",
            "rule 2 (wm)",
            ("Вагнер", "Мали"),
            ((6, 13), (18, 22)),
            "original",
        ),
        Hit("b", "info", 1, "drones", "rule 1 (drones)", ("дрон",), ((0, 5),), "original"),
    ]


@pytest.mark.parametrize(
    ("text", "language", "rules"),
    [
        (
            "Бойцы ЧВК «Вагнер» под Кидалем вместе с малийской армией",
            "ru",
            {
                "wagner_mali:pmc_near_mali",
                "sahel:places",
                "sahel:fama",
                # «малийской» is derived from «Мали»: the Mali rules fire too
                "wagner_mali:wagner_mali",
                "wagner_mali:mali_security",
            },
        ),
        (
            "Вагнеровцы покидают Мали, их сменит Африканский корпус",
            "ru",
            {"wagner_mali:wagner_mali", "wagner_mali:africa_corps"},
        ),
        ("Ми мали бій з вагнерівцями", "uk", set()),
        # the Russian-written rule now finds the Ukrainian spelling too
        (
            "Вагнерівці залишили Малі",
            "uk",
            {"wagner_mali:wagner_mali_uk", "wagner_mali:wagner_mali"},
        ),
        ("В Мали поставили оперу Рихарда Вагнера", "ru", set()),
        (
            "Wagner mercenaries and FAMa clashed near Tinzawaten",
            "en",
            {"sahel:tinzaouaten", "sahel:fama"},
        ),
        ("Ночью сбиты 12 «Гераней» и два БПЛА", "ru", {"drones:shahed", "drones:drone_words"}),
        ("Полейте герань: цветок любит свет", "ru", set()),
        (
            "Ил-76 сел в аэропорту Бамако, борт RA-78830",
            "ru",
            {"airlift_africa:il76_near_airport", "airlift_africa:tail_number"},
        ),
        ("Собрали малину, маленький урожай, мало", "ru", set()),
    ],
)
def test_example_watchlists(examples: Matcher, text: str, language: str, rules: set[str]) -> None:
    hits = examples.match(text, language=language)
    assert {f"{h.watchlist}:{h.rule_id}" for h in hits} == rules


def test_every_list_compiles_into_one_matcher_that_reuses_terms() -> None:
    lists = [
        Watchlist.model_validate({"name": f"l{i}", "rules": [{"any": ["Вагнер", f"слово{i}"]}]})
        for i in range(50)
    ]
    m = compile_matcher(lists)
    assert m.term_count == 51  # «Вагнер» compiled once for fifty lists
    assert len(m.match("Вагнер")) == 50


def test_explain_term_shows_forms_endings_and_homographs() -> None:
    line, ukrainian, added = explain_term("Мали")
    assert line.startswith("mali, maly, мали; ")
    assert "мали- + {йец, йець, йска, йская," in line
    assert line.endswith("not in posts in: мали (uk)")
    assert ukrainian.startswith("малі; ")
    assert ukrainian.endswith(
        "; only capitalised; as the first word of a sentence, only when the next word is no "
        "lower-case noun or adjective (a common word of the same spelling)"
    )
    assert added.startswith("added: малі: uk spelling of «мали»: in the uk dictionary as NOUN")
    assert added.endswith("also a form of «малий» there, so only when capitalised")


def test_a_hyphenated_name_also_matches_written_together() -> None:
    assert matcher({"any": ["Тин-Зауатен"]}).match("бой у Тинзауатена")


def test_empty_text_matches_nothing() -> None:
    assert matcher({"regex": "a"}).match("") == []


@settings(max_examples=300, deadline=None)
@given(
    st.lists(
        st.sampled_from(
            [
                "a",
                "с",
                "e",
                "x",
                "o",
                "р",
                "Аг",
                "ВАГНЕР",
                "m",
                "'",
                "’",
                "\u0301",
                "\u200b",
                " ",
                "\n",
                "-",
                "_",
                "1",
                "ё",
                "Ё",
                "z",
                "ß",
                "ﬁ",
            ]
        ),
        max_size=24,
    ).map("".join)
)
def test_folding_for_regex_repairs_look_alikes_in_every_word(text: str) -> None:
    # fold_aligned repairs look-alikes only inside whitespace tokens that mix scripts (for
    # speed); the result must equal repairing every word of the text
    folded = text.translate(evaluation._CHAR_FOLD)
    every_word = WORD.sub(lambda m: fix_mixed_script(m.group()), folded)
    assert fold_aligned(text) == every_word
    assert len(fold_aligned(text)) == len(text)
