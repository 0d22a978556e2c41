"""Abbreviations in a watchlist: «ВСУ», «БпЛА», HIMARS, US. They match literally, in either script.

They never decline or stem; a Latin acronym said as a word declines in Cyrillic (HIMARS →
«Хаймарсы»); Russian э is Ukrainian е (РЭБ / РЕБ); an acronym that is an English word (US, IS,
WHO) matches only when the post writes it in capitals.
"""

from __future__ import annotations

from monitor.matching.english import _lemma
from monitor.matching.morphology import _VOWELS, MIN_STEM, WordPattern
from monitor.matching.translit import (
    acronym_readings,
    is_cyrillic,
    is_latin,
    latin_spellings,
    ukrainian_reading,
)


def abbreviation_pattern(word: str, *, translit: bool = True) -> WordPattern:
    """An abbreviation matches literally, in either script: «НАТО» = NATO, «ВСУ» ≠ «всухую».

    A Latin acronym spoken as a word is, in Cyrillic, a Russian or Ukrainian noun and declines
    like one (HIMARS → «Хаймарсы», «Хаймарсів»); in Latin letters it stays literal.
    """
    forms = {word}
    stems: set[tuple[str, str]] = set()
    if is_cyrillic(word) and ("э" in word or "е" in word):
        # Ukrainian has no э: Russian РЭБ is Ukrainian РЕБ, and a Ukrainian РЕБ is Russian РЭБ
        forms.add(word.replace("э", "е") if "э" in word else word.replace("е", "э"))
    if translit and is_latin(word):
        for reading in acronym_readings(word):
            for spelling in dict.fromkeys((reading, ukrainian_reading(reading))):
                forms.add(spelling)
                if len(spelling) >= MIN_STEM + 1 and _spoken(spelling):
                    stems.add((spelling, "hard"))
    elif translit:
        forms.update(latin_spellings(word)[:1])
    # US and IS are also "us" and "is": written in capitals in a list, only in capitals
    upper = is_latin(word) and _lemma(word) is not None
    return WordPattern(frozenset(forms), frozenset(stems), upper=upper)


def abbreviation_notes(word: str) -> list[str]:
    """What `abbreviation_pattern` adds beyond the letters and why, for `watchlist explain`."""
    notes = []
    if is_cyrillic(word) and ("э" in word or "е" in word):
        other = word.replace("э", "е") if "э" in word else word.replace("е", "э")
        notes.append(f"{other}: Russian э is Ukrainian е in an abbreviation")
    if is_latin(word) and _lemma(word) is not None:
        notes.append(f"{word}: also an English word, so only where a post writes it in capitals")
    return notes


def _spoken(reading: str) -> bool:
    """Whether an acronym's reading is said as a word that declines: ends in a consonant after
    a vowel («химарс»), not a string of letters («фпв») or a vowel («нато»)."""
    return reading[-1] not in _VOWELS and any(ch in _VOWELS for ch in reading[:-1])


def is_abbreviation(word: str) -> bool:
    """«ВСУ», «БПЛА», «БпЛА»: short, mostly capitals; they do not decline, are never stemmed."""
    letters = [ch for ch in word if ch.isalpha()]
    capitals = sum(ch.isupper() for ch in letters)
    return 2 <= len(letters) <= 6 and (capitals == len(letters) or 2 * capitals > len(letters) + 1)
