"""Compile every watchlist into one `Matcher` and evaluate posts against it → `Hit`s.

Pure: no I/O. All morphology happens at compile time (`monitor.matching.morphology`), so matching a
post is: split it into words, look each folded word up in one dictionary (cached per distinct
word), then evaluate only the rules whose terms occurred. Cost per post barely grows with the
number of terms. Spans point into the text the caller passed, for highlighting.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, replace

from monitor.core.text import fold_word, split_words, word_spans
from monitor.matching.crosslang import cross_spellings
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
from monitor.matching.morphology import (
    MAX_SUFFIX,
    SUFFIXES,
    WordPattern,
    abbreviation_pattern,
    is_abbreviation,
    is_also_function_word,
    word_pattern,
)
from monitor.matching.regex_rules import compile_rule_regex
from monitor.matching.watchlists import Rule, TermSpec, Watchlist, rule_label

_CACHE_LIMIT = 300_000
_DIGIT = re.compile(r"\d")
_CYRILLIC_WORD = re.compile(r"^[\u0400-\u04ff']+$")


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
        self._word_cache: dict[str, tuple[int, ...]] = {}
        # raw word → {pattern id: languages in which this word is a different word}
        self._word_homographs: dict[str, dict[int, frozenset[str]]] = {}
        # capitalised raw word → its `proper` pattern ids, dropped at the start of a sentence
        self._word_proper: dict[str, frozenset[int]] = {}

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
        sequences: list[tuple[int, ...]] = []
        designations: list[str] = []
        added: list[str] = []
        spellings = list(spec.spellings)
        for spelling in spec.spellings:
            joined = re.sub(r"(?<=\w)-(\w)", lambda m: m.group(1).lower(), spelling)
            if joined != spelling and len(split_words(joined)) == 1:
                spellings.append(joined)  # «Тин-Зауатен» is also written «Тинзауатен»
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
        # a capitalised one-word name that is also a pronoun: the name only («Того»)
        proper = [
            len(words) == 1 and c and not spec.exact and is_also_function_word(w)
            for w, c in zip(words, capitals, strict=True)
        ]
        sequence = self._sequence(patterns, capitals if spec.match_case else None, proper)
        if spec.exact or is_abbreviation(spelling):
            return sequence, []
        cross = [
            cross_spellings(w) if _CYRILLIC_WORD.match(w) and i not in literal else ()
            for i, w in enumerate(words)
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
                other_proper[i] = other_proper[i] or found[0].capital_only
                reasons.append(f"{found[0].spelling}: {found[0].reason}")
        other_capitals = capitals if spec.match_case else None
        other = self._sequence(other_patterns, other_capitals, other_proper)
        return sequence, [(other, reasons)]

    def _sequence(
        self, patterns: list[WordPattern], capitals: list[bool] | None, proper: list[bool]
    ) -> tuple[int, ...]:
        if len(patterns) > 1:
            # the other words already give context: «тин» in «Тин-Зауатен» is no fence
            patterns = [replace(p, homographs=frozenset()) for p in patterns]
        if capitals is not None:
            patterns = [replace(p, capitalised=c) for p, c in zip(patterns, capitals, strict=True)]
        patterns = [
            replace(p, proper=True) if n else p for p, n in zip(patterns, proper, strict=True)
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
        self._forms: dict[str, list[int]] = defaultdict(list)
        self._homographs: dict[str, dict[int, frozenset[str]]] = defaultdict(dict)
        # stem → (pattern id, allowed endings, whether the ending derives another word)
        self._stems: dict[str, list[tuple[int, frozenset[str], bool]]] = defaultdict(list)
        for number, pattern in enumerate(self._patterns):
            for form in pattern.forms:
                self._forms[form].append(number)
            for stem, kind in pattern.stems:
                self._stems[stem].append((number, SUFFIXES[kind], kind.startswith("derive")))
            for form in {form for form, _ in pattern.homographs}:
                languages = frozenset(lang for f, lang in pattern.homographs if f == form)
                self._homographs[form][number] = languages
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

    def _word_patterns(self, word: str) -> tuple[int, ...]:
        """Pattern ids a post word matches; cached, since posts repeat most of their words."""
        folded = fold_word(word)
        found = set(self._forms.get(folded, ()))
        derived: set[int] = set()  # «малійські», «тоголезский»: lower-case words of their own
        for cut in range(max(1, len(folded) - MAX_SUFFIX), len(folded) + 1):
            candidates = self._stems.get(folded[:cut])
            if candidates:
                ending = folded[cut:]
                for number, endings, derivation in candidates:
                    if ending in endings:
                        (derived if derivation else found).add(number)
        patterns = self._patterns
        if not word[:1].isupper():
            # «Малі» with match_case is Mali; «малі» is "small"
            found = {n for n in found if not (patterns[n].capitalised or patterns[n].proper)}
            derived = {n for n in derived if not patterns[n].capitalised}
        else:
            # a capital at the start of a sentence says nothing: judged where the word stands
            proper = frozenset(n for n in found if patterns[n].proper) - derived
            if proper:
                self._word_proper[word] = proper
        found |= derived
        result = tuple(sorted(found))
        if len(self._word_cache) >= _CACHE_LIMIT:
            self._word_cache.clear()
        self._word_cache[word] = result
        homographs = self._homographs.get(folded)
        if homographs and found.intersection(homographs):
            self._word_homographs[word] = homographs
        return result

    def _occurrences(self, text: str, language: str | None) -> dict[int, list[Occurrence]]:
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
        if self._word_proper:
            for i, (word, _, _) in enumerate(words):
                proper = self._word_proper.get(word)
                if proper and _opens_sentence(text, words, i):
                    found[i] = tuple(p for p in found[i] or () if p not in proper)
        occurrences: dict[int, list[Occurrence]] = defaultdict(list)
        for i, ids in enumerate(found):
            for pattern in ids or ():
                for term in self._single.get(pattern, ()):
                    occurrences[term].append(Occurrence(i, i, (words[i][1], words[i][2])))
                for term, sequence in self._multi.get(pattern, ()):
                    last = i + len(sequence) - 1
                    if last < len(found) and all(
                        sequence[k] in (found[i + k] or ()) for k in range(1, len(sequence))
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
            excluded = self._list_excluded_by[rule.watchlist] + rule.excluded_by
            if any(term in occurrences for term in excluded):
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


def _opens_sentence(text: str, words: list[tuple[str, int, int]], i: int) -> bool:
    """Whether word `i` is the first of a sentence that goes on (a lone word is a label)."""
    before = i == 0 or _SENTENCE_END.intersection(text[words[i - 1][2] : words[i][1]])
    return (
        bool(before)
        and i + 1 < len(words)
        and not _SENTENCE_END.intersection(text[words[i][2] : words[i + 1][1]])
    )


# what ends a sentence: a capital after it is no evidence of a name
_SENTENCE_END = frozenset(".!?…\n")


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
