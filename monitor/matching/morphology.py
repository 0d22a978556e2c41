"""Turn one watchlist word into every form a post may use, decided once, when lists compile.

Posts are never lemmatised: a term word becomes a `WordPattern` (exact folded forms from the
pymorphy3 ru/uk dictionaries, plus `stem + allowed ending` rules for names the dictionaries do
not know and for derived words like «вагнеровцы» / «малийский»), and matching a post is then
dictionary look-ups. Bare Snowball stems are not used: they make «Мали» match «малые», «мало».
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from monitor.core.text import fold_word
from monitor.matching.english import english_forms
from monitor.matching.translit import (
    cyrillic_spellings,
    is_cyrillic,
    is_latin,
    latin_spellings,
    ukrainian_reading,
)

_VOWELS = set("аеиоуыэюяіїєaeiouy")
_ADJECTIVE_ENDING = (
    re.compile(r"(?:ск|ськ|цк|цьк|зьк)(ий|ый|ой|ая|яя|ое|ее|ие|ые|ій|а|е|і)$"),
    re.compile(r"\w{4}(ий|ый|ая|яя|ое|ее|ие|ые|ій)$"),
)
_PERSON = {"Name", "Surn", "Patr"}
_PROPER = {"Name", "Surn", "Patr", "Geox", "Orgn", "Trad"}

# Endings by stem class; "" means the stem itself. Russian and Ukrainian together.
_ADJ = (
    "о",
    "ий",
    "ый",
    "ой",
    "ая",
    "ое",
    "ие",
    "ые",
    "ого",
    "ому",
    "им",
    "ым",
    "ом",
    "ую",
    "ими",
    "ыми",
    "их",
    "ых",
    "ої",
    "ій",
    "а",
    "е",
    "і",
    "у",
    "ою",
    "ім",
)
_DEMONYM = (
    "ец",
    "цы",
    "ца",
    "цу",
    "цем",
    "це",
    "цев",
    "цам",
    "цами",
    "цах",
    "ець",
    "ці",
    "ців",
    "цям",
    "цями",
    "цях",
    "цю",
    "цеві",
    "ця",
)
SUFFIXES: dict[str, frozenset[str]] = {
    # after a hard consonant: вагнер-а, -у, -ом, -ы, -ов, uk -і, -ові, -ів
    "hard": frozenset(
        (
            "",
            "а",
            "у",
            "ом",
            "е",
            "ы",
            "и",
            "ов",
            "ам",
            "ами",
            "ах",
            "і",
            "ові",
            "ів",
            "ою",
            "ой",
            "ем",
            "еві",
            "ям",
            "ях",
        )
    ),
    # Russian/Ukrainian surnames in -ин/-ов: Пригожин-ым, -ых, -ой; uk Пригожин-им, -их
    "surname": frozenset(("ым", "ых", "ыми", "ой", "им", "их", "ими", "ої", "ою", "у")),
    # stems of -а/-я words: менак-а, -и, -е, -у, -ой
    "a": frozenset(("а", "ы", "и", "е", "у", "ой", "ою", "ам", "ами", "ах", "і", "ой", "ею")),
    "ya": frozenset(("я", "и", "е", "ю", "ей", "ею", "ям", "ями", "ях", "і", "ї", "єю")),
    # stems of -ь words: кидал-ь, -я, -ю, -ем
    "soft": frozenset(
        ("ь", "я", "ю", "ем", "е", "и", "ей", "ям", "ями", "ях", "ью", "і", "ів", "еві", "ю")
    ),
    # derived from a consonant-final name: вагнер-овцы, -овский, туарег-ский, вагнер-івці,
    # нигер-цы (not нигер-ийцы: Nigeria is another country)
    "derive_consonant": frozenset(
        [d + e for d in ("ов", "ев", "ів", "") for e in _DEMONYM]
        + [d + s + e for d in ("ов", "ев", "ів", "") for s in ("ск", "ськ") for e in _ADJ]
        + ["овщин" + e for e in ("а", "ы", "е", "у", "ой", "ою", "и", "і")]
    ),
    # Ukrainian adjectives of г/к/х-final names change the consonant: туарег → туарез-ький
    "derive_uk_softened": frozenset("ьк" + e for e in _ADJ),
    # derived from a vowel-final name: мали-йский, мали-йцы, малі-йський
    "derive_vowel": frozenset(
        ["й" + e for e in _DEMONYM] + ["й" + s + e for s in ("ск", "ськ") for e in _ADJ]
    ),
    # no "-ian": Nigerian is Nigeria, not Niger
    "latin_consonant": frozenset(("", "s", "es", "ien", "iens")),
    "latin_vowel": frozenset(("", "s", "an", "ans", "n", "ns")),
    # army → armies; convoy is "latin_consonant": convoys
    "latin_y": frozenset(("y", "ys", "ies")),
    # adjectives the dictionaries lack: малийск-ая, -ой, -ую; uk малійськ-а, -ої
    "adj": frozenset(
        _ADJ
        + (
            "яя",
            "ее",
            "его",
            "ему",
            "ем",
            "юю",
            "ей",
            "ие",
            "ія",
            "ього",
            "ьому",
            "ій",
            "ім",
            "іх",
            "іми",
            "ая",
            "ое",
            "ые",
        )
    ),
}
MAX_SUFFIX = max(len(s) for group in SUFFIXES.values() for s in group)
MIN_STEM = 3


@dataclass(frozen=True)
class WordPattern:
    """What one term word matches: exact folded forms, or a stem followed by an allowed ending."""

    forms: frozenset[str]
    stems: frozenset[tuple[str, str]]  # (stem, key of SUFFIXES)
    # (form, language): the form is another word in that language («мали» = "had" in uk)
    homographs: frozenset[tuple[str, str]] = frozenset()
    capitalised: bool = False  # `match_case`: the post word must start with a capital too
    # a name that is also a common word («Того» = "that", uk «Малі» = "small"): capitalised,
    # and not only because it starts a sentence
    proper: bool = False
    # with `proper`, a name that is also a content word (uk «Малі»): at a sentence start,
    # judged by the next word (`homographs.next_word_qualified`) instead of always dropped
    context_start: bool = False
    upper: bool = False  # an acronym that is also an English word (US, IS): only in capitals

    def matches(self, folded: str) -> bool:
        """Whether a folded post word is one of this word's forms (used by tests and tools)."""
        if folded in self.forms:
            return True
        return any(
            folded.startswith(stem) and folded[len(stem) :] in SUFFIXES[kind]
            for stem, kind in self.stems
        )


