"""Compile every watchlist into one `Matcher` and evaluate posts against it → `Hit`s.

Pure: no I/O. All morphology happens at compile time (`monitor.matching.morphology`), so matching a
post is: split it into words, look each folded word up in one dictionary (cached per distinct
word), then evaluate only the rules whose terms occurred. Cost per post barely grows with the
number of terms. Spans point into the text the caller passed, for highlighting.
"""

from __future__ import annotations

import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from typing import Literal, Protocol

from monitor.core.text import fix_mixed_script  # the same look-alike repair normalise_text applies
from monitor.matching.morphology import (
    MAX_SUFFIX,
    SUFFIXES,
    WORD,
    WordPattern,
    abbreviation_pattern,
    fold_word,
    is_abbreviation,
    split_words,
    word_pattern,
    word_spans,
)
from monitor.matching.watchlists import Rule, TermSpec, Watchlist, bare_channel_id, rule_label

TextSource = Literal["original", "translation"]
Span = tuple[int, int]
_CACHE_LIMIT = 300_000


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
class _Term:
    label: str
    sequences: tuple[tuple[int, ...], ...]  # one word-pattern id sequence per spelling


@dataclass(frozen=True)
class _Rule:
    watchlist: int
    index: int
    rule_id: str | None
    label: str
    kind: str
    terms: tuple[int, ...]
    within: int
    regex: re.Pattern[str] | None
    excluded_by: tuple[int, ...]  # rule-level `not` terms
    channels: frozenset[str | int] | None
    languages: frozenset[str] | None
    text: str


@dataclass(frozen=True)
class _Occurrence:
    first: int  # word index
    last: int
    span: Span


