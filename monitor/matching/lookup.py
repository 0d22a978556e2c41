"""Which term-word patterns each word of a post is a form of: dictionary look-ups, cached.

Built by `Matcher` from its compiled `WordPattern`s. A post word is folded once and looked up
among the exact forms and the `stem + ending` rules; the answer is cached per distinct word,
since posts repeat most of their words. Two rare answers depend on the post, not the word, and
are settled per post: homographs («мали» is "had" in a Ukrainian post) and names that need a
capital that does not merely open a sentence (uk «Малі діти» = "small children"; the
next word tells a content word from the name: `monitor.matching.homographs`).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence

from monitor.core.text import fold_word
from monitor.matching.homographs import next_word_qualified
from monitor.matching.morphology import MAX_SUFFIX, MIN_STEM, SUFFIXES, WordPattern

_CACHE_LIMIT = 300_000
# what ends a sentence: a capital after it is no evidence of a name
_SENTENCE_END = frozenset(".!?…\n")
Words = Sequence[tuple[str, int, int]]


class WordIndex:
    """Post word → ids (positions in `patterns`) of the patterns it matches."""

    def __init__(self, patterns: Sequence[WordPattern]) -> None:
        self._patterns = patterns
        self._forms: dict[str, list[int]] = defaultdict(list)
        self._homographs: dict[str, dict[int, frozenset[str]]] = defaultdict(dict)
        # stem → (pattern id, allowed endings, whether the ending derives another word)
        self._stems: dict[str, list[tuple[int, frozenset[str], bool]]] = defaultdict(list)
        for number, pattern in enumerate(patterns):
            for form in pattern.forms:
                self._forms[form].append(number)
            for stem, kind in pattern.stems:
                self._stems[stem].append((number, SUFFIXES[kind], kind.startswith("derive")))
            for form in {form for form, _ in pattern.homographs}:
                languages = frozenset(lang for f, lang in pattern.homographs if f == form)
                self._homographs[form][number] = languages
        # a word can end in a stem rule only if it starts like one: most words are not looked
        # up stem by stem (the first four letters of the long stems; the three-letter stems)
        self._heads = {stem[:4] for stem in self._stems}
        self._short_stems = {stem for stem in self._stems if len(stem) < 4}
        self._cache: dict[str, tuple[int, ...]] = {}
        # raw word → {pattern id: languages in which this word is a different word}
        self._word_homographs: dict[str, dict[int, frozenset[str]]] = {}
        # capitalised raw word → its `proper` pattern ids, dropped at the start of a sentence
        self._word_proper: dict[str, frozenset[int]] = {}
        self._special: set[str] = set()  # the words of both

    def found(self, text: str, words: Words, language: str | None) -> list[tuple[int, ...]]:
        """The pattern ids of each word of `text` (split into `words`), in order."""
        get = self._cache.get
        found = [get(word) for word, _, _ in words]
        for i, ids in enumerate(found):
            if ids is None:
                found[i] = self._lookup(words[i][0])
        special = self._special
        if special:
            for i in [i for i, ids in enumerate(found) if ids and words[i][0] in special]:
                found[i] = self._settle(text, words, i, found[i], language)
        return found  # type: ignore[return-value]  # no None is left

    def _settle(
        self, text: str, words: Words, i: int, ids: tuple[int, ...], language: str | None
    ) -> tuple[int, ...]:
        word = words[i][0]
        homographs = self._word_homographs.get(word) if language else None
        if homographs:
            # «мали» in a Ukrainian post is "had", not Mali
            ids = tuple(p for p in ids if language not in homographs.get(p, ()))
        proper = self._word_proper.get(word)
        if proper and _opens_sentence(text, words, i):
            # «Того и гляди» is the pronoun; «Малі діти» "small", «Малі та Нігер» Mali
            qualified = next_word_qualified(text, words, i, language)
            patterns = self._patterns
            ids = tuple(
                p for p in ids if p not in proper or patterns[p].context_start and not qualified
            )
        return ids

    def _lookup(self, word: str) -> tuple[int, ...]:
        folded = fold_word(word)
        found = set(self._forms.get(folded, ()))
        derived: set[int] = set()  # «малійські», «тоголезский»: lower-case words of their own
        stems = self._stems
        if folded[:4] in self._heads or folded[:3] in self._short_stems:
            for cut in range(max(MIN_STEM, len(folded) - MAX_SUFFIX), len(folded) + 1):
                candidates = stems.get(folded[:cut])
                if candidates:
                    ending = folded[cut:]
                    for number, endings, derivation in candidates:
                        if ending in endings:
                            (derived if derivation else found).add(number)
        if not found and not derived:
            self._remember(word, ())
            return ()
        patterns = self._patterns
        if not word.isupper():
            found = {n for n in found if not patterns[n].upper}  # "us" is not US
        if not word[:1].isupper():
            # «Малі» with match_case is Mali; «малі» is "small"
            found = {n for n in found if not (patterns[n].capitalised or patterns[n].proper)}
            derived = {n for n in derived if not patterns[n].capitalised}
        elif found:
            # a capital at the start of a sentence says nothing: judged where the word stands
            proper = frozenset(n for n in found if patterns[n].proper) - derived
            if proper:
                self._word_proper[word] = proper
                self._special.add(word)
        found |= derived
        result = tuple(sorted(found))
        self._remember(word, result)
        homographs = self._homographs.get(folded)
        if homographs and found.intersection(homographs):
            self._word_homographs[word] = homographs
            self._special.add(word)
        return result

    def _remember(self, word: str, result: tuple[int, ...]) -> None:
        if len(self._cache) >= _CACHE_LIMIT:
            self._cache.clear()
        self._cache[word] = result


def _opens_sentence(text: str, words: Words, i: int) -> bool:
    """Whether word `i` is the first of a sentence that goes on (a lone word is a label)."""
    before = i == 0 or _SENTENCE_END.intersection(text[words[i - 1][2] : words[i][1]])
    return (
        bool(before)
        and i + 1 < len(words)
        and not _SENTENCE_END.intersection(text[words[i][2] : words[i + 1][1]])
    )
