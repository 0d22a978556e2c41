"""Pure text work around a translation call: protect Telegram formatting, split, reassemble.

Translators mangle links, @mentions and #hashtags (they translate or respace them) and refuse
long input. So the text sent is the post with those replaced by numbered placeholders, cut on
paragraph/sentence boundaries under the provider's size limit; the answers are joined back in
order and the placeholders restored. Nothing here does I/O.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable
from dataclasses import dataclass

# What a translator must not touch, in this order (a URL may contain '#' and '@'), each with the
# literals without which it cannot match anywhere in a text.
_PROTECTED_PARTS: tuple[tuple[str, tuple[str, ...]], ...] = (
    (r"""(?:https?://|www\.)[^\s<>"'«»]+[^\s<>"'«».,;:!?)\]]""", ("://", "www.")),  # URLs
    (r"""(?<![\w/])t\.me/[^\s<>"'«»]+[^\s<>"'«».,;:!?)\]]""", ("t.me/",)),  # bare t.me links
    (r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+", ("@",)),  # e-mail addresses
    (r"(?<![\w@])@\w{3,}", ("@",)),  # @mentions
    (r"(?<![\w#])\#\w+", ("#",)),  # #hashtags
    (r"(?<![\w$])\$[A-Za-z]{2,10}\b", ("$",)),  # $cashtags
    (r"`{3}.*?`{3}|`[^`\n]+`", ("`",)),  # code
)


@functools.cache
def _protected_pattern(parts: tuple[int, ...]) -> re.Pattern[str]:
    return re.compile("|".join(_PROTECTED_PARTS[i][0] for i in parts), re.DOTALL)


def _protected_matches(text: str) -> list[re.Match[str]]:
    """The protected runs of a text, leftmost first, as the whole alternation finds them.

    Only the alternatives whose literal the text contains are tried: one that cannot match
    anywhere never changes what the others find, and Python's `re` tried the e-mail
    alternative at every letter of every post (70 % of translation triage's time on import).
    """
    parts = tuple(
        i for i, (_, marks) in enumerate(_PROTECTED_PARTS) if any(m in text for m in marks)
    )
    return list(_protected_pattern(parts).finditer(text)) if parts else []


# A placeholder as sent, and as providers may return it (they add spaces inside brackets).
_PLACEHOLDER = "{{{}}}"
_PLACEHOLDER_BACK = re.compile(r"\{\s*(\d+)\s*\}")
_CODE_ENTITIES = {"code", "pre"}


@dataclass(frozen=True)
class ProtectedText:
    """A text with its untranslatable parts replaced by {0}, {1}, … and the originals kept."""

    text: str
    originals: tuple[str, ...]


def _spans_from_entities(text: str, entities: list[dict[str, object]] | None) -> list[range]:
    """Code and pre blocks marked by Telegram entities (offsets in code points)."""
    spans: list[range] = []
    for entity in entities or ():
        if entity.get("type") not in _CODE_ENTITIES:
            continue
        offset, length = entity.get("offset"), entity.get("length")
        if isinstance(offset, int) and isinstance(length, int) and length > 0:
            if 0 <= offset and offset + length <= len(text):
                spans.append(range(offset, offset + length))
    return spans


def protect_entities(text: str, entities: list[dict[str, object]] | None = None) -> ProtectedText:
    """Replace links, @mentions, #hashtags, e-mails, cashtags and code with placeholders.

    Text that already looks like a placeholder ("{3}") is protected too, so restoring never
    confuses the author's braces with ours.
    """
    spans = _spans_from_entities(text, entities)
    spans += [range(m.start(), m.end()) for m in _protected_matches(text)]
    spans += [range(m.start(), m.end()) for m in _PLACEHOLDER_BACK.finditer(text)]
    spans.sort(key=lambda r: (r.start, -len(r)))
    pieces: list[str] = []
    originals: list[str] = []
    cursor = 0
    for span in spans:
        if span.start < cursor:  # inside a span already protected
            continue
        pieces.append(text[cursor : span.start])
        pieces.append(_PLACEHOLDER.format(len(originals)))
        originals.append(text[span.start : span.stop])
        cursor = span.stop
    pieces.append(text[cursor:])
    return ProtectedText("".join(pieces), tuple(originals))


def restore_entities(translated: str, protected: ProtectedText) -> str:
    """Put the originals back; any the translator dropped are appended on a last line."""
    seen: set[int] = set()

    def put_back(match: re.Match[str]) -> str:
        index = int(match.group(1))
        if index >= len(protected.originals) or index in seen:
            return match.group(0)
        seen.add(index)
        return protected.originals[index]

    restored = _PLACEHOLDER_BACK.sub(put_back, translated)
    lost = [orig for i, orig in enumerate(protected.originals) if i not in seen]
    if lost:
        restored = restored.rstrip() + "\n" + " ".join(lost)
    return restored


def has_words(protected: ProtectedText) -> bool:
    """True when something is left to translate once links, tags and placeholders are out."""
    remainder = _PLACEHOLDER_BACK.sub(" ", protected.text)
    return any(ch.isalpha() for ch in remainder)


# Boundaries to cut at, best first: paragraphs, lines, sentences, words.
_BOUNDARIES = (
    re.compile(r"\n\s*\n"),
    re.compile(r"\n"),
    re.compile(r"(?<=[.!?…;])\s+"),
    re.compile(r"\s+"),
)


@dataclass(frozen=True)
class Segment:
    """One piece to translate: whitespace around it is kept out of the request and re-added."""

    lead: str
    core: str
    tail: str


def _cut_hard(text: str, limit: int) -> list[str]:
    """Cut a run with no boundary at `limit` characters, never inside a placeholder."""
    parts: list[str] = []
    while len(text) > limit:
        cut = limit
        brace = text.rfind("{", 0, cut)
        if brace > 0 and "}" not in text[brace:cut]:
            cut = brace
        parts.append(text[:cut])
        text = text[cut:]
    parts.append(text)
    return parts


def _pieces(text: str, limit: int, level: int = 0) -> list[str]:
    """Split into pieces of at most `limit` characters, separators kept at piece ends."""
    if len(text) <= limit:
        return [text]
    if level >= len(_BOUNDARIES):
        return _cut_hard(text, limit)
    pieces: list[str] = []
    start = 0
    for match in _BOUNDARIES[level].finditer(text):
        pieces.append(text[start : match.end()])
        start = match.end()
    pieces.append(text[start:])
    out: list[str] = []
    for piece in pieces:
        out.extend(_pieces(piece, limit, level + 1) if len(piece) > limit else [piece])
    return out


def split_for_translation(text: str, limit: int) -> list[Segment]:
    """Pack the text into segments of at most `limit` characters, cut at the best boundary.

    Joining `lead + core + tail` of every segment gives the text back exactly.
    """
    if limit < 1:
        raise ValueError("limit must be positive")
    chunks: list[str] = []
    current = ""
    for piece in _pieces(text, limit):
        if current and len(current) + len(piece) > limit:
            chunks.append(current)
            current = ""
        current += piece
    if current:
        chunks.append(current)
    segments: list[Segment] = []
    for chunk in chunks:
        core = chunk.strip()
        if not core:
            segments.append(Segment(chunk, "", ""))
            continue
        lead = chunk[: len(chunk) - len(chunk.lstrip())]
        tail = chunk[len(chunk.rstrip()) :]
        segments.append(Segment(lead, core, tail))
    return segments


def translate_segments(
    text: str,
    limit: int,
    translate_piece: Callable[[str], str],
    entities: list[dict[str, object]] | None = None,
) -> str:
    """Protect, split, translate piece by piece (in order), join and restore one text."""
    protected = protect_entities(text, entities)
    out: list[str] = []
    for segment in split_for_translation(protected.text, limit):
        out.append(segment.lead)
        if segment.core:
            if has_words(ProtectedText(segment.core, protected.originals)):
                out.append(translate_piece(segment.core).strip())
            else:  # only links/tags/numbers: nothing for the translator to do
                out.append(segment.core)
        out.append(segment.tail)
    return restore_entities("".join(out), protected)
