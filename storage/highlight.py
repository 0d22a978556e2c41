"""Where a search query hit an ORIGINAL text, for highlighting (pure; no SQL).

The index holds stems; to show analysts the words as written, each token of the original is
stemmed the same way and compared with the query's stems. It lives beside the query language
it interprets.
"""

from __future__ import annotations

from monitor.core.snippet import Span
from storage.query import Leaf
from storage.stemming import token_spans


def hit_spans(text: str, leaves: list[Leaf]) -> list[Span]:
    """Character spans of `text` whose tokens match any query leaf (phrases word by word)."""
    exact: set[str] = set()
    prefixes: list[str] = []
    for leaf in leaves:
        for stems, prefix in leaf.spellings():  # the expanded forms light up too
            if prefix:
                prefixes.append(stems[-1])
                stems = stems[:-1]
            exact.update(stems)
    spans: list[Span] = []
    for token in token_spans(text):
        if token.stem in exact or any(
            token.normalised.startswith(p) or token.stem.startswith(p) for p in prefixes
        ):
            if spans and spans[-1] == (token.start, token.end):
                continue
            spans.append((token.start, token.end))
    return spans
