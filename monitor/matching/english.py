"""English inflection of an English term word: captured ↔ capture, captures, capturing.

Forms, never bare stems: candidate forms come from English spelling rules (e-drop, consonant
doubling, y → ies) applied to the term's lemma, and are kept only when simplemma's English
dictionary knows them as forms of that same lemma ("captured" adds "capture", "capturing",
never "captain"). A term written in its base form is ambiguous between a thing and an action
("drone" / "the speaker droned on", "base" / "Kyiv-based"), so it gets its verb forms only on
evidence, from the dictionaries, that it names an action:
- lemminflect knows it only as a verb ("seize", "evacuate");
- its past is irregular ("strike" → "struck", "fly" → "flew", "shoot" → "shot");
- simplemma knows an agent noun ("attack" → attacker, "raid" → raider);
- simplemma knows its action noun ("fail" → failure, "expose" → exposure,
  "evacuate" → evacuation), or the word is one ("capture").
Irregular verb forms come from lemminflect; regular ones, as above, must be forms of the same
lemma in simplemma ("mining" is a noun of its own, not "mine"). A thing ("drone",
"base") or a word the dictionaries lack gets its plural only.
"""

from __future__ import annotations

import functools
import re
from typing import Any

_VOWELS = set("aeiou")
_LATIN_WORD = re.compile(r"^[a-z]+$")
_SIBILANT_ENDINGS = ("s", "x", "z", "ch", "sh")


@functools.cache
def _lemmatiser() -> Any:
    """simplemma's English lemmatiser (its dictionary loads on first use, about 0.2 s)."""
    import simplemma

    return simplemma


def _lemma(word: str) -> str | None:
    """The dictionary lemma of `word`, or None when the English dictionary does not know it."""
    simplemma = _lemmatiser()
    if not simplemma.is_known(word, lang="en"):
        return None
    return str(simplemma.lemmatize(word, lang="en")).lower()


def _inflect(lemma: str) -> set[str]:
    """Regular forms of one English word: -s/-es/-ies, -ed/-d/-ied, -ing, with doubling."""
    forms = {lemma}
    if lemma.endswith("y") and len(lemma) > 2 and lemma[-2] not in _VOWELS:
        forms |= {lemma[:-1] + "ies", lemma[:-1] + "ied", lemma + "ing"}
    elif lemma.endswith(_SIBILANT_ENDINGS):
        forms |= {lemma + "es", lemma + "ed", lemma + "ing"}
    elif lemma.endswith("e"):
        forms |= {lemma + "s", lemma + "d", lemma[:-1] + "ing"}
    else:
        forms |= {lemma + "s", lemma + "ed", lemma + "ing"}
        if len(lemma) >= 3 and lemma[-1] not in _VOWELS | {"w", "x", "y"}:
            if lemma[-2] in _VOWELS and lemma[-3] not in _VOWELS:
                forms |= {lemma + lemma[-1] + "ed", lemma + lemma[-1] + "ing"}  # stop → stopped
    return forms


@functools.lru_cache(maxsize=50_000)
def english_forms(word: str) -> frozenset[str]:
    """Every regular form of a folded English word: the lemma's forms the dictionary knows."""
    if len(word) < 3 or not word.isascii() or not word.isalpha():
        return frozenset({word})
    lemma = _lemma(word)
    if lemma is None:
        # a word the dictionary lacks (a brand, an acronym spelled small): its plural only
        plural = word + ("es" if word.endswith(_SIBILANT_ENDINGS) else "s")
        return frozenset({word, plural})
    if lemma == word and not _names_an_action(word):
        # a base form that names a thing ("drone", "base"): its plural only, so "drone" does
        # not fire on "the speaker droned on"; write "droned" to get every form of "drone"
        return frozenset({word} | {f for f in _plurals(word) if _lemma(f) == lemma})
    candidates = _inflect(lemma) | {lemma}
    regular = {form for form in candidates if _lemma(form) == lemma}
    # irregular forms are taken as lemminflect gives them (simplemma reads "shot" as a noun);
    # regular ones only where simplemma agrees ("mining" is a noun of its own, not "mine")
    return frozenset({word} | regular | (_verb_forms(lemma) - candidates))


@functools.cache
def _inflector() -> Any:
    """lemminflect (its tables load on first use, about 0.3 s)."""
    import lemminflect

    return lemminflect


def _verb_forms(lemma: str) -> set[str]:
    """lemminflect's verb forms of a lemma: regular and irregular (struck, flew, shot)."""
    forms = _inflector().getAllInflections(lemma, upos="VERB").values()
    return {form.lower() for group in forms for form in group if form.isalpha()}


def _irregular_past(word: str) -> bool:
    """Whether the verb's past is not a regular -ed form: "struck", "flew", "drove"."""
    past = _inflector().getAllInflections(word, upos="VERB").get("VBD", ())
    return bool(past) and not any(form.endswith("ed") for form in past)


def _only_a_verb(word: str) -> bool:
    lemmas = _inflector().getAllLemmas(word)
    return set(lemmas) == {"VERB"}


def _action_nouns(word: str) -> set[str]:
    """The action nouns a verb would have: seizure, failure, evacuation, exploration."""
    stem = word[:-1] if word.endswith("e") else word
    nouns = {stem + "ure", stem + "ation"}
    if word.endswith("ate"):
        nouns.add(word[:-1] + "ion")  # evacuate → evacuation
    return nouns


def _names_an_action(word: str) -> bool:
    """Whether the dictionaries say `word` names something people do (see the module doc).

    Then its verb forms report the same event ("attack" → "attacked"). A noun naming a thing
    has no such evidence ("droner" is no word); "baser" is a form of "base", not a word of its
    own, so "base" keeps its plural only ("Moscow-based" ≠ base).
    """
    if word.endswith("e"):
        agents = {word + "r"}
    elif word.endswith("y") and word[-2:-1] not in _VOWELS:
        agents = {word[:-1] + "ier"}
    else:
        agents = {word + "er", word + word[-1] + "er"}  # raider, kidnapper
    return (
        _only_a_verb(word)
        or _irregular_past(word)
        or word.endswith(("ure", "tion"))  # the word is an action noun: capture, invasion
        or any(_lemma(noun) == noun for noun in agents | _action_nouns(word))
    )


def _plurals(word: str) -> set[str]:
    if word.endswith("y") and len(word) > 2 and word[-2] not in _VOWELS:
        return {word[:-1] + "ies"}
    return {word + ("es" if word.endswith(_SIBILANT_ENDINGS) else "s")}


def is_english_word(original: str, folded: str) -> bool:
    """A Latin term word written in lower case is a common English word, not a name."""
    return original[:1].islower() and _LATIN_WORD.match(folded) is not None