class Matcher:
    """All watchlists compiled together; call `match()` once per post text."""

    def __init__(self, watchlists: Sequence[Watchlist]) -> None:
        self.watchlists = tuple(watchlists)
        self._patterns: list[WordPattern] = []
        self._pattern_ids: dict[WordPattern, int] = {}
        self._terms: list[_Term] = []
        self._term_ids: dict[tuple[object, ...], int] = {}
        self._rules: list[_Rule] = []
        self._list_excluded_by: list[tuple[int, ...]] = []
        for number, watchlist in enumerate(self.watchlists):
            self._list_excluded_by.append(tuple(self._term(t) for t in watchlist.not_))
            for index, rule in enumerate(watchlist.rules, start=1):
                self._rules.append(self._compile_rule(number, index, rule, watchlist))
        self._index_words()
        self._rules_by_term: dict[int, list[int]] = defaultdict(list)
        for number, compiled in enumerate(self._rules):
            for term in compiled.terms:
                self._rules_by_term[term].append(number)
        self._regex_rules = [n for n, c in enumerate(self._rules) if c.regex is not None]
        self._word_cache: dict[str, tuple[int, ...]] = {}
        # raw word → {pattern id: languages in which this word is a different word}
        self._word_homographs: dict[str, dict[int, frozenset[str]]] = {}

    @property
    def term_count(self) -> int:
        """Distinct terms (with their spellings) across all lists."""
        return len(self._terms)

    # --- compiling ---------------------------------------------------------------------

    def _pattern(self, pattern: WordPattern) -> int:
        number = self._pattern_ids.get(pattern)
        if number is None:
            number = self._pattern_ids[pattern] = len(self._patterns)
            self._patterns.append(pattern)
        return number

    def _term(self, spec: TermSpec) -> int:
        key = (spec.spellings, spec.exact, spec.translit, spec.match_case)
        number = self._term_ids.get(key)
        if number is not None:
            return number
        sequences = []
        spellings = list(spec.spellings)
        for spelling in spec.spellings:
            joined = re.sub(r"(?<=\w)-(\w)", lambda m: m.group(1).lower(), spelling)
            if joined != spelling and len(split_words(joined)) == 1:
                spellings.append(joined)  # «Тин-Зауатен» is also written «Тинзауатен»
        for spelling in spellings:
            words = split_words(spelling)
            if spec.exact:
                patterns = [word_pattern(w, exact=True) for w in words]
            elif is_abbreviation(spelling):
                patterns = [abbreviation_pattern(w, translit=spec.translit) for w in words]
            else:
                patterns = [word_pattern(w, translit=spec.translit) for w in words]
            if len(patterns) > 1:
                # the other words already give context: «тин» in «Тин-Зауатен» is no fence
                patterns = [replace(p, homographs=frozenset()) for p in patterns]
            if spec.match_case:
                capitals = [w[:1].isupper() for w, _, _ in word_spans(spelling)]
                patterns = [
                    replace(p, capitalised=c) for p, c in zip(patterns, capitals, strict=True)
                ]
            sequences.append(tuple(self._pattern(p) for p in patterns))
        number = self._term_ids[key] = len(self._terms)
        self._terms.append(_Term(spec.term, tuple(dict.fromkeys(sequences))))
        return number

    def _compile_rule(self, number: int, index: int, rule: Rule, watchlist: Watchlist) -> _Rule:
        within = 0
        regex = None
        if rule.any is not None or rule.all is not None:
            terms = tuple(self._term(t) for t in (rule.any or rule.all or ()))
        elif rule.phrase is not None:
            terms = (self._term(TermSpec(term=rule.phrase)),)
        elif rule.near is not None:
            terms = tuple(self._term(t) for t in rule.near.terms)
            within = rule.near.within
        else:
            terms = ()
            regex = re.compile(rule.regex or "", re.IGNORECASE)
        # a rule's own scope replaces the list's scope, key by key
        channels = rule.channels if rule.channels is not None else watchlist.channels
        languages = rule.languages if rule.languages is not None else watchlist.languages
        return _Rule(
            watchlist=number,
            index=index,
            rule_id=rule.id or rule.name,
            label=rule_label(rule, index),
            kind=rule.kind,
            terms=terms,
            within=within,
            regex=regex,
            excluded_by=tuple(self._term(t) for t in rule.not_),
            channels=frozenset(channels) if channels is not None else None,
            languages=frozenset(languages) if languages is not None else None,
            text=rule.text or watchlist.text or "both",
        )

    def _index_words(self) -> None:
        self._forms: dict[str, list[int]] = defaultdict(list)
        self._homographs: dict[str, dict[int, frozenset[str]]] = defaultdict(dict)
        self._stems: dict[str, list[tuple[int, frozenset[str]]]] = defaultdict(list)
        for number, pattern in enumerate(self._patterns):
            for form in pattern.forms:
                self._forms[form].append(number)
            for stem, kind in pattern.stems:
                self._stems[stem].append((number, SUFFIXES[kind]))
            for form in {form for form, _ in pattern.homographs}:
                languages = frozenset(lang for f, lang in pattern.homographs if f == form)
                self._homographs[form][number] = languages
        self._single: dict[int, list[int]] = defaultdict(list)
        self._multi: dict[int, list[tuple[int, tuple[int, ...]]]] = defaultdict(list)
        for number, term in enumerate(self._terms):
            for sequence in term.sequences:
                if len(sequence) == 1:
                    self._single[sequence[0]].append(number)
                elif sequence:
                    self._multi[sequence[0]].append((number, sequence))

    # --- matching ----------------------------------------------------------------------

    def _word_patterns(self, word: str) -> tuple[int, ...]:
        """Pattern ids a post word matches; cached, since posts repeat most of their words."""
        folded = fold_word(word)
        found = set(self._forms.get(folded, ()))
        for cut in range(max(1, len(folded) - MAX_SUFFIX), len(folded) + 1):
            candidates = self._stems.get(folded[:cut])
            if candidates:
                ending = folded[cut:]
                found.update(number for number, endings in candidates if ending in endings)
        if not word[:1].isupper():
            # «Малі» with match_case is Mali; «малі» is "small"
            found = {number for number in found if not self._patterns[number].capitalised}
        result = tuple(sorted(found))
        if len(self._word_cache) >= _CACHE_LIMIT:
            self._word_cache.clear()
        self._word_cache[word] = result
        homographs = self._homographs.get(folded)
        if homographs and found.intersection(homographs):
            self._word_homographs[word] = homographs
        return result

    def _occurrences(self, text: str, language: str | None) -> dict[int, list[_Occurrence]]:
        words = word_spans(text)
        cache = self._word_cache
        found = [cache.get(word) for word, _, _ in words]
        for i, ids in enumerate(found):
            if ids is None:
                found[i] = self._word_patterns(words[i][0])
        if language and self._word_homographs:
            for i, ids in enumerate(found):
                homographs = self._word_homographs.get(words[i][0])
                if homographs:
                    # «мали» in a Ukrainian post is "had", not Mali
                    found[i] = tuple(p for p in ids or () if language not in homographs.get(p, ()))
        occurrences: dict[int, list[_Occurrence]] = defaultdict(list)
        for i, ids in enumerate(found):
            for pattern in ids or ():
                for term in self._single.get(pattern, ()):
                    occurrences[term].append(_Occurrence(i, i, (words[i][1], words[i][2])))
                for term, sequence in self._multi.get(pattern, ()):
                    last = i + len(sequence) - 1
                    if last < len(found) and all(
                        sequence[k] in (found[i + k] or ()) for k in range(1, len(sequence))
                    ):
                        span = (words[i][1], words[last][2])
                        occurrences[term].append(_Occurrence(i, last, span))
        return occurrences

    def match(
        self,
        text: str,
        *,
        language: str | None = None,
        channel: ChannelLike | None = None,
        text_source: TextSource = "original",
    ) -> list[Hit]:
        """Evaluate one text against every rule; return the rules that fired, in list order.

        `language` is the language of `text` (for a translation, the target language);
        rules scoped to languages never fire when it is unknown.
        """
        if not text:
            return []
        occurrences = self._occurrences(text, language.lower() if language else None)
        candidates = {n for term in occurrences for n in self._rules_by_term.get(term, ())}
        candidates.update(self._regex_rules)
        folded: str | None = None
        hits = []
        for number in sorted(candidates):
            rule = self._rules[number]
            if not _in_scope(rule, language, channel, text_source):
                continue
            excluded = self._list_excluded_by[rule.watchlist] + rule.excluded_by
            if any(term in occurrences for term in excluded):
                continue
            found: tuple[tuple[str, ...], tuple[Span, ...]] | None
            if rule.regex is not None:
                folded = folded if folded is not None else fold_aligned(text)
                found = _regex_result(rule.regex, folded, text)
            else:
                evaluated = _evaluate(rule, occurrences)
                found = (
                    None
                    if evaluated is None
                    else (tuple(self._terms[t].label for t in evaluated[0]), evaluated[1])
                )
            if found is None:
                continue
            labels, spans = found
            watchlist = self.watchlists[rule.watchlist]
            hits.append(
                Hit(
                    watchlist.name,
                    watchlist.severity,
                    rule.index,
                    rule.rule_id,
                    rule.label,
                    labels,
                    spans,
                    text_source,
                )
            )
        return hits