@functools.cache
def _analysers() -> tuple[Any, Any]:
    """Load the pymorphy3 analysers once per process (about half a second)."""
    import pymorphy3

    return pymorphy3.MorphAnalyzer(lang="ru"), pymorphy3.MorphAnalyzer(lang="uk")


@functools.lru_cache(maxsize=50_000)
def _known_parses(word: str) -> tuple[tuple[Any, ...], tuple[Any, ...]]:
    """Dictionary (not guessed) parses of `word` in Russian and in Ukrainian."""
    try:
        return tuple(_known(analyser, word) for analyser in _analysers())  # type: ignore[return-value]
    except ValueError:  # pymorphy3 looks up the Unicode name of letters it does not know
        return (), ()  # a letter without one («𗀀») is in no dictionary either


def _known(analyser: Any, word: str) -> tuple[Any, ...]:
    # a word no dictionary has gets no known parse: skip the slow guessing parse
    if not analyser.word_is_known(word):
        return ()
    # `is_known` asks the dictionary again for each parse; a parse of `word` itself is
    return tuple(p for p in analyser.parse(word) if p.word == word or p.is_known)


def _is_base(parse: Any, word: str) -> bool:
    """Whether a parse reads `word` as a dictionary form (or a nominative, like «туареги»)."""
    return parse.normal_form.replace("ё", "е") == word or "nomn" in parse.tag


