"""Pure text normalisation shared by matching, search, dedupe and the translation cache.

Telegram posts mix scripts, look-alike letters and decorations; every comparison in tgmon
goes through `normalise_text` so «Вагнер», «ВАГНЕР», «Вaгнер» (Latin a) and «вагнёр» agree.
Words are split by one tokeniser (`word_spans`, `fold_word`), used by watchlist matching and
the search index alike, so a watchlist and a search never disagree about where a word ends.
"""

from __future__ import annotations

import hashlib
import itertools
import re
import unicodedata
from collections.abc import Mapping
from typing import Any

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
# The whitespace tokens that hold both scripts: a word, never spanning whitespace, can only
# mix scripts inside one, so _MIXED_WORD runs in those tokens alone (it was half the time of
# normalising a post when run over every word).
_MIXED_TOKEN = re.compile(r"(?<!\S)(?=\S*?[\u0400-\u04ff])(?=\S*?[a-z])\S+")
_CYRILLIC = re.compile(r"[\u0400-\u04ff]")
# NUL cannot be stored in PostgreSQL text or jsonb; a lone surrogate (from a JSON "\ud800"
# escape or undecodable bytes) cannot be encoded as UTF-8 by either database.
_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")
REPLACEMENT = "\ufffd"

# Word characters, combining marks (decomposed «й», «ё»), invisible joiners and in-word
# apostrophes before a Cyrillic letter (Ukrainian «м'ясо»; English "Wagner's" is "wagner" +
# "s", so "Africa's corps" is no "Africa Corps"). `_` splits: #ЧВК_Вагнер is two words.
# Written as runs of letters joined by one mark or apostrophe: the same words as one
# alternation per character, matched in about half the time.
WORD = re.compile(
    r"[^\W_]+(?:(?:[\u0300-\u036f\u0483-\u0487\u00ad\u200b-\u200d\u2060]"
    r"|['’ʼ`](?=[\u0400-\u04ff]))[^\W_]*)*"
)
_WORD_SPLIT = re.compile(f"({WORD.pattern})")
# #АфриканскийКорпус, #WagnerGroup: a lower-case letter followed by a capital starts a word
_CAMEL_BOUNDARY = re.compile(r"(?<=[a-zа-яёіїєґ])(?=[A-ZА-ЯЁІЇЄҐ])")
_INVISIBLE = re.compile(r"[\u00ad\u200b-\u200d\u2060]")
_APOSTROPHES = str.maketrans({"’": "'", "ʼ": "'", "`": "'"})


def fix_mixed_script(word: str) -> str:
    """Replace Latin look-alikes in a word that is mostly Cyrillic."""
    cyrillic = len(_CYRILLIC.findall(word))
    if cyrillic == 0 or cyrillic == len(word):
        return word
    latin = sum(1 for ch in word if "a" <= ch <= "z")
    if cyrillic >= latin:
        return word.translate(_LATIN_TO_CYRILLIC)
    return word


def fix_mixed_words(folded: str, words: re.Pattern[str] = _MIXED_WORD) -> str:
    """`fix_mixed_script` on each of `words` in a lower-cased text, run only inside the
    whitespace tokens that hold both scripts: the same result as on every word, since no word
    spans whitespace, at a fraction of the cost on single-script posts."""

    def fix_token(token: re.Match[str]) -> str:
        return words.sub(lambda m: fix_mixed_script(m.group(0)), token.group())

    return _MIXED_TOKEN.sub(fix_token, folded)


def normalise_text(text: str) -> str:
    """Fold a text for comparison: NFKC, lower case, ё→е, look-alike letters, single spaces.

    Character positions are not preserved exactly (NFKC can change lengths); use it for
    keys and indexes, not for highlighting spans in the original.
    """
    folded = unicodedata.normalize("NFKC", text).casefold().replace("ё", "е")
    folded = fix_mixed_words(folded)
    return " ".join(folded.split())  # str.split and re's \s agree on what whitespace is


def content_hash(text: str) -> str:
    """Return a stable key for 'the same text' across channels, forwards and unchanged edits."""
    return hash_of_normalised(normalise_text(text))


def hash_of_normalised(normalised: str) -> str:
    """`content_hash` of a text already passed through `normalise_text`."""
    return hashlib.sha256(normalised.encode("utf-8")).hexdigest()


def storable_text(text: str) -> str:
    """Replace characters no database can store (NUL, lone surrogates) with U+FFFD.

    One for one, so entity offsets stay right, and visibly, so a reader sees that something
    was there; applied where posts are built, so one such post never fails its batch.
    """
    return _UNSTORABLE.sub(REPLACEMENT, text) if _UNSTORABLE.search(text) else text


def storable(value: Any) -> Any:
    """`storable_text` applied to every string (keys too) inside nested lists and mappings."""
    if isinstance(value, str):
        return storable_text(value)
    stack: list[Any] = []
    root = _copy_shell(value, stack)
    while stack:
        source, target = stack.pop()
        items = source.items() if isinstance(source, Mapping) else enumerate(source)
        for key, item in items:
            key = storable_text(key) if isinstance(key, str) else key
            child = storable_text(item) if isinstance(item, str) else _copy_shell(item, stack)
            if isinstance(target, dict):
                target[key] = child
            else:
                target.append(child)
    return root


def _copy_shell(value: Any, stack: list[Any]) -> Any:
    """An empty copy of a container, queued to be filled (a stack, not recursion)."""
    if isinstance(value, Mapping):
        shell: dict[Any, Any] | list[Any] = {}
    elif isinstance(value, list | tuple):
        shell = []
    else:
        return value
    stack.append((value, shell))
    return shell


# The one tokeniser: watchlist matching and the search index split words with it.


def fold_word(word: str) -> str:
    """Fold one post or term word exactly as `normalise_text` does, minus invisible characters."""
    if _PLAIN_WORD.fullmatch(word):
        return word.lower().replace("ё", "е")  # what normalise_text makes of plain letters
    return normalise_text(_INVISIBLE.sub("", word).translate(_APOSTROPHES))


# letters of one script that NFKC, casefold and the look-alike repair leave as lower() does
_PLAIN_WORD = re.compile(r"[а-яёА-ЯЁіїєґІЇЄҐ]+|[a-zA-Z]+")


def word_spans(text: str) -> list[tuple[str, int, int]]:
    """Split a text into (word, start, end), splitting glued camel-case hashtags too."""
    if not _CAMEL_BOUNDARY.search(text):
        # no word to split (most posts): gaps and words alternate, offsets are running sums
        parts = _WORD_SPLIT.split(text)
        ends = list(itertools.accumulate(map(len, parts)))
        return list(zip(parts[1::2], ends[0::2], ends[1::2], strict=False))
    words = []
    for match in WORD.finditer(text):
        word, start = match.group(), match.start()
        if word[1:].islower() or word.isupper() or not _CAMEL_BOUNDARY.search(word):
            words.append((word, start, match.end()))
            continue
        cuts = [0, *(m.start() for m in _CAMEL_BOUNDARY.finditer(word)), len(word)]
        pieces = [(word[a:b], start + a, start + b) for a, b in itertools.pairwise(cuts)]
        if any(not piece[1:].islower() for piece, _, _ in pieces[1:]):
            # «БпЛА», «ЗСУшники»: an acronym in mixed case, not glued capitalised words
            words.append((word, start, match.end()))
            continue
        words.extend(pieces)
    return words


def split_words(text: str) -> list[str]:
    """Split a term into folded words, the same way posts are split."""
    return [w for w in (fold_word(word) for word, _, _ in word_spans(text)) if w]
