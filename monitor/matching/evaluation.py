"""What a compiled rule is and how it is judged against the terms found in one text → `Hit`s.

Pure helpers of `monitor.matching.matcher`: the `Hit` value the pipeline stores, scope checks
(text source, language, channel), `any`/`all`/`near` evaluation over term occurrences, and the
folding that lets regex rules run on lower-cased text with spans valid in the original.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal, NamedTuple, Protocol

from monitor.core.text import (  # the same look-alike repair normalise_text applies
    WORD,
    fix_mixed_words,
)
from monitor.matching.regex_rules import RulePattern
from monitor.matching.watchlists import bare_channel_id

TextSource = Literal["original", "translation"]
Span = tuple[int, int]


class ChannelLike(Protocol):
    """Anything naming a channel: `events.ChannelInfo`, a storage row, a test double."""

    @property
    def channel_id(self) -> int: ...

    @property
    def username(self) -> str | None: ...


@dataclass(frozen=True)
class Hit:
    """One rule of one watchlist that fired on one text (original or translation)."""

    watchlist: str
    severity: str
    rule_index: int  # 1-based position in the file
    rule_id: str | None  # the rule's `id`, else its `name`, else None
    rule_label: str  # "rule 2 (mali_ru)", for messages
    terms: tuple[str, ...]  # the terms (as written in the list) or regex matches that fired
    spans: tuple[Span, ...]  # (start, end) character offsets into the text given to match()
    text_source: TextSource


@dataclass(frozen=True)
class CompiledRule:
    watchlist: int
    index: int
    rule_id: str | None
    label: str
    kind: str
    terms: tuple[int, ...]
    within: int
    regex: RulePattern | None
    excluded_by: tuple[int, ...]  # rule-level `not` terms
    channels: frozenset[str | int] | None
    languages: frozenset[str] | None
    text: str


class Occurrence(NamedTuple):  # a tuple: made for every term word in every post
    first: int  # word index
    last: int
    span: Span


def in_scope(
    rule: CompiledRule, language: str | None, channel: ChannelLike | None, text_source: TextSource
) -> bool:
    """Whether a rule applies to this text at all (its own scope, else its list's)."""
    if rule.text != "both" and rule.text != text_source:
        return False
    if rule.languages is not None and (language is None or language.lower() not in rule.languages):
        return False
    if rule.channels is not None:
        if channel is None:
            return False
        username = (channel.username or "").lstrip("@").casefold()
        if bare_channel_id(channel.channel_id) not in rule.channels and (
            not username or username not in rule.channels
        ):
            return False
    return True


def evaluate(
    rule: CompiledRule, occurrences: dict[int, list[Occurrence]]
) -> tuple[tuple[int, ...], tuple[Span, ...]] | None:
    """The terms and spans that make a term rule fire, or None."""
    present = [t for t in rule.terms if t in occurrences]
    if rule.kind == "all" and len(present) < len(rule.terms):
        return None
    if not present:
        return None
    if rule.kind == "near":
        if len(present) < 2:
            return None
        spans = near_spans(occurrences[rule.terms[0]], occurrences[rule.terms[1]], rule.within)
        return (rule.terms, spans) if spans else None
    return tuple(present), tuple(sorted({o.span for t in present for o in occurrences[t]}))


def near_spans(
    left: Iterable[Occurrence], right: Iterable[Occurrence], within: int
) -> tuple[Span, ...]:
    """Spans of both terms wherever at most `within` words lie between them."""
    spans: set[Span] = set()
    rights = list(right)
    for a in left:
        for b in rights:
            if a.span == b.span:
                continue
            between = (b.first - a.last - 1) if b.first > a.last else (a.first - b.last - 1)
            if between <= within:
                spans.update((a.span, b.span))
    return tuple(sorted(spans))


def regex_result(
    pattern: RulePattern, folded: str, original: str
) -> tuple[tuple[str, ...], tuple[Span, ...]] | None:
    """The matched texts (from the original) and their spans, or None."""
    spans = tuple(pattern.spans(folded))
    if not spans:
        return None
    return tuple(dict.fromkeys(original[s:e] for s, e in spans)), spans


class _CharFold(dict[int, str]):
    """str.translate table folding one character to one: lower case, ё→е, NFKC where 1:1."""

    def __missing__(self, code: int) -> str:
        char = chr(code)
        folded = unicodedata.normalize("NFKC", char).casefold()
        if len(folded) != 1:
            folded = char.lower() if len(char.lower()) == 1 else char
        folded = folded.replace("ё", "е")
        self[code] = folded
        return folded


_CHAR_FOLD = _CharFold()


def fold_aligned(text: str) -> str:
    """Fold a post for regex rules without moving characters: spans stay valid in the original."""
    return fix_mixed_words(text.translate(_CHAR_FOLD), WORD)
