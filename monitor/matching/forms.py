"""Every surface word a watchlist term matches, spelled out, so search can look them up.

The matcher decides membership word by word (a form, or a stem plus an allowed ending); the
search index holds stems of the words posts used. To make a bare search word find what a
watchlist term with the same text finds, the term's patterns are enumerated into the finite
set of folded words they accept — dictionary forms, stem + every allowed ending, the other
script and the other language's spelling — and search looks up each one's index stem.
Homograph and capital-letter fences are not applied: search errs on the side of finding.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

from monitor.matching.designations import designation_keys, is_designation
from monitor.matching.matcher import Matcher
from monitor.matching.morphology import SUFFIXES, WordPattern
from monitor.matching.watchlists import TermSpec


@dataclass(frozen=True)
class WordForms:
    """The folded words one term word accepts: dictionary forms, and stem + ending words."""

    listed: frozenset[str]  # dictionary forms and spellings: «вагнер», «вагнера», "wagner"
    ruled: frozenset[str]  # made by stem + allowed ending: «вагнеровцы», «малийский»

    @property
    def every(self) -> frozenset[str]:
        return self.listed | self.ruled


@dataclass(frozen=True)
class TermForms:
    """What one term matches: word sequences (one per spelling) and designation keys."""

    sequences: tuple[tuple[WordForms, ...], ...]
    designations: tuple[str, ...] = ()  # keys of a model designation: ми24, mi24, мі24


def word_forms(pattern: WordPattern) -> WordForms:
    """Spell out one pattern: its forms, and each stem with each ending it allows."""
    ruled = {stem + ending for stem, kind in pattern.stems for ending in SUFFIXES[kind]}
    return WordForms(pattern.forms, frozenset(ruled - pattern.forms))


@functools.lru_cache(maxsize=4096)
def term_forms(spelling: str) -> TermForms:
    """The forms of `spelling` read as a watchlist term with default options (search's words)."""
    if is_designation(spelling.strip()):
        return TermForms((), designation_keys(spelling.strip()))
    sequences, designations = Matcher(()).term_patterns(TermSpec(term=spelling))
    words = tuple(tuple(word_forms(p) for p in sequence) for sequence in sequences)
    return TermForms(tuple(dict.fromkeys(words)), designations)
