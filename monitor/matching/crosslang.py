"""The Ukrainian spelling of a Russian term word, and the Russian spelling of a Ukrainian one.

Analysts write a list in one language; channels write in both. «Сирия» is «Сирія» in Ukrainian,
«Ізраїль» is «Израиль» in Russian, «беспилотник» is «безпілотник». Candidates come from the
regular orthographic correspondences (и/і/ї, ы/и, е/є, э/е, ъ/', бес-/без-, -ский/-ський) and are
kept only when the other language's pymorphy3 dictionary knows them as a dictionary form of a
word of the same part of speech, so only real words are added. A name neither dictionary knows
(«Кидаль») gets the one spelling Ukrainian uses for foreign names (и → і), and only when that
spelling is no word in the other language. Decided once, when lists compile.
"""

from __future__ import annotations

import functools
import itertools
import re
from dataclasses import dataclass, replace
from typing import Any

from monitor.matching.morphology import _analysers, _known_parses
from monitor.matching.toponyms import toponym_ending, toponym_spelling
from monitor.matching.translit import cyrillic_spellings, ukrainian_reading

_VOWELS = set("аеиоуыэюяіїє")
_UK_LETTERS = set("іїєґ'")
_RU_LETTERS = set("ыэъё")
_MAX_CANDIDATES = 16
_NINE = set("дтзсцжчшр")
_ENDINGS_RU_UK = (
    ("ский", "ський"),
    ("цкий", "цький"),
    ("ская", "ська"),
    ("ское", "ське"),
    ("ские", "ські"),
)
_PREFIXES_RU_UK = (("бес", "без"), ("рас", "роз"))
# a word ending in a closed syllable: its head, the syllable's vowel, one final consonant
_CLOSED_LAST = re.compile(
    r"^(?P<head>.*[^аеиоуыэюяіїє])(?P<vowel>[аеиоуыэюяіїє])(?P<tail>[бвгдзклмнпрстфхцчшщ])$"
)


@dataclass(frozen=True)
class CrossSpelling:
    """A spelling of a term word in the other language, and why it was added."""

    spelling: str  # folded
    language: str  # the language it is spelled in: "uk" or "ru"
    reason: str
    # also a form of another word there («малі» = "small"): match it only when capitalised
    capital_only: bool = False


def _language_of(word: str) -> str | None:
    """Which language a folded Cyrillic term word is written in, if either can tell."""
    if _UK_LETTERS & set(word):
        return "uk"
    if _RU_LETTERS & set(word):
        return "ru"
    # where the word is a dictionary form: «мали» is Mali in Russian, only "had" in Ukrainian
    ru, uk = (bool(_base_parses(parses, word)) for parses in _known_parses(word))
    if ru and not uk:
        return "ru"
    if uk and not ru:
        return "uk"
    return None


def _ru_to_uk(word: str, name: bool = True) -> list[str]:
    """Ukrainian candidates for a Russian word, most likely first."""
    options: list[tuple[str, ...]] = []
    for i, ch in enumerate(word):
        after_vowel = i == 0 or word[i - 1] in _VOWELS
        if ch == "и":
            options.append(_ukrainian_i(word, i))
        elif ch == "е":
            options.append(("є", "е") if after_vowel else ("е",))
        elif ch == "ы":
            options.append(("и",))
        elif ch == "э":
            options.append(("е",))
        elif ch == "ъ":
            options.append(("'",))
        elif ch == "ё":
            options.append(("ьо", "о", "йо"))
        else:
            options.append((ch,))
    candidates = ["".join(c) for c in itertools.islice(itertools.product(*options), 64)]
    candidates += [c.replace("сс", "с") for c in candidates if "сс" in c]  # Россия → Росія
    # о/е of a closed last syllable of a name is і in Ukrainian (a soft sign before it goes):
    # Харьков → Харків, Чернигов → Чернігів
    closed = [
        m for c in candidates[:8] if name and (m := _CLOSED_LAST.match(c)) and m["vowel"] in "ое"
    ]
    candidates[1:1] = [m["head"].replace("ь", "") + "і" + m["tail"] for m in closed]
    if name:  # an old ѣ, Russian е, is Ukrainian і in any syllable: Белгород → Білгород
        candidates += _yat_spellings(candidates[0], "ru")
    return _with_affixes(candidates, _PREFIXES_RU_UK, _ENDINGS_RU_UK)