def _homograph_languages(word: str) -> set[str]:
    """Languages in which `word` is only a form of another word, while elsewhere it is a base.

    «мали» is the country in Russian but the past tense of «мати» ("had") in Ukrainian.
    """
    known = dict(zip(("ru", "uk"), _known_parses(word), strict=True))
    base_in = {lang for lang, parses in known.items() if any(_is_base(p, word) for p in parses)}
    if not base_in:
        return set()
    return {lang for lang, parses in known.items() if parses and lang not in base_in}


def _dictionary_parses(word: str) -> Iterator[Any]:
    """Parses in which `word` is a dictionary form; other readings pull in unrelated words.

    Ukrainian «мали» read as the past tense of «мати» ("had") must not pull in «мав», «має»;
    Ukrainian «Малі» (Mali) read as the plural of «малий» ("small") must not pull in
    «малого», «мала». A nominative reading counts only when no reading is a dictionary form
    («туареги» → «туарег»).
    """
    for known in _known_parses(word):
        exact = [p for p in known if p.normal_form.replace("ё", "е") == word]
        # an indeclinable reading (a foreign name: Малі, Гао) outranks common-word ones;
        # not for surnames, whose feminine reading is indeclinable (Вагнер, Пригожин)
        if not any(_PERSON & p.tag.grammemes for p in exact):
            exact = [p for p in exact if "Fixd" in p.tag] or exact
        yield from exact or [p for p in known if "nomn" in p.tag]


@functools.lru_cache(maxsize=50_000)
def is_also_function_word(word: str) -> bool:
    """Whether a name is, in a language that has it as a name, also a pronoun or particle.

    «Того» is the country and the genitive of «тот» ("that"): like «ми» in «Ми-24», nearly
    every lower-case occurrence is the pronoun. Written capitalised in a list, such a term
    wants the name. (A name that is also a content word, uk «Малі» = "small", is left to
    `match_case`, as before.)
    """
    for parses in _known_parses(word):
        name = any(_PROPER & p.tag.grammemes and p.normal_form == word for p in parses)
        if name and any(_FUNCTION & p.tag.grammemes for p in parses if p.normal_form != word):
            return True
    return False


_FUNCTION = {"NPRO", "Apro", "PREP", "CONJ", "PRCL"}


def _cyrillic_pattern(word: str) -> tuple[set[str], set[tuple[str, str]]]:
    forms = {word}
    parses = list(_dictionary_parses(word))
    if not parses and any(_known_parses(word)):
        return forms, set()  # a known inflected form («военно» in «военно-морской»): literal
    stems: set[tuple[str, str]] = set()
    # foreign place names are often untagged but indeclinable: Малі, Гао
    proper = not parses or any(_PROPER & p.tag.grammemes or "Fixd" in p.tag for p in parses)
    declinable = not parses or not all("Fixd" in parse.tag for parse in parses)
    for parse in parses:
        forms.update(fold_word(lexeme.word) for lexeme in parse.lexeme)
    base = parses[0].normal_form.replace("ё", "е") if parses else word
    adjective = (
        None
        if parses
        else next((m for m in (p.search(word) for p in _ADJECTIVE_ENDING) if m), None)
    )
    if adjective:
        return forms, {(word[: adjective.start(1)], "adj")}
    # a word only one dictionary knows («Азавад» is only in the Ukrainian one) still
    # declines in the other language: add the regular endings of both
    one_dictionary = not all(any(_is_base(p, word) for p in known) for known in _known_parses(word))
    if (proper or one_dictionary) and declinable:
        stems.update(_inflection_stems(base))
    if proper and len(base) >= 4 or len(base) >= 5 and parses and parses[0].tag.POS == "NOUN":
        stems.update(_derivation_stems(base))
    return forms, stems


