"""Pure text normalisation shared by matching, search, dedupe and the translation cache.

Telegram posts mix scripts, look-alike letters and decorations; every comparison in tgmon
goes through `normalise_text` so «Вагнер», «ВАГНЕР», «Вaгнер» (Latin a) and «вагнёр» agree.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata

# Latin letters that look like Cyrillic ones; inside a Cyrillic word they are typos or evasion.
_LATIN_TO_CYRILLIC = str.maketrans(
    {
        "a": "а",
        "c": "с",
        "e": "е",
        "i": "і",
        "o": "о",
        "p": "р",
        "x": "х",
        "y": "у",
        "k": "к",
        "m": "м",
        "t": "т",
        "h": "н",
        "b": "в",
    }
)
# Only words holding both a Cyrillic letter and a Latin a-z can change in fix_mixed_script;
# finding just those keeps the per-word Python call off the common, single-script words.
# (Lookaheads from word starts only: linear in the text, no backtracking across positions.)
_MIXED_WORD = re.compile(r"\b(?=\w*?[\u0400-\u04ff])(?=\w*?[a-z])\w+")
_CYRILLIC = re.compile(r"[\u0400-\u04ff]")
_SPACES = re.compile(r"\s+")


def fix_mixed_script(word: str) -> str:
    """Replace Latin look-alikes in a word that is mostly Cyrillic."""
    cyrillic = len(_CYRILLIC.findall(word))
    if cyrillic == 0 or cyrillic == len(word):
        return word
    latin = sum(1 for ch in word if "a" <= ch <= "z")
    if cyrillic >= latin:
        return word.translate(_LATIN_TO_CYRILLIC)
    return word


def normalise_text(text: str) -> str:
    """Fold a text for comparison: NFKC, lower case, ё→е, look-alike letters, single spaces.

    Character positions are not preserved exactly (NFKC can change lengths); use it for
    keys and indexes, not for highlighting spans in the original.
    """
    folded = unicodedata.normalize("NFKC", text).casefold().replace("ё", "е")
    folded = _MIXED_WORD.sub(lambda m: fix_mixed_script(m.group(0)), folded)
    return _SPACES.sub(" ", folded).strip()


def content_hash(text: str) -> str:
    """Return a stable key for 'the same text' across channels, forwards and unchanged edits."""
    return hash_of_normalised(normalise_text(text))


def hash_of_normalised(normalised: str) -> str:
    """`content_hash` of a text already passed through `normalise_text`."""
    return hashlib.sha256(normalised.encode("utf-8")).hexdigest()
