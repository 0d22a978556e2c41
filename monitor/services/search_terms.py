"""One word model for search and watchlists: a bare search word finds what a term finds.

A watchlist term «Вагнер» fires on «вагнеровцев», «вагнерівці» and "Wagner"; the search index
holds the stems of the words posts used. So each word or phrase of a query is read as a
watchlist term (`monitor.matching.forms`), its accepted words are turned into index stems,
and the leaf carries them as alternatives the database ORs together. `=word` and `word*` stay
as typed. Search errs towards finding: homograph and capital-letter fences are not applied.

Bounds keep a query small: a phrase is expanded in one script at a time (a post writes
«колонна техники» or "kolonna tekhniki", not a mix) and from dictionary forms only, and no
leaf gets more than MAX_ALTERNATIVES spellings.
"""

from __future__ import annotations

import functools
import itertools
import re

from monitor.matching.forms import WordForms, term_forms
from storage.query import Alternative, And, Leaf, Node, Not, Or
from storage.stemming import stem, words

MAX_ALTERNATIVES = 128  # per leaf; more would make the query, not the search, the slow part
_DIGITS_OR_LETTERS = re.compile(r"\d+|\D+")
_CYRILLIC = re.compile(r"[\u0400-\u04ff]")
_LATIN = re.compile(r"[a-z]")


def expand_query(node: Node) -> Node:
    """The same query with every expandable leaf carrying its other spellings."""
    if isinstance(node, Leaf):
        return expand_leaf(node)
    if isinstance(node, Not):
        return Not(expand_query(node.child))
    children = tuple(expand_query(child) for child in node.children)
    return And(children) if isinstance(node, And) else Or(children)


def expand_leaf(leaf: Leaf) -> Leaf:
    """A leaf with the index stems of every word its text matches as a watchlist term."""
    if leaf.literal or leaf.prefix or not leaf.original.strip():
        return leaf
    return Leaf(
        leaf.words,
        leaf.prefix,
        leaf.literal,
        leaf.original,
        _alternatives(leaf.original.strip(), leaf.stems()),
    )


@functools.lru_cache(maxsize=4096)
def _alternatives(text: str, own: tuple[str, ...]) -> tuple[Alternative, ...]:
    forms = term_forms(text)
    found: dict[Alternative, None] = {(own, False): None}
    for key in forms.designations:
        for spelling in _designation_spellings(key):
            found[spelling] = None
    words = [sequence[0] for sequence in forms.sequences if len(sequence) == 1]
    for sequence in forms.sequences:
        if len(sequence) > 1:
            found.update(((phrase, False), None) for phrase in _phrases(sequence))
    # dictionary forms of every spelling (the other language's too) before the words made
    # by ending rules, so the cap never drops «беспилотник» for «безпілотниковий»
    for word in sorted(w for forms in words for w in forms.listed):
        found[(_stems(word), False)] = None
    for word in sorted(w for forms in words for w in forms.ruled):
        found[(_stems(word), False)] = None
    del found[(own, False)]
    return tuple(itertools.islice(found, MAX_ALTERNATIVES))


def _stems(word: str) -> tuple[str, ...]:
    """The index stems of one folded word (one, unless the word splits into tokens)."""
    return tuple(stem(token) for token in words(word))


def _designation_spellings(key: str) -> list[Alternative]:
    """A designation key as posts write it: «Ми-24» (two tokens) or «Ми24» (one).

    The last token is a prefix, so «Ми-24» also finds the variant «Ми-24П» as the watchlist
    term does (and, unlike it, «Ми-242»: search errs towards finding).
    """
    runs = _DIGITS_OR_LETTERS.findall(key)
    split: list[str] = []
    for run in runs:  # a hyphen sits where letters meet digits: т-72б3, ту-22м3
        if split and not (split[-1][-1].isdigit() and run[0].isalpha()):
            split.append(run)
        elif split:
            split[-1] += run
        else:
            split.append(run)
    return [((key,), True), (tuple(split), True)]


def _script(stems: tuple[str, ...]) -> str:
    joined = "".join(stems)
    if _CYRILLIC.search(joined):
        return "cyrillic"
    return "latin" if _LATIN.search(joined) else "neutral"


def _phrases(sequence: tuple[WordForms, ...]) -> list[tuple[str, ...]]:
    """A phrase's spellings: dictionary forms, one script at a time, at most MAX_ALTERNATIVES."""
    positions = [{_stems(word) for word in forms.listed} for forms in sequence]
    phrases: list[tuple[str, ...]] = []
    for script in ("cyrillic", "latin"):
        options = [
            sorted(s for s in stems if _script(s) in (script, "neutral")) for stems in positions
        ]
        for combo in itertools.islice(itertools.product(*options), MAX_ALTERNATIVES):
            phrases.append(tuple(part for stems in combo for part in stems))
    return phrases