def _yat_spellings(regular: str, source: str) -> list[str]:
    """A name's regular other-language spelling with one old ѣ swapped, each place in turn:
    Russian е as Ukrainian і, or Ukrainian і (first rendered и) as Russian е.

    Only names take these, and only the ones the other dictionary knows count: which е was an
    old ѣ no rule can tell from the letters.
    """
    word, vowel, other = (regular, "е", "і") if source == "ru" else (regular, "и", "е")
    return [word[:i] + other + word[i + 1 :] for i, ch in enumerate(word) if ch == vowel and i]


def _ukrainian_i(word: str, i: int) -> tuple[str, ...]:
    """Russian и in Ukrainian, most likely first: Україна, Сирія, Кідаль, Малі."""
    before = word[i - 1] if i else ""
    after = word[i + 1] if i + 1 < len(word) else ""
    if before and before in _VOWELS:
        return ("ї", "і")
    if before in _NINE and after and after not in _VOWELS:
        return ("и", "і")  # the "rule of nine": Сирія, Чилі
    return ("і", "и")


def _uk_to_ru(word: str, name: bool = True) -> list[str]:
    """Russian candidates for a Ukrainian word, most likely first."""
    options: list[tuple[str, ...]] = []
    for i, ch in enumerate(word):
        if ch == "і":
            options.append(("и",))
        elif ch == "ї":
            options.append(("и", "йи"))
        elif ch == "є":
            options.append(("е", "э") if i == 0 else ("е",))
        elif ch == "и":
            options.append(("ы", "и"))
        elif ch == "е" and i == 0:
            options.append(("э", "е"))
        elif ch == "'":
            options.append(("ъ", "ь", ""))
        else:
            options.append((ch,))
    candidates = ["".join(c) for c in itertools.islice(itertools.product(*options), 64)]
    # і of a closed last syllable of a name is о or е in Russian, often with a soft sign the
    # Ukrainian lost before it: Харків → Харьков, Чернігів → Чернигов, Львів → Львов
    if name and (m := _CLOSED_LAST.match(word)) and m["vowel"] == "і":
        head = "".join(c[0] for c in options[: len(m["head"])])
        softened = re.sub(r"([бвгдзклмнпрстфхцчшщ])(?=[бвгдзклмнпрстфхцчшщ]$)", r"\1ь", head)
        candidates[1:1] = [h + v + m["tail"] for h in (head, softened) for v in "ое"]
    if name:  # Ukrainian і for an old ѣ in any syllable is Russian е: Білгород → Белгород
        candidates += _yat_spellings(candidates[0], "uk")
    flipped = tuple((uk, ru) for ru, uk in _PREFIXES_RU_UK)
    return _with_affixes(candidates, flipped, tuple((uk, ru) for ru, uk in _ENDINGS_RU_UK))


def _with_affixes(
    candidates: list[str],
    prefixes: tuple[tuple[str, str], ...],
    endings: tuple[tuple[str, str], ...],
) -> list[str]:
    found = []
    for candidate in candidates:
        found.append(candidate)
        for old, new in prefixes:
            if candidate.startswith(old):
                found.append(new + candidate[len(old) :])
        for old, new in endings:
            if candidate.endswith(old):
                found += [c[: -len(old)] + new for c in found[-2:] if c.endswith(old)]
    return list(dict.fromkeys(c for c in found))[:_MAX_CANDIDATES]


def _base_parses(parses: tuple[Any, ...], word: str) -> list[Any]:
    return [p for p in parses if p.normal_form.replace("ё", "е") == word or "nomn" in p.tag]


def _describe(parse: Any) -> str:
    grammemes = parse.tag.grammemes
    tags = [str(parse.tag.POS or "")] + sorted(
        g for g in ("Geox", "Name", "Surn", "Orgn", "Abbr", "Fixd") if g in grammemes
    )
    return " ".join(t for t in tags if t)


_PROPER = ("Geox", "Name", "Surn", "Orgn", "Fixd")


def _proper(parses: tuple[Any, ...] | list[Any]) -> set[str]:
    return {g for p in parses for g in _PROPER if g in p.tag.grammemes}


