"""Issue 15, fourth round: the classes of misses recall_round4.jsonl found, fixed as classes.

Lists are written in one language; posts are Russian, Ukrainian and English; translation off.
"""

from __future__ import annotations

import pytest

from monitor.matching.explain import explain_term
from tests.support.matching import fires


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


@pytest.mark.parametrize(
    ("term", "text", "language", "expected"),
    [
        # a ru list's Mali in its uk spelling, which is also "small"
        ("Мали", "Малі та Буркіна-Фасо вийшли з ЕКОВАС", "uk", True),  # a conjunction next
        ("Мали", "Малі звинуватила Україну", "uk", True),  # a verb next
        ("Мали", "Малі, Нігер і Буркіна-Фасо", "uk", True),  # a comma next
        ("Мали", "Малі діти плакали в підвалі", "uk", False),  # adjective + noun
        ("Мали", "Малі групи просочуються в місто", "uk", False),
        # a uk list's own «Малі»: a lower-case word is "small"; a sentence start as above
        ("Малі", "Малі діти чекали на евакуацію", "uk", False),
        ("Малі", "малі групи диверсантів", "uk", False),
        ("Малі", "Малі й Нігер створили конфедерацію", "uk", True),
        ("Малі", "Армія Малі наступає", "uk", True),
        # a name that is also a noun: «чад» is fumes
        ("Чад", "Густой чад от горящих покрышек", "ru", False),
        ("Чад", "Армия Чада заявила о выводе французов", "ru", True),
        ("Чад", "Чад разорвал соглашение с Францией", "ru", True),
        # a pronoun reading still never opens a sentence as the name
        ("Того", "Того и гляди начнется штурм", "ru", False),
    ],
)
def test_a_name_that_is_also_a_common_word_is_told_apart_by_its_capital_and_the_next_word(
    term: str, text: str, language: str, expected: bool
) -> None:
    assert fires(term, text, language) is expected


def test_explain_says_when_the_next_word_decides_a_sentence_start() -> None:
    assert any("the next word is no lower-case noun" in line for line in explain_term("Чад"))


@pytest.mark.parametrize(
    ("term", "text", "expected"),
    [
        ("ГЭС", "Удар по Дніпровській ГЕС", True),  # Ukrainian has no э
        ("ГЕС", "Каховская ГЭС разрушена", True),
        ("US", "US troops left Niger", True),
        ("US", "Let us know what you see", False),  # an acronym that is an English word
        ("WHO", "The WHO warns of cholera", True),
        ("WHO", "Those who stayed were shelled", False),
        ("HIMARS", "himars strike confirmed", True),  # no English word: any case, as before
    ],
)
def test_an_abbreviation_matches_the_other_languages_letters_and_english_words_need_capitals(
    term: str, text: str, expected: bool
) -> None:
    assert fires(term, text) is expected


@pytest.mark.parametrize(
    ("term", "text", "expected"),
    [
        ("Сырский", "Наказ Сирського виконано", True),  # ы → и, -ский → -ський, declined
        ("Зеленский", "Указ Зеленського набув чинності", True),
    ],
)
def test_a_russian_surname_in_ski_gets_its_ukrainian_spelling_without_a_dictionary(
    term: str, text: str, expected: bool
) -> None:
    assert fires(term, text) is expected


@pytest.mark.parametrize(
    ("term", "text", "expected"),
    [
        ("стіл", "Стол переговоров накрыт", True),  # uk і is ru о where Ukrainian alternates
        ("двір", "Двор обстреляли ночью", True),  # двір, двору: the alternation is its own
        ("ніс", "Нос лодки пробит", True),
        ("кіт", "На берег выбросило кита", False),  # not и: «кіт» declines «кота»
        ("рік", "Рок-концерт отменили", False),  # uk «рок» ("fate") is a word: рік ≠ рок
    ],
)
def test_a_common_word_takes_the_i_o_alternation_only_where_ukrainian_has_it_itself(
    term: str, text: str, expected: bool
) -> None:
    assert fires(term, text) is expected


@pytest.mark.parametrize(
    ("term", "text", "expected"),
    [
        ("Ланцет", "Two Lancets hit a howitzer", True),  # ц before e: c, as Latin writes it
        ("цемент", "The cement plant in Amvrosiivka was hit", True),
        ("Ланцет", "Lantset drones", True),  # the transliteration, as before
    ],
)
def test_a_latin_spelling_keeps_c_before_e_and_i(term: str, text: str, expected: bool) -> None:
    assert fires(term, text) is expected


@pytest.mark.parametrize(
    ("term", "reason"),
    [
        ("РЭБ", "added: реб: Russian э is Ukrainian е in an abbreviation"),
        ("US", "added: us: also an English word, so only where a post writes it in capitals"),
        ("Ланцет", "added: lancet: Latin spelling of «ланцет» with c for ц before e and i"),
        ("кіт", "і ↔ о/е of the last syllable, as the Ukrainian word's own forms alternate"),
        ("Сырский", "added: сирський: uk spelling of the name «сырский»: neither dictionary"),
    ],
)
def test_explain_says_what_this_rounds_expansions_added_and_why(term: str, reason: str) -> None:
    assert any(reason in line for line in explain_term(term))


@pytest.mark.parametrize(
    ("term", "text", "expected"),
    [
        # places in no list: the suffix says how the other language writes them
        ("Красногоровка", "Бої за Красногорівку тривають", True),
        ("Новогродовка", "ЗСУ залишили Новогродівку", True),
        ("Доброполье", "Удар по Добропіллю", True),
        ("Дзержинск", "Бої біля Дзержинська", True),  # not the foreign-name «Дзержінськ»
        ("Гданьск", "Порт Гданська прийняв судно", True),
        ("Горлівка", "В Горловке слышны взрывы", True),
        ("готівка", "Готовка ужина заняла час", False),  # a word there: ru «готовка» (cooking)
    ],
)
def test_a_slavic_place_name_takes_the_other_languages_suffix(
    term: str, text: str, expected: bool
) -> None:
    assert fires(term, text) is expected


@pytest.mark.parametrize(
    ("term", "text", "expected"),
    [
        ("Horlivka", "Обстрел Горловки продолжается", True),  # Horlivka → Горлівка → Горловка
        ("Mali", "Армія Малі наступає на північ", True),  # Mali → Мали → uk Малі
        ("Mali", "Малі діти плакали в підвалі", False),  # uk "small": the capital rules hold
        ("Chad", "Густой чад от горящих покрышек", False),
    ],
)
def test_a_latin_name_finds_the_other_language_spelling_of_its_cyrillic_reading(
    term: str, text: str, expected: bool
) -> None:
    assert fires(term, text) is expected
