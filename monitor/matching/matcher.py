"""Compile every watchlist into one `Matcher` and evaluate posts against it → `Hit`s.

Pure: no I/O. All morphology happens at compile time (`monitor.matching.morphology`), so
matching a post is: split it into words, look each folded word up in one dictionary
(`monitor.matching.lookup`, cached per distinct word), then evaluate only the rules whose terms
occurred. Cost per post barely grows with the number of terms. Spans point into the text the
caller passed, for highlighting.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, replace

from monitor.core.text import fold_word, split_words, word_spans
from monitor.matching.abbreviations import (
    abbreviation_notes,
    abbreviation_pattern,
    is_abbreviation,
)
from monitor.matching.crosslang import cross_spellings, reading_cross_spellings
from monitor.matching.designations import (
    designation_chains,
    designation_keys,
    designation_word_indices,
    is_designation,
    key_candidates,
)
from monitor.matching.english import is_english_word
from monitor.matching.evaluation import (
    ChannelLike,
    CompiledRule,
    Hit,
    Occurrence,
    Span,
    TextSource,
    evaluate,
    fold_aligned,
    in_scope,
    regex_result,
)
from monitor.matching.gazetteer import place_spellings
from monitor.matching.homographs import is_also_common_word, reading_is_also_common_word
from monitor.matching.lookup import WordIndex
from monitor.matching.morphology import (
    WordPattern,
    is_also_function_word,
    word_pattern,
)
from monitor.matching.regex_rules import compile_rule_regex
from monitor.matching.watchlists import Rule, TermSpec, Watchlist, rule_label

_DIGIT = re.compile(r"\d")
_CYRILLIC_WORD = re.compile(r"^[\u0400-\u04ff']+$")
_LATIN_WORD = re.compile(r"^[a-z]{4,}$")


@dataclass(frozen=True)
class _Term:
    label: str
    sequences: tuple[tuple[int, ...], ...]  # one word-pattern id sequence per spelling
    designations: tuple[str, ...] = ()  # keys of designation spellings (Ми-24 → ми24, mi24, …)
    added: tuple[str, ...] = ()  # spellings added in the other language, and why (explain)


class Matcher:
    """All watchlists compiled together; call `match()` once per post text."""

    def __init__(self, watchlists: Sequence[Watchlist]) -> None:
        self.watchlists = tuple(watchlists)
        self._patterns: list[WordPattern] = []
        self._pattern_ids: dict[WordPattern, int] = {}
        self._terms: list[_Term] = []
        self._term_ids: dict[tuple[object, ...], int] = {}
        self._rules: list[CompiledRule] = []
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
        # the list's `not` terms and the rule's own
        self._excluded = [self._list_excluded_by[c.watchlist] + c.excluded_by for c in self._rules]

    @property
    def term_count(self) -> int:
        """Distinct terms (with their spellings) across all lists."""
        return len(self._terms)

    def term_patterns(
        self, spec: TermSpec
    ) -> tuple[tuple[tuple[WordPattern, ...], ...], tuple[str, ...]]:
        """One term's word patterns, a sequence per spelling, and its designation keys.

        What `watchlist explain` describes and what search expands a bare word into.
        """
        term = self._terms[self._term(spec)]
        sequences = tuple(tuple(self._patterns[n] for n in seq) for seq in term.sequences)
        return sequences, term.designations

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
        sequences: list[tuple[int, ...]] = []
        designations: list[str] = []
        added: list[str] = []
        spellings = list(spec.spellings)
        for spelling in spec.spellings:
            joined = re.sub(r"(?<=\w)-(\w)", lambda m: m.group(1).lower(), spelling)
            if joined != spelling and len(split_words(joined)) == 1:
                spellings.append(joined)  # «Тин-Зауатен» is also written «Тинзауатен»
        if not spec.exact:
            for other, reason in place_spellings(spec.spellings, latin=spec.translit):
                if other not in spellings:
                    spellings.append(other)  # «Миколаїв» is «Николаев» in Russian
                    added.append(f"{other}: {reason}")
        for spelling in spellings:
            if is_designation(spelling):
                # Ми-24 is one literal unit, never the pronoun «ми» + a number
                translit = spec.translit and not spec.exact
                designations.extend(designation_keys(spelling, translit=translit))
                continue
            sequence, cross = self._spelling_sequences(spelling, spec)
            sequences.append(sequence)
            for other, reasons in cross:
                sequences.append(other)
                added.extend(reasons)
        number = self._term_ids[key] = len(self._terms)
        self._terms.append(
            _Term(
                spec.term,
                tuple(dict.fromkeys(s for s in sequences if s)),
                tuple(dict.fromkeys(designations)),
                tuple(dict.fromkeys(added)),
            )
        )
        return number

    def _spelling_sequences(
        self, spelling: str, spec: TermSpec
    ) -> tuple[tuple[int, ...], list[tuple[tuple[int, ...], list[str]]]]:
        """The pattern ids of one spelling, plus its other-language spellings (with reasons)."""
        originals = [w for w, _, _ in word_spans(spelling) if fold_word(w)]
        words = [fold_word(w) for w in originals]
        literal = designation_word_indices(spelling)
        if spec.exact:
            patterns = [word_pattern(w, exact=True) for w in words]
        elif is_abbreviation(spelling):
            patterns = [abbreviation_pattern(w, translit=spec.translit) for w in words]
        else:
            # a lower-case Latin word in a list is an English word: inflect it as English
            patterns = [
                word_pattern(w, translit=spec.translit, english=is_english_word(o, w))
                for o, w in zip(originals, words, strict=True)
            ]
            # «Ту-22М3 ракетоносец»: the designation's words stay literal («ту» ≠ «та»)
            patterns = [
                word_pattern(w, exact=True) if i in literal else p
                for i, (w, p) in enumerate(zip(words, patterns, strict=True))
            ]
        capitals = [o[:1].isupper() for o in originals]
        # a capitalised one-word name that is also a pronoun («Того») or a common word («Чад»,
        # uk «Малі»): the name only; a sentence start is judged by the next word for the latter
        proper = [
            _homograph_kind(w, spec.translit) if len(words) == 1 and c and not spec.exact else None
            for w, c in zip(words, capitals, strict=True)
        ]
        sequence = self._sequence(patterns, capitals if spec.match_case else None, proper)
        if spec.exact or is_abbreviation(spelling):
            notes = [] if spec.exact else [n for w in words for n in abbreviation_notes(w)]
            return sequence, [((), notes)] if notes else []
        # a Latin name's Cyrillic reading has its other-language spelling too: Kharkiv → Харків
        # → Харьков (not for English words, which get no Cyrillic readings)
        cross = [
            ()
            if i in literal
            else cross_spellings(w)
            if _CYRILLIC_WORD.match(w)
            else reading_cross_spellings(w)
            if spec.translit and c and _LATIN_WORD.match(w)
            else ()
            for i, (w, c) in enumerate(zip(words, capitals, strict=True))
        ]
        if not any(cross):
            return sequence, []
        if any(f and f[0].capital_only and not c for f, c in zip(cross, capitals, strict=True)):
            return sequence, []  # a lower-case term: no capital to tell the homograph apart
        other_patterns = list(patterns)
        other_proper = list(proper)
        reasons = []
        for i, found in enumerate(cross):
            if found:
                other_patterns[i] = word_pattern(found[0].spelling, translit=False)
                # «Мали» → «Малі», which is also "small": only capitalised, like the term
                if found[0].capital_only and not other_proper[i]:
                    other_proper[i] = _homograph_kind(found[0].spelling) or "common"
                reasons.append(f"{found[0].spelling}: {found[0].reason}")
        other_capitals = capitals if spec.match_case else None
        other = self._sequence(other_patterns, other_capitals, other_proper)
        return sequence, [(other, reasons)]

    def _sequence(
        self, patterns: list[WordPattern], capitals: list[bool] | None, proper: list[str | None]
    ) -> tuple[int, ...]:
        if len(patterns) > 1:
            # the other words already give context: «тин» in «Тин-Зауатен» is no fence
            patterns = [replace(p, homographs=frozenset()) for p in patterns]
        if capitals is not None:
            patterns = [replace(p, capitalised=c) for p, c in zip(patterns, capitals, strict=True)]
        patterns = [
            replace(p, proper=True, context_start=n == "common") if n else p
            for p, n in zip(patterns, proper, strict=True)
        ]
        return tuple(self._pattern(p) for p in patterns)

    def _compile_rule(
        self, number: int, index: int, rule: Rule, watchlist: Watchlist
    ) -> CompiledRule:
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
            regex = compile_rule_regex(rule.regex or "")
        # a rule's own scope replaces the list's scope, key by key
        channels = rule.channels if rule.channels is not None else watchlist.channels
        languages = rule.languages if rule.languages is not None else watchlist.languages
        return CompiledRule(
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
        self._index = WordIndex(self._patterns)
        self._single: dict[int, list[int]] = defaultdict(list)
        self._multi: dict[int, list[tuple[int, tuple[int, ...]]]] = defaultdict(list)
        self._designation_terms: dict[str, list[int]] = defaultdict(list)
        for number, term in enumerate(self._terms):
            for key in term.designations:
                self._designation_terms[key].append(number)
            for sequence in term.sequences:
                if len(sequence) == 1:
                    self._single[sequence[0]].append(number)
                elif sequence:
                    self._multi[sequence[0]].append((number, sequence))

    # --- matching ----------------------------------------------------------------------

    def _occurrences(self, text: str, language: str | None) -> dict[int, list[Occurrence]]:
        words = word_spans(text)
        found = self._index.found(text, words, language)
        occurrences: dict[int, list[Occurrence]] = defaultdict(list)
        single, multi = self._single, self._multi
        for i in [i for i, ids in enumerate(found) if ids]:
            for pattern in found[i]:
                for term in single.get(pattern, ()):
                    occurrences[term].append(Occurrence(i, i, (words[i][1], words[i][2])))
                for term, sequence in multi.get(pattern, ()):
                    last = i + len(sequence) - 1
                    if last < len(found) and all(
                        sequence[k] in found[i + k] for k in range(1, len(sequence))
                    ):
                        span = (words[i][1], words[last][2])
                        occurrences[term].append(Occurrence(i, last, span))
        if self._designation_terms and _DIGIT.search(text):
            self._designation_occurrences(text, words, occurrences)
        return occurrences

    def _designation_occurrences(
        self,
        text: str,
        words: list[tuple[str, int, int]],
        occurrences: dict[int, list[Occurrence]],
    ) -> None:
        """Add the designation terms (Ми-24, T-72B3) written as one hyphen-joined chain."""
        for first, last, key in designation_chains(words, text):
            span = (words[first][1], words[last][2])
            for candidate in key_candidates(key):
                for term in self._designation_terms.get(candidate, ()):
                    occurrences[term].append(Occurrence(first, last, span))

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
            if not in_scope(rule, language, channel, text_source):
                continue
            if not occurrences.keys().isdisjoint(self._excluded[number]):
                continue
            found: tuple[tuple[str, ...], tuple[Span, ...]] | None
            if rule.regex is not None:
                folded = folded if folded is not None else fold_aligned(text)
                found = regex_result(rule.regex, folded, text)
            else:
                evaluated = evaluate(rule, occurrences)
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


def _homograph_kind(word: str, translit: bool = True) -> str | None:
    """ "function" for a name that is also a pronoun, "common" for one that is a common word;
    a Latin name whose Cyrillic reading is one (Chad, «чад» "fumes") is "common"."""
    if _LATIN_WORD.match(word):
        return "common" if translit and reading_is_also_common_word(word) else None
    if not _CYRILLIC_WORD.match(word):
        return None
    if is_also_function_word(word):
        return "function"
    return "common" if is_also_common_word(word) else None


def explain_term(term: str | TermSpec) -> list[str]:
    """Describe what a term matches (kept here for callers; see `monitor.matching.explain`)."""
    from monitor.matching.explain import explain_term as explain

    return explain(term)


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