@functools.lru_cache(maxsize=50_000)
def cross_spellings(word: str) -> tuple[CrossSpelling, ...]:
    """The other language's spelling of one folded Cyrillic term word (none or one)."""
    if len(word) < 3 or not word.replace("'", "").isalpha() or not _is_cyrillic(word):
        return ()
    source = _language_of(word)
    ru, uk = _known_parses(word)
    if not ru and not uk and (source is None or _adjective_ending(word) or toponym_ending(word)):
        return _name_spellings(word)  # «Сырский» is Russian by its ы, a name by its ending
    directions = [source] if source else ["ru", "uk"]  # «Европа» is in both dictionaries
    for language in directions:
        own = _base_parses(ru if language == "ru" else uk, word)
        found = _best_candidate(word, language, own)
        if found:
            return (found,)
    if source is not None and not (uk if source == "ru" else ru):
        own = _base_parses(ru or uk, word)
        place = toponym_spelling(word)
        # a place only one dictionary has: Russian tags it Geox, Ukrainian as a bare noun
        if place and place[1] != source and _a_place(own, source):
            return _place_spelling(word, *place)  # «Горловка» is no foreign name
        if _proper(own) - {"Fixd"}:
            return _one_dictionary_name(word, source)
    return ()


@functools.lru_cache(maxsize=50_000)
def reading_cross_spellings(word: str) -> tuple[CrossSpelling, ...]:
    """The other language's spelling of a Latin name's Cyrillic reading that one dictionary
    knows: Kharkiv is «Харків», which Russian writes «Харьков»; Mali is «Мали», uk «Малі»."""
    readings = cyrillic_spellings(word)[:4]
    for reading in dict.fromkeys(r for base in readings for r in (ukrainian_reading(base), base)):
        if not any(_known_parses(reading)):
            continue  # only a reading that is a word: a guess of a guess adds noise
        for found in cross_spellings(reading):
            if found.spelling in readings:
                continue  # Niger is «нигер» already
            reason = f"{found.reason} (the Cyrillic reading «{reading}» of «{word}»)"
            return (replace(found, reason=reason),)
    return ()


def _one_dictionary_name(word: str, source: str) -> tuple[CrossSpelling, ...]:
    """A name only one dictionary has («Буркина» is only in the Russian one): the other
    language writes it as it writes foreign names: «Буркіна-Фасо»; «Пригожин» keeps и after ж."""
    target = "uk" if source == "ru" else "ru"
    candidate = ukrainian_reading(word) if target == "uk" else word.replace("і", "и")
    if candidate == word or (
        _known_in(target, candidate)
        and not _proper(_base_parses(_known_in(target, candidate), candidate))
    ):
        return ()  # the same letters, or another word there
    reason = f"{target} spelling of the name «{word}»: only the {source} dictionary has it; " + (
        "uk writes a foreign и as і" if target == "uk" else "ru writes і as и"
    )
    return (CrossSpelling(candidate, target, reason),)


def _best_candidate(word: str, source: str, own: list[Any]) -> CrossSpelling | None:
    """The other language's real word that best matches the term word's readings."""
    target = "uk" if source == "ru" else "ru"
    parts_of_speech = {p.tag.POS for p in own}
    proper = _proper(own) - {"Fixd"}
    convert = _ru_to_uk if source == "ru" else _uk_to_ru
    candidates = convert(word)
    # the і ↔ о/е of a closed syllable into a name, checked against the other dictionary's
    # names; into a common word only where Ukrainian itself alternates and has no word of the
    # Russian spelling (кіт, кота → кот; not рік → рок: uk «рок» is "fate")
    names_only = set(candidates) - set(convert(word, name=False))
    best: tuple[int, int, str, list[Any], tuple[Any, ...]] | None = None
    for order, candidate in enumerate(candidates):
        if candidate == word:
            continue
        other = _known_in(target, candidate)
        bases = [p for p in _base_parses(other, candidate) if p.tag.POS in parts_of_speech]
        if not bases:
            continue
        shared = len(proper & _proper(bases))
        # a common word whose і alternates in Ukrainian is no и: «кіт» is «кот», not «кит»
        attested = candidate in names_only and _alternation_attested(word, candidate, source)
        if candidate in names_only and not proper | _proper(bases) - {"Fixd"} and not attested:
            continue
        exact = any(p.normal_form.replace("ё", "е") == candidate for p in bases)
        score = (-shared - exact - attested, order)
        if best is None or score < best[:2]:
            best = (*score, candidate, bases, other)
    if best is None:
        return None
    _, _, candidate, bases, other = best
    # a reading as a form of another lemma («малі» = plural of «малий», "small")
    elsewhere = sorted(
        {p.normal_form for p in other if p.normal_form.replace("ё", "е") != candidate}
    )
    reason = f"{target} spelling of «{word}»: in the {target} dictionary as {_describe(bases[0])}"
    if not _proper(bases) - {"Fixd"} and _alternation_attested(word, candidate, source):
        reason += "; і ↔ о/е of the last syllable, as the Ukrainian word's own forms alternate"
    elif candidate in _yat_spellings(convert(word, name=False)[0], source):
        reason += "; Russian е is Ukrainian і where it was an old ѣ"
    if elsewhere:
        reason += f"; also a form of «{elsewhere[0]}» there, so only when capitalised"
    return CrossSpelling(candidate, target, reason, capital_only=bool(elsewhere))


