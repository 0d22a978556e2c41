"""Place names spelled differently in Ukrainian, Russian and English beyond the regular rules.

«Миколаїв» is «Николаев» in Russian and Mykolaiv or Nikolaev in English; no letter rule turns one
into the other without also turning common words into false friends. A short curated list
(`data/placenames.tsv`) says which spellings name one place; each added spelling is then a term
spelling of its own, declined by its own language's dictionaries. Read once per process.
"""

from __future__ import annotations

import functools
from pathlib import Path

from monitor.core.text import fold_word, word_spans

PLACENAMES = Path(__file__).with_name("data") / "placenames.tsv"
_LANGUAGES = ("uk", "ru", "en")
_SOURCE = "monitor/matching/data/placenames.tsv"


@functools.cache
def _places() -> dict[str, tuple[tuple[str, str], ...]]:
    """Folded spelling → every spelling of that place, with its language."""
    places: dict[str, tuple[tuple[str, str], ...]] = {}
    for line in PLACENAMES.read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        spellings = tuple(
            (spelling.strip(), language)
            for column, language in zip(line.split("\t"), _LANGUAGES, strict=True)
            for spelling in column.split(";")
            if spelling.strip()
        )
        for spelling, _ in spellings:
            places[_key(spelling)] = spellings
    return places


def _key(spelling: str) -> str:
    return " ".join(fold_word(word) for word, _, _ in word_spans(spelling))


def place_spellings(spellings: tuple[str, ...], *, latin: bool = True) -> list[tuple[str, str]]:
    """The other spellings of the places among a term's spellings, each with the reason.

    `latin`: include the English spellings (off when a term asks for no transliteration).
    """
    found: dict[str, str] = {}
    keys = {_key(spelling) for spelling in spellings}
    for spelling in spellings:
        for other, language in _places().get(_key(spelling), ()):
            if _key(other) not in keys and (latin or language != "en"):
                found.setdefault(
                    other, f"{language} name of the place «{spelling}» (list {_SOURCE})"
                )
    return list(found.items())
