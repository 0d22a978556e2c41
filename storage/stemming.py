"""Pure tokenising and stemming shared by the search index and the search query.

The index stores stems, and query words are stemmed the same way, so «Вагнер» finds
«Вагнера» on SQLite and PostgreSQL alike. Each token picks its stemmer by its letters:
Snowball russian for Cyrillic (the stemmer PostgreSQL's `russian` config uses), a light
suffix stripper for words with Ukrainian-only letters (Snowball has no Ukrainian), Snowball
english for Latin. Tokens of three letters or fewer are kept whole (short names, acronyms).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

import Stemmer

from monitor.core.text import normalise_text

# Letters and digits; "_" separates, as in SQLite's unicode61 tokenizer and PostgreSQL's parser.
_TOKEN = re.compile(r"[^\W_]+", re.UNICODE)
_CYRILLIC = re.compile(r"[\u0400-\u04ff]")
_LATIN = re.compile(r"[a-z]")
_UKRAINIAN_ONLY = re.compile(r"[іїєґ]")
_MIN_STEM_LEN = 4
_CACHE_LIMIT = 300_000

_RUSSIAN = Stemmer.Stemmer("russian")
_ENGLISH = Stemmer.Stemmer("english")

# Longest first; a stem keeps at least three letters.
_UKRAINIAN_SUFFIXES = sorted(
    (
        "ами ями ові еві ів їв ою ею єю ом ем ах ях ам ям ий ій ої ого ього ому ьому ими іми "
        "их іх ім ім ая яя ою ою ти ть ла ло ли ну ня ні ну а я і ї е є о у ю и"
    ).split(),
    key=len,
    reverse=True,
)
_stem_cache: dict[str, str] = {}


def _strip_ukrainian(word: str) -> str:
    for suffix in _UKRAINIAN_SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            return word[: -len(suffix)]
    return word


def stem(token: str) -> str:
    """Stem one normalised token (lower case, ё already folded)."""
    cached = _stem_cache.get(token)
    if cached is not None:
        return cached
    if len(token) < _MIN_STEM_LEN or token.isdigit():
        result = token
    elif _CYRILLIC.search(token):
        result = (
            _strip_ukrainian(token) if _UKRAINIAN_ONLY.search(token) else _RUSSIAN.stemWord(token)
        )
    elif _LATIN.search(token):
        result = _ENGLISH.stemWord(token)
    else:
        result = token
    if len(_stem_cache) >= _CACHE_LIMIT:
        _stem_cache.clear()
    _stem_cache[token] = result
    return result


def words(text: str) -> list[str]:
    """Split normalised text into tokens the way the index does."""
    return _TOKEN.findall(text)


def search_text(text: str | None, translation: str | None = None) -> str:
    """The value of `Post.search_text`: stems of the original, then of the translation."""
    return search_text_of_normalised(
        normalise_text(text or ""), normalise_text(translation) if translation else None
    )


def search_text_of_normalised(text: str, translation: str | None = None) -> str:
    """`search_text` of texts already passed through `normalise_text`."""
    parts = [stem(t) for t in words(text)]
    if translation:
        parts.extend(stem(t) for t in words(translation))
    return " ".join(parts)


@dataclass(frozen=True)
class TokenSpan:
    """A token of an original text: where it is, its normalised form and its stem."""

    start: int
    end: int
    normalised: str
    stem: str


def token_spans(text: str) -> Iterator[TokenSpan]:
    """Tokens of an unnormalised text with their character offsets (for highlighting)."""
    for match in _TOKEN.finditer(text):
        for part in words(normalise_text(match.group(0))):
            yield TokenSpan(match.start(), match.end(), part, stem(part))