@functools.lru_cache(maxsize=50_000)
def _alternation_attested(word: str, candidate: str, source: str) -> bool:
    """Whether a common word's і ↔ о/е is Ukrainian's own: «кіт» declines «кота», «коту»."""
    uk_word, ru_word = (word, candidate) if source == "uk" else (candidate, word)
    if any(not _proper([p]) for p in _known_in("uk", ru_word)):
        return False  # a Ukrainian word of its own: uk «рок» is "fate", so «рік» ≠ «рок»
    forms = {
        lexeme.word
        for p in _known_in("uk", uk_word)
        if p.normal_form == uk_word
        for lexeme in p.lexeme
    }
    return any(form != uk_word and form.startswith(ru_word) for form in forms)


def _name_spellings(word: str) -> tuple[CrossSpelling, ...]:
    """A foreign name neither dictionary knows: Ukrainian writes и as і («Кидаль» → «Кідаль»).

    A Russian name shaped like an adjective («Зеленский», «Сырский») is no foreign name: its stem
    takes the regular correspondences (ы → и) and its ending the Ukrainian one (-ський).
    """
    ending = _adjective_ending(word)
    place = None if ending else toponym_spelling(word)
    if place:
        return _place_spelling(word, *place)
    if ending:
        target = "uk"
        candidate = _ru_to_uk(word[: -len(ending[0])], name=False)[0] + ending[1]
        reason = (
            f"uk spelling of the name «{word}»: neither dictionary knows it; "
            f"uk writes -{ending[0]} as -{ending[1]}, ы as и"
        )
    elif "и" in word:
        target, candidate = "uk", word.replace("и", "і")
        reason = f"uk spelling of the name «{word}»: neither dictionary knows it; uk writes и as і"
    elif "і" in word:
        target, candidate = "ru", word.replace("і", "и")
        reason = f"ru spelling of the name «{word}»: neither dictionary knows it; ru writes і as и"
    else:
        return ()
    other = _known_in(target, candidate)
    if other and not _proper(_base_parses(other, candidate)):
        return ()  # it would be another word there
    if other:
        reason = f"{target} spelling of the name «{word}»: in the {target} dictionary as " + (
            _describe(_base_parses(other, candidate)[0])
        )
    return (CrossSpelling(candidate, target, reason),)


def _place_spelling(word: str, candidate: str, target: str, rule: str) -> tuple[CrossSpelling, ...]:
    """A place name's spelling by its suffix (toponyms.py), unless that is another word there."""
    other = _known_in(target, candidate)
    if candidate == word or other and not _a_place(_base_parses(other, candidate), target):
        return ()  # another word there
    reason = f"{target} spelling of «{word}» as a place name: {rule}"
    return (CrossSpelling(candidate, target, reason),)


def _a_place(parses: list[Any], language: str) -> bool:
    """Whether dictionary parses read a word as a place: Geox in Russian; Ukrainian's
    dictionary tags few places, so there a noun that is no other kind of name will do."""
    if language == "ru":
        return "Geox" in _proper(parses)
    return any(p.tag.POS == "NOUN" for p in parses) and not _proper(parses) - {"Geox", "Fixd"}


def _adjective_ending(word: str) -> tuple[str, str] | None:
    """The Russian adjective ending of a name and its Ukrainian one: -ский → -ський."""
    return next((e for e in _ENDINGS_RU_UK if word.endswith(e[0]) and len(word) > 6), None)


@functools.lru_cache(maxsize=200_000)
def _known_in(language: str, word: str) -> tuple[Any, ...]:
    """Dictionary parses of a candidate in one language (half the cost of `_known_parses`)."""
    analyser = _analysers()[0 if language == "ru" else 1]
    if not analyser.word_is_known(word):
        return ()  # most candidates are no word: skip the slow guessing parse
    try:
        return tuple(p for p in analyser.parse(word) if p.is_known)
    except ValueError:  # a letter without a Unicode name (see `_known_parses`)
        return ()


def _is_cyrillic(word: str) -> bool:
    return all("\u0400" <= ch <= "\u04ff" or ch == "'" for ch in word)