def _derivation_stems(base: str) -> set[tuple[str, str]]:
    """Demonyms and adjectives of a name: вагнер-овцы, мали-йский, украин-ский, росси-йский."""
    last = base[-1]
    if last in "ьй":
        return {(base[:-1], "derive_consonant")}
    if last in "ая":
        return {(base[:-1], "derive_consonant"), (base[:-1], "derive_vowel")}
    if last in _VOWELS:
        return {(base, "derive_vowel")}
    if last in "гкх":
        softened = base[:-1] + {"г": "з", "к": "ц", "х": "с"}[last]
        return {(base, "derive_consonant"), (softened, "derive_uk_softened")}
    return {(base, "derive_consonant")}


def _inflection_stems(base: str) -> set[tuple[str, str]]:
    """Endings for names the dictionaries lack or decline only in Russian (Ukrainian -і, -ові)."""
    last = base[-1]
    if last in "ая" and len(base) >= 5:
        return {(base[:-1], "a" if last == "а" else "ya")}
    if last in "ьй" and len(base) >= 4:
        return {(base[:-1], "soft")}
    if re.search(r"(ин|ын|ов|ев|ів)$", base) and len(base) >= 5:
        return {(base, "hard"), (base, "surname")}
    if last not in _VOWELS and len(base) >= MIN_STEM + 1:
        return {(base, "hard")}
    return set()  # vowel-final foreign names (Гао, Тимбукту, Мали) do not decline


def _latin_pattern(word: str) -> tuple[set[str], set[tuple[str, str]]]:
    if len(word) < 4 or not word.isalpha():
        return {word}, set()
    if word.endswith("y") and word[-2] not in _VOWELS:
        return {word}, {(word[:-1], "latin_y")}
    kind = "latin_vowel" if word[-1] in _VOWELS and word[-1] != "y" else "latin_consonant"
    return {word}, {(word, kind)}


@functools.lru_cache(maxsize=100_000)
def word_pattern(
    word: str, *, exact: bool = False, translit: bool = True, english: bool = False
) -> WordPattern:
    """Every form of one folded term word, in both scripts unless `exact`.

    `english`: a common English word (written in lower case in the list): its English forms
    only — no Cyrillic readings, so no «каптуред-ский» from "captured".
    """
    if exact or not word.replace("'", "").isalpha():
        return WordPattern(frozenset({word}), frozenset())
    if english and is_latin(word):
        return WordPattern(english_forms(word), frozenset())
    forms: set[str] = set()
    stems: set[tuple[str, str]] = set()
    homographs: set[tuple[str, str]] = set()
    spellings = [word]
    if translit:
        readings = cyrillic_spellings(word)
        # a Latin name in Cyrillic is spelled the Ukrainian way too: Javelin → Джавелін
        readings += [ukrainian_reading(r) for r in readings]
        spellings += latin_spellings(word) + list(dict.fromkeys(readings))
    for spelling in spellings:
        if is_cyrillic(spelling):
            more_forms, more_stems = _cyrillic_pattern(spelling)
            homographs.update((spelling, lang) for lang in _homograph_languages(spelling))
            base = _base_form(spelling) if spelling == word and translit else spelling
            for latin in latin_spellings(base) if base != spelling else ():
                # romanise the base form too: «туареги» → tuareg, touareg(s)
                latin_forms, latin_stems = _latin_pattern(latin)
                more_forms |= latin_forms
                more_stems |= latin_stems
        elif is_latin(spelling):
            more_forms, more_stems = _latin_pattern(spelling)
        else:
            more_forms, more_stems = {spelling}, set()
        forms |= more_forms
        stems |= more_stems
    stems = {(stem, kind) for stem, kind in stems if len(stem) >= MIN_STEM}
    return WordPattern(frozenset(forms), frozenset(stems), frozenset(homographs))


def _base_form(word: str) -> str:
    parses = list(_dictionary_parses(word))
    return parses[0].normal_form.replace("ё", "е") if parses else word
