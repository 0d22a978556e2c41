"""Names that are also common words: «Чад» ("fumes"), Ukrainian «Малі» ("small").

Such a name, capitalised in a list, wants the name: a lower-case word is the common word, and a
capital that only opens a sentence is judged by the next word. «Малі діти» reads as adjective +
noun ("small children"); «Малі та Буркіна-Фасо», «Малі звинуватила…» cannot, so they are Mali.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence

from monitor.core.text import fold_word
from monitor.matching.morphology import _known_parses, is_also_function_word
from monitor.matching.translit import cyrillic_spellings

Words = Sequence[tuple[str, int, int]]

_NAME = {"Name", "Surn", "Patr", "Geox", "Orgn", "Trad", "Fixd"}
_PRONOUN = {"NPRO", "Apro", "Anph"}
# what an adjective or noun opening a sentence would go on with: a noun or adjective it agrees
# with or governs («Малі діти», «Чад костров»)
_QUALIFIED = {"NOUN", "ADJF", "ADJS", "PRTF"}


@functools.lru_cache(maxsize=50_000)
def is_also_common_word(word: str) -> bool:
    """Whether a folded name is, in a language that has it as a name, also a common word.

    Only a dictionary form counts («чад» "fumes", the plural «малі» "small"): «путин» is also a
    genitive plural of «путина», which no post means.
    """
    for parses in _known_parses(word):
        names = [p for p in parses if _NAME & p.tag.grammemes and p.normal_form == word]
        if names and any(
            not (_NAME | _PRONOUN) & p.tag.grammemes
            and (p.normal_form.replace("ё", "е") == word or "nomn" in p.tag)
            for p in parses
            if p not in names
        ):
            return True
    return False


@functools.lru_cache(maxsize=50_000)
def reading_is_also_common_word(word: str) -> bool:
    """Whether a Latin name's first Cyrillic readings are a name and a common word (Chad:
    «чад» is also "fumes"), so that its lower-case Cyrillic word is not the name."""
    return any(
        is_also_common_word(r) or is_also_function_word(r) for r in cyrillic_spellings(word)[:2]
    )


@functools.lru_cache(maxsize=50_000)
def _reads_as_noun_or_adjective(word: str, language: str | None) -> bool:
    ru, uk = _known_parses(word)
    parses = {"ru": ru, "uk": uk}.get(language or "", ru + uk)
    return any(p.tag.POS in _QUALIFIED and not _PRONOUN & p.tag.grammemes for p in parses)


def next_word_qualified(text: str, words: Words, i: int, language: str | None) -> bool:
    """Whether word `i` is followed by a lower-case noun or adjective it could qualify."""
    if i + 1 >= len(words) or text[words[i][2] : words[i + 1][1]].strip():
        return False  # a comma or a dash after it: a name in a list, not an adjective
    following = words[i + 1][0]
    if not following[:1].islower():
        return False
    return _reads_as_noun_or_adjective(fold_word(following), language)
