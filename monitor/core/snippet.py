"""Pure highlighting: merge hit spans, cut a snippet around the first hit, split into runs.

Every view that shows matched or searched words — terminal tables, alert emails, demo
summaries, watchlist tests — cuts and marks text here, so they agree on what a hit looks like.
Spans are (start, end) character offsets into the text they came with.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

Span = tuple[int, int]


@dataclass(frozen=True)
class Snippet:
    """A piece of text and the hit spans inside it (offsets into `text`)."""

    text: str
    spans: tuple[Span, ...]


@dataclass(frozen=True)
class Segment:
    """A run of text that is, or is not, a hit."""

    text: str
    hit: bool


def merge_spans(length: int, spans: Iterable[Sequence[int]]) -> list[Span]:
    """Sorted spans clipped to [0, length]; overlapping or touching spans merge."""
    clean = sorted((max(0, s[0]), min(length, s[1])) for s in spans if len(s) >= 2 and s[0] < s[1])
    merged: list[list[int]] = []
    for start, end in clean:
        if start >= end:
            continue
        if merged and start <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    return [(a, b) for a, b in merged]


def snippet(text: str, spans: Iterable[Sequence[int]], *, width: int = 160) -> Snippet:
    """About `width` characters of text around the first hit, on word boundaries, with '…'."""
    flat = text.replace("\n", " ")
    spans = merge_spans(len(flat), spans)
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


def segments(text: str, spans: Iterable[Sequence[int]]) -> list[Segment]:
    """Split text into plain and hit runs (for templates that style hits)."""
    out: list[Segment] = []
    cursor = 0
    for start, end in merge_spans(len(text), spans):
        if start > cursor:
            out.append(Segment(text[cursor:start], False))
        out.append(Segment(text[start:end], True))
        cursor = end
    if cursor < len(text) or not out:
        out.append(Segment(text[cursor:], False))
    return out