def _in_scope(
    rule: _Rule, language: str | None, channel: ChannelLike | None, text_source: TextSource
) -> bool:
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


def _evaluate(
    rule: _Rule, occurrences: dict[int, list[_Occurrence]]
) -> tuple[tuple[int, ...], tuple[Span, ...]] | None:
    present = [t for t in rule.terms if t in occurrences]
    if rule.kind == "all" and len(present) < len(rule.terms):
        return None
    if not present:
        return None
    if rule.kind == "near":
        if len(present) < 2:
            return None
        spans = _near_spans(occurrences[rule.terms[0]], occurrences[rule.terms[1]], rule.within)
        return (rule.terms, spans) if spans else None
    return tuple(present), tuple(sorted({o.span for t in present for o in occurrences[t]}))


def _near_spans(
    left: Iterable[_Occurrence], right: Iterable[_Occurrence], within: int
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


def _regex_result(
    pattern: re.Pattern[str], folded: str, original: str
) -> tuple[tuple[str, ...], tuple[Span, ...]] | None:
    spans = tuple(m.span() for m in pattern.finditer(folded) if m.end() > m.start())
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
    folded = text.translate(_CHAR_FOLD)
    return WORD.sub(lambda m: fix_mixed_script(m.group()), folded)


def explain_term(term: str | TermSpec) -> list[str]:
    """Describe what a term matches, one line per word of each spelling (for the CLI)."""
    spec = TermSpec(term=term) if isinstance(term, str) else term
    m = Matcher([Watchlist(name="explain", rules=(Rule(any=(spec,)),))])
    lines = []
    for sequence in m._terms[0].sequences:
        for number in sequence:
            pattern = m._patterns[number]
            line = ", ".join(sorted(pattern.forms))
            for stem, kind in sorted(pattern.stems):
                endings = ", ".join(sorted(e or "∅" for e in SUFFIXES[kind])[:12])
                line += f"; {stem}- + {{{endings}{', …' if len(SUFFIXES[kind]) > 12 else ''}}}"
            if pattern.homographs:
                other = ", ".join(f"{form} ({lang})" for form, lang in sorted(pattern.homographs))
                line += f"; not in posts in: {other}"
            lines.append(line)
    return lines


def compile_matcher(watchlists: Sequence[Watchlist]) -> Matcher:
    """Compile all lists into one matcher (expands every term once; ~ms per term)."""
    return Matcher(watchlists)


__all__ = [
    "ChannelLike",
    "Hit",
    "Matcher",
    "TextSource",
    "compile_matcher",
    "explain_term",
    "fold_aligned",
]
