"""Pure: find where a query hit an ORIGINAL text and cut a snippet around the first hit.

The index holds stems; to show analysts the words as written, each token of the original is
stemmed the same way and compared with the query's stems.
"""

from __future__ import annotations

from dataclasses import dataclass

from storage.query import Leaf
from storage.stemming import token_spans

Span = tuple[int, int]


@dataclass(frozen=True)
class Snippet:
    """A piece of text and the hit spans inside it (offsets into `text`)."""

    text: str
    spans: tuple[Span, ...]


def hit_spans(text: str, leaves: list[Leaf]) -> list[Span]:
    """Character spans of `text` whose tokens match any query leaf (phrases word by word)."""
    exact: set[str] = set()
    prefixes: list[str] = []
    for leaf in leaves:
        stems = leaf.stems()
        if leaf.prefix:
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


def snippet(text: str, spans: list[Span], *, width: int = 160) -> Snippet:
    """About `width` characters of text around the first hit, on word boundaries, with '…'."""
    flat = text.replace("\n", " ")
    if len(flat) <= width:
        return Snippet(flat, tuple(spans))
    first = spans[0][0] if spans else 0
    start = max(0, first - width // 3)
    if start > 0:
        space = flat.rfind(" ", 0, start)
        start = space + 1 if space >= 0 and start - space < 20 else start
    end = min(len(flat), start + width)
    if end < len(flat):
        space = flat.find(" ", end)
        end = space if 0 <= space - end < 20 else end
    prefix = "…" if start > 0 else ""
    suffix = "…" if end < len(flat) else ""
    shift = len(prefix) - start
    inside = tuple((s + shift, e + shift) for s, e in spans if s >= start and e <= end)
    return Snippet(prefix + flat[start:end] + suffix, inside)


def mark(snip: Snippet, before: str = "[", after: str = "]") -> str:
    """The snippet with each hit wrapped in markers (plain-text output, tests)."""
    out: list[str] = []
    last = 0
    for start, end in snip.spans:
        out.append(snip.text[last:start] + before + snip.text[start:end] + after)
        last = end
    out.append(snip.text[last:])
    return "".join(out)
