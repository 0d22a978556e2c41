"""Issue 15, second round: the classes of misses the held-out rows found, fixed as classes.

Lists are written in one language; posts are Russian, Ukrainian and English; translation off.
"""

from __future__ import annotations

import pytest

from tests.support.matching import fires


@pytest.mark.parametrize(
    ("term", "text", "expected"),
    [
        ("HIMARS", "Хаймарсы отработали по мосту", True),  # spoken reading, ru plural
        ("HIMARS", "Удари Хаймарсів по мостах", True),  # uk genitive plural
        ("HIMARS", "ХИМАРСами били по переправе", True),  # letter-wise reading, declined
        ("ATACMS", "Удар АТАКМСами по аэродрому", True),
        ("HIMARS", "HIMARSы", False),  # in Latin letters an acronym stays literal
        ("NATO", "Таблетки принимать натощак", False),  # a vowel-final reading never declines
        ("Javelin", "ПТРК Джавелін знищив танк", True),  # Ukrainian и → і in a foreign name
        ("Javelin", "Джавелінами знищено дві БМП", True),
    ],
)
def test_the_cyrillic_reading_of_a_latin_term_declines_like_a_noun(
    term: str, text: str, expected: bool
) -> None:
    assert fires(term, text) is expected


@pytest.mark.parametrize(
    ("term", "text", "expected"),
    [
        ("attack", "Jihadists attacked the camp", True),  # an action: its verb forms too
        ("attack", "drones attacking the column", True),
        ("raid", "Raiding parties crossed the border", True),
        ("bomb", "Aircraft bombed the bridge", True),
        ("kill", "Two soldiers were killed", True),
        ("drone", "The minister droned on about budgets", False),  # a thing: plural only
        ("drone", "Two drones were seen", True),
        ("base", "Moscow-based analysts disagree", False),
        ("mine", "A gold mining company left Mali", False),  # «mining» is a word of its own
        ("kill", "Drone operators need new skills", False),
    ],
)
def test_an_english_base_form_naming_an_action_gets_its_verb_forms(
    term: str, text: str, expected: bool
) -> None:
    assert fires(term, text) is expected


@pytest.mark.parametrize(
    ("term", "text", "language", "expected"),
    [
        ("Мали", "Малі діти плакали в підвалі", "uk", False),  # a capital opening a sentence
        ("Мали", "Бої тривають. Малі групи просочуються в місто", "uk", False),
        ("Мали", "Війська Малі відступили з Кідаля", "uk", True),  # a capital mid-sentence
        ("Мали", "Вагнерівці залишили Малі. Бої тривають", "uk", True),
        ("Мали", "Малі", "uk", True),  # a lone word is a label, not a sentence
        ("Мали", "Мали вышла из ЭКОВАС", "ru", True),  # the Russian name is no homograph
        ("Того", "После того как колонна ушла, начался обстрел", "ru", False),  # a pronoun
        ("Того", "Того и гляди начнется штурм", "ru", False),
        ("Того", "Президент Того встретился с делегацией", "ru", True),
        ("того", "После того как колонна ушла", "ru", True),  # written small: the word
    ],
)
def test_a_name_that_is_also_another_word_needs_a_capital_that_is_not_a_sentence_start(
    term: str, text: str, language: str, expected: bool
) -> None:
    assert fires(term, text, language) is expected


@pytest.mark.parametrize(
    ("term", "text", "expected"),
    [
        ("Буркина-Фасо", "Хунта Буркіна-Фасо висилає дипломатів", True),  # only ru knows it
    ],
)
def test_a_name_only_one_dictionary_has_gets_the_other_languages_spelling(
    term: str, text: str, expected: bool
) -> None:
    assert fires(term, text) is expected


@pytest.mark.parametrize(
    ("term", "text", "expected"),
    [
        ("strike", "A drone struck a fuel depot", True),  # irregular past
        ("shoot", "Air defence shot down a cruise missile", True),
        ("drive", "The column drove through Kupiansk at night", True),
        ("fly", "Two drones flew over the airfield", True),
        ("seize", "Jihadists seized the town of Boni", True),  # only ever a verb
        ("evacuate", "Civilians were evacuated from Vovchansk", True),  # evacuation
        ("fail", "The assault failed near Pokrovsk", True),  # failure
        ("expose", "The leak exposed the positions of the brigade", True),  # exposure
        ("capture", "Russian troops captured the village", True),  # itself an action noun
        ("drone", "The generator droned all night", False),  # a thing, not an action
        ("base", "A Kyiv-based think tank published the map", False),
        ("mine", "A gold mining company left Mali", False),  # "mining" is its own noun
    ],
)
def test_an_english_base_form_gets_its_verb_forms_on_dictionary_evidence(
    term: str, text: str, expected: bool
) -> None:
    assert fires(term, text) is expected


@pytest.mark.parametrize(
    ("term", "text", "expected"),
    [
        ("Харків", "Ночью был удар по Харькову", True),  # і of a closed syllable → о, + ь
        ("Чернігів", "Ночью был удар по Чернигову", True),
        ("Харьков", "Вибухи у Харкові цієї ночі", True),  # and back: о → і, ь dropped
        ("Чернигов", "Ракетний удар по Чернігову", True),
        ("рік", "Концерт рок-группы отменили", False),  # a common word: «рок» is no «рік»
    ],
)
def test_a_ukrainian_city_name_finds_its_russian_spelling_and_back(
    term: str, text: str, expected: bool
) -> None:
    assert fires(term, text) is expected
