"""Pure tokenising and stemming shared by the search index and the search query.

The index stores stems, and query words are stemmed the same way, so «Вагнер» finds
«Вагнера» on SQLite and PostgreSQL alike. Each token picks its stemmer by its letters:
Snowball russian for Cyrillic (the stemmer PostgreSQL's `russian` config uses), a light
suffix stripper for words with Ukrainian-only letters (Snowball has no Ukrainian), Snowball
english for Latin. Tokens of three letters or fewer are kept whole (short names, acronyms).

Words are split by the tokeniser watchlist matching uses (`monitor.core.text.word_spans` on the
original text, `fold_word` per word), so #WagnerGroup is "wagner" + "group" and Ukrainian
«м'ясо» is one word in the index, in a query and in the highlighter alike. An index token
keeps only letters and digits (the apostrophe is dropped: «м'ясо» → «мясо»), so neither
FTS5's unicode61 tokenizer nor PostgreSQL's parser splits it again.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

import Stemmer

from monitor.core.text import WORD, fold_word, word_spans

# Letters and digits: what SQLite's unicode61 tokenizer and PostgreSQL's parser keep in a token.
_TOKEN_CHARS = re.compile(r"[^\W_]+", re.UNICODE)
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
# a `WORD` match → its (index token, stem) pairs (two for a glued camel-case hashtag)
_word_cache: dict[str, tuple[tuple[str, str], ...]] = {}
# a `WORD` match → its stems joined by spaces ("" when it has none): search_text's hot path
_stems_cache: dict[str, str] = {}


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


def _tokens_of(word: str) -> tuple[tuple[str, str], ...]:
    """(index token, stem) pairs of one `WORD` match: camel-split, folded, letters and digits only.

    Cached per distinct word (posts repeat words, Zipf), so the store path pays the
    tokeniser's per-word Python work once per word, not once per occurrence.
    """
    pairs = _word_cache.get(word)
    if pairs is None:
        found = []
        for piece, _, _ in word_spans(word):
            token = "".join(_TOKEN_CHARS.findall(fold_word(piece)))
            if token:
                found.append((token, stem(token)))
        pairs = tuple(found)
        if len(_word_cache) >= _CACHE_LIMIT:
            _word_cache.clear()
        _word_cache[word] = pairs
    return pairs


def index_token(word: str) -> str:
    """The index form of one original word: folded as matching folds it, letters and digits only."""
    return "".join(token for token, _ in _tokens_of(word))


def words(text: str) -> list[str]:
    """Split an original (un-normalised) text into index tokens, exactly as matching splits it."""
    return [token for word in WORD.findall(text) for token, _ in _tokens_of(word)]


def _stems(text: str) -> list[str]:
    """Stems of the words of `text`, each a space-joined group; one dict look-up per word."""
    found = WORD.findall(text)
    parts = list(map(_stems_cache.get, found))
    if None in parts:
        if len(_stems_cache) >= _CACHE_LIMIT:
            _stems_cache.clear()
        for i, word in enumerate(found):
            if parts[i] is None:
                parts[i] = _stems_cache[word] = " ".join(s for _, s in _tokens_of(word))
    return parts  # type: ignore[return-value]


def search_text(text: str | None, translation: str | None = None) -> str:
    """The value of `Post.search_text`: stems of the original, then of the translation."""
    parts = _stems(text or "")
    if translation:
        parts.extend(_stems(translation))
    return " ".join(filter(None, parts))



@dataclass(frozen=True)
class TokenSpan:
    """A token of an original text: where it is, its normalised form and its stem."""

    start: int
    end: int
    normalised: str
    stem: str


def token_spans(text: str) -> Iterator[TokenSpan]:
    """Tokens of an unnormalised text with their character offsets (for highlighting)."""
    for word, start, end in word_spans(text):
        for token, token_stem in _tokens_of(word):
            yield TokenSpan(start, end, token, token_stem)
