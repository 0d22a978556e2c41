"""Model designations (Ми-24, Ту-22М3, Т-72Б3, BM-21, Shahed-136) as single literal units.

A designation is letters and digits joined by hyphens, written as one token. Split into words it
would read «ми» + «24», and «ми» inflects as the pronoun «мы» («нас 24 человека»). So a
designation term never goes through morphology: it becomes a set of keys (folded, hyphens
dropped, its letter runs spelled in both scripts and in Russian and Ukrainian orthography), and
a post's hyphen-joined chains of words that contain a digit are looked up by the same key.
"""

from __future__ import annotations

import bisect
import itertools
import re
from collections.abc import Sequence

from monitor.core.text import fold_word, word_spans
from monitor.matching.translit import cyrillic_spellings, latin_spellings

# every dash a keyboard or a word processor puts between «Ми» and «24»
DASHES = "-\u2010\u2011\u2012\u2013"
_DESIGNATION = re.compile(rf"[^\W_]+(?:[{DASHES}][^\W_]+)*")
_RUNS = re.compile(r"[^\W\d_]+|\d+")
_DIGITS = re.compile(r"\d+")
_LETTER = re.compile(r"[^\W\d_]")
_MAX_KEYS = 48
# Russian ↔ Ukrainian letters that differ in the same designation: Ми-24 / Мі-24
_ORTHOGRAPHY = {"и": ("і",), "і": ("и",), "ы": ("и",), "е": ("є",), "є": ("е",)}


def is_designation(spelling: str) -> bool:
    """One token mixing letters and digits, hyphens allowed: «Ми-24», «Т-72Б3», «2С19», F-16."""
    stripped = spelling.strip()
    return (
        _DESIGNATION.fullmatch(stripped) is not None
        and any(ch.isdigit() for ch in stripped)
        and any(ch.isalpha() for ch in stripped)
    )


def post_key(chain: str) -> str:
    """The key of a designation as written in a post: folded, without hyphens."""
    return chain.casefold().replace("ё", "е").translate(_NO_DASHES)


_NO_DASHES = str.maketrans("", "", DASHES)


def _run_spellings(run: str, translit: bool) -> list[str]:
    """A letter run in every spelling a post may use: ми → ми, мі, mi; tu → tu, ту."""
    if run.isdigit() or not translit:
        return [run]
    spellings = [run, *latin_spellings(run)[:2], *cyrillic_spellings(run)[:2]]
    if run == "х" or run == "kh":
        spellings += ["x", "х", "kh", "h"]  # Х-22 is Kh-22 or X-22 in English sources
    for spelling in list(spellings):
        for ch, others in _ORTHOGRAPHY.items():
            if ch in spelling:
                spellings += [spelling.replace(ch, other) for other in others]
    return list(dict.fromkeys(spellings))


def designation_keys(spelling: str, *, translit: bool = True) -> tuple[str, ...]:
    """Every key a post may give this designation: Ми-24 → ми24, мі24, mi24 (at most 48)."""
    runs = _RUNS.findall(post_key(spelling))
    options: Sequence[list[str]] = [_run_spellings(run, translit) for run in runs]
    combos = itertools.islice(itertools.product(*options), _MAX_KEYS)
    return tuple(dict.fromkeys("".join(combo) for combo in combos))


def key_candidates(key: str) -> list[str]:
    """The key and its prefixes that end in a digit before a letter: ми24п → ми24п, ми24.

    A term «Ми-24» so matches the variant «Ми-24П» and the inflected «Т-72-х», but «Ми-242»
    is another number and «Ми-24П» as a term does not match plain «Ми-24».
    """
    found = [key]
    for i in range(len(key) - 1, 0, -1):
        if key[i - 1].isdigit() and key[i].isalpha():
            found.append(key[:i])
    return found


def designation_chains(
    words: Sequence[tuple[str, int, int]], text: str
) -> list[tuple[int, int, str]]:
    """Chains of words joined by one hyphen (or glued) that contain a digit and a letter.

    Returns (first word index, last word index, key). `words` is the output of `word_spans`;
    reusing it keeps designations aligned with word positions for `near` rules. Only the
    words around digits are looked at, so a post without numbers costs one regex search.
    """
    chains: list[tuple[int, int, str]] = []
    starts: list[int] | None = None
    done = -1
    for digits in _DIGITS.finditer(text):
        position = digits.start()
        if position < done:
            continue  # inside the chain already found
        if starts is None:
            starts = [start for _, start, _ in words]
        i = bisect.bisect_right(starts, position) - 1
        if i < 0 or words[i][2] <= position:
            continue
        first = last = i
        while first > 0 and _joined(text, words[first - 1][2], words[first][1]):
            first -= 1
        while last + 1 < len(words) and _joined(text, words[last][2], words[last + 1][1]):
            last += 1
        done = words[last][2]
        chain = text[words[first][1] : done]
        if _LETTER.search(chain):
            chains.append((first, last, post_key(chain)))
    return chains


def _joined(text: str, end: int, start: int) -> bool:
    """Two words are one chain when nothing or exactly one dash lies between them."""
    return start == end or (start == end + 1 and text[end] in DASHES)


def designation_word_indices(spelling: str) -> set[int]:
    """Indices of the words of a designation inside a multi-word term («Ту-22М3 ракетоносец»)."""

    found: set[int] = set()
    index = 0
    for chunk in spelling.split():
        count = len([w for w, _, _ in word_spans(chunk) if fold_word(w)])
        if is_designation(chunk.strip(",.;:!?()«»\"'")):
            found.update(range(index, index + count))
        index += count
    return found
