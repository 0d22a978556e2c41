"""Language detection stage: clean a post, let script and letters decide, then statistics.

Statistical detectors misread short Cyrillic posts (Russian as Macedonian, Ukrainian as
Russian), so letters that only one language has decide first; a statistical detector
restricted to the languages still possible settles the rest: lingua, or langdetect seeded
per call. Pure and deterministic: the same text gives the same `Detection` in every call
and every process.
"""

from __future__ import annotations

import re
import threading
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from langdetect.detector_factory import PROFILES_DIRECTORY, DetectorFactory
from langdetect.lang_detect_exception import LangDetectException

from monitor.core.text import normalise_text

try:  # the better statistical step; langdetect alone still works without it
    import lingua
except ImportError:  # pragma: no cover - lingua is a declared dependency
    lingua = None  # type: ignore[assignment]

__all__ = ["Detection", "clean_text", "detect_language"]

UNDETERMINED = "und"

# Below this many letters nothing decides reliably ("ок", "+1", "👍"). On the labelled and
# hold-out sets 1-2 gave «ок» a language, 3-5 scored the same, 6+ lost «Увага».
MIN_LETTERS = 3
# The head of a post decides its language; the tail of a 4,096-character post only costs
# time (a 2,000-character post took 1.3 ms whole, almost all of it cleaning).
_HEAD_CHARS = 1000
# A statistical detector needs no more letters than this.
_SAMPLE_CHARS = 600
# Trials langdetect averages (its default is 7). Fewer trials keep the stage fast; the
# effect on accuracy is measured in bench/bench_language.py.
_LANGDETECT_TRIALS = 3
_SEED = 0


@dataclass(frozen=True, slots=True)
class Detection:
    """The language of one post: ISO 639-1 code or "und", a 0..1 confidence, and how."""

    lang: str
    confidence: float
    method: str  # "too-short" | "script" | "letters" | "lingua" | "langdetect"


# --- cleaning -----------------------------------------------------------------------------

# Links with a scheme or www., bare domains (lower-case top-level part, so «done.The» with
# a missing space survives), and e-mail addresses (cut before mentions). Each pattern runs
# only when a cheap test finds its mark: scanning every post with them was the slowest
# step on long posts.
_URL = re.compile(r"(?i:https?://|www\.)\S+")
_DOMAIN = re.compile(r"\b(?:[A-Za-z0-9-]+\.)+[a-z]{2,6}\b(?:/\S*)?")
_DOMAIN_MARK = re.compile(r"[A-Za-z0-9-]\.[a-z]")
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_MENTION = re.compile(r"@\w+")
_HASHTAG = re.compile(r"#(\w+)")
# Combining marks kept inside words (decomposed Latin/Cyrillic accents, Arabic harakat,
# Hebrew points); everything else that is not a letter separates words.
_MARKS = "\u0300-\u036f\u0483-\u0489\u0591-\u05c7\u0610-\u061a\u064b-\u065f\u0670"
_LETTER = rf"[^\W\d_]|[{_MARKS}]"
_WORD = re.compile(rf"(?:{_LETTER})+(?:['’ʼ`\-](?:{_LETTER})+)*")
# The same words for a text with no combining mark (almost every post once NFKC has composed
# its accents): one character class instead of an alternation per letter, 40 % faster.
_PLAIN_WORD = re.compile(r"[^\W\d_]+(?:['’ʼ`\-][^\W\d_]+)*")
_MARK = re.compile(f"[{_MARKS}]")
_QUOTED = re.compile(r'«[^«»]*»|„[^„“”]*[“”]|“[^“”]*”|"[^"\n]*"')
# Quotes are left out only when the author's own words outside them carry the decision:
# at least this many letters and a third of all letters.
_MIN_OWN_LETTERS = 12


def clean_text(text: str) -> str:
    """Keep only the words of a post: no links, mentions, emoji, numbers or punctuation.

    Hashtags keep their words ("#Новости_дня" → "Новости дня") because channels put real
    vocabulary in them; apostrophes and hyphens inside words stay (Ukrainian «п'ять»).
    """
    text = unicodedata.normalize("NFKC", text)
    if "://" in text or "www." in text.lower():
        text = _URL.sub(" ", text)
    if "@" in text:
        text = _MENTION.sub(" ", _EMAIL.sub(" ", text))
    if _DOMAIN_MARK.search(text):
        text = _DOMAIN.sub(" ", text)
    text = _HASHTAG.sub(lambda m: " " + m.group(1).replace("_", " ") + " ", text)
    words = " ".join((_WORD if _MARK.search(text) else _PLAIN_WORD).findall(text))
    # str.replace: str.translate with a dict is ~10x slower on non-ASCII text
    return words.replace("’", "'").replace("ʼ", "'").replace("`", "'")


# --- scripts ------------------------------------------------------------------------------

_SCRIPT_RANGES: tuple[tuple[str, str], ...] = (
    ("cyrillic", "\u0400-\u052f\u1c80-\u1c8f\u2de0-\u2dff\ua640-\ua69f"),
    ("latin", "A-Za-z\u00c0-\u024f\u1e00-\u1eff"),
    ("arabic", "\u0600-\u06ff\u0750-\u077f\u08a0-\u08ff\ufb50-\ufdff\ufe70-\ufeff"),
    ("greek", "\u0370-\u03ff\u1f00-\u1fff"),
    ("hebrew", "\u0590-\u05ff"),
    ("georgian", "\u10a0-\u10ff"),
    ("armenian", "\u0530-\u058f"),
    ("thai", "\u0e00-\u0e7f"),
    ("hangul", "\uac00-\ud7af\u1100-\u11ff\u3130-\u318f"),
    ("kana", "\u3040-\u30ff"),
    ("han", "\u4e00-\u9fff\u3400-\u4dbf"),
)
# Runs, not single letters: findall returns one item per word instead of one per letter.
_SCRIPT_PATTERNS = tuple((name, re.compile(f"[{chars}]+")) for name, chars in _SCRIPT_RANGES)
# Scripts that name their language outright (kana wins over han: Japanese mixes both).
_SCRIPT_LANGUAGE = {
    "greek": "el",
    "hebrew": "he",
    "georgian": "ka",
    "armenian": "hy",
    "thai": "th",
    "hangul": "ko",
    "kana": "ja",
}


_CYRILLIC = _SCRIPT_PATTERNS[0][1]
_LATIN_LETTER = _SCRIPT_PATTERNS[1][1]


def _dominant_script(cleaned: str) -> str | None:
    """Name the script most letters of the text are written in (ties: first in the table)."""
    half = _letter_count(cleaned) / 2
    counts: dict[str, int] = {}
    for name, pattern in _SCRIPT_PATTERNS:
        counts[name] = sum(map(len, pattern.findall(cleaned)))
        if counts[name] > half and name != "han":
            return name  # a majority settles it (but han with any kana is Japanese)
    if counts["kana"]:
        return "kana"
    name, best = max(counts.items(), key=lambda item: item[1])
    return name if best else None


# --- letter rules -------------------------------------------------------------------------

# Confidence given to each letter rule: its precision on tests/data/language/labelled.jsonl
# (bench/bench_language.py prints the counts), smoothed as (correct + 1) / (fired + 2) so
# a rule that never failed on a few hundred posts is not reported as certain.
RULE_CONFIDENCE = {
    "be": 0.97,  # ў (unless и without і: Uzbek); or і/' beside ы/э/ё with no и;
    # or a Belarusian-only word with no и
    "uk": 0.99,  # ї є ґ, or і, with none of ы э ё ъ(е/ё/ю/я)
    "ru": 0.98,  # ы э ё or ъ before е/ё/ю/я, with none of і ї є ґ ў
    "bg": 0.95,  # ъ before a consonant or at a word end, with none of ы э ё
    "mk": 0.9,  # ѓ ќ ѕ (not measured: no labelled Macedonian)
    "sr": 0.9,  # ђ ћ, or ј љ њ џ with «је» (not measured: no labelled Serbian)
    "ar": 0.97,  # Arabic script without Persian/Urdu letters
}
# Central Asian and Turkic Cyrillic letters (not measured: no labelled posts). They matter
# because Uzbek writes ў and Kazakh writes і: without this step both would pass for
# Belarusian or Ukrainian.
TURKIC_CONFIDENCE = 0.8
# Scripts used by one language only here (Greek, Hebrew, Hangul, kana, Han...); no
# labelled posts, so a fixed high value rather than a measured one.
SCRIPT_CONFIDENCE = 0.99

_TURKIC_LETTERS = re.compile("[әғқңөұүһҗҷӣӯҳ]")
_MIXED_WORD = re.compile("[a-z][\u0400-\u04ff]|[\u0400-\u04ff][a-z]")
_RU_HARD_SIGN = re.compile("ъ(?=[еёюя])")
_BG_HARD_SIGN = re.compile("ъ(?![еёюя])")
_SR_WORD = re.compile(r"(?<!\w)је(?!\w)")
_PERSIAN_URDU = re.compile("[پچژگکیۀےٹڈڑں]")
# Frequent Belarusian words no Russian or Ukrainian text uses; they name short posts
# written without ў (e.g. «Усё будзе добра», «Мова — гэта наш скарб»).
_BELARUSIAN_WORDS = frozenset(
    "гэта што будзе будзем дзякуй дзякуем сёння усё ўсё ёсць вельмі таксама яшчэ жыве каб "
    "трэба дзень калі зноў навіны".split()
)


def _turkic_by_letters(folded: str) -> str:
    """Name a Cyrillic text that has Central Asian letters by the letters it has."""
    has = set(folded).__contains__
    if has("ҷ") or has("ӣ") or has("ӯ"):
        return "tg"
    if has("ў") and (has("қ") or has("ғ") or has("ҳ")):
        return "uz"
    if has("ұ") or (has("ә") and (has("қ") or has("ғ"))) or has("қ") or has("ғ"):
        return "kk"
    if has("җ") or has("ә"):
        return "tt"
    return "ky" if has("ң") else "mn"


def _cyrillic_by_letters(text: str) -> str | None:
    """Decide a Cyrillic text by letters only one language has, or None when they don't.

    Uses the text after `normalise_text`, which turns a Latin «i» typed inside a Cyrillic
    word into «і» (a Ukrainian habit), but folds ё into е, so ё is counted beforehand.
    """
    lowered = text.lower()
    yo = lowered.count("ё")
    # normalise_text walks every word; only a word mixing scripts needs it
    folded = normalise_text(text) if _MIXED_WORD.search(lowered) else lowered
    if _TURKIC_LETTERS.search(folded):
        return _turkic_by_letters(folded)
    has_i_ = "и" in folded
    if "ў" in folded:
        # Uzbek writes ў and и but never і; Belarusian writes і and never и
        return "uz" if has_i_ and "і" not in folded else "be"
    if not has_i_ and not _BELARUSIAN_WORDS.isdisjoint(lowered.split()):
        return "be"  # Belarusian has no и; Russian and Ukrainian rarely go a sentence without
    if any(ch in folded for ch in "ѓќѕ"):
        return "mk"
    if any(ch in folded for ch in "ђћ"):
        return "sr"
    if any(ch in folded for ch in "јљњџ"):
        return "sr" if _SR_WORD.search(folded) else "mk"
    uk_only = sum(folded.count(ch) for ch in "їєґ")
    i_letter = folded.count("і")
    ru_be = folded.count("ы") + folded.count("э") + yo
    ru_hard = len(_RU_HARD_SIGN.findall(lowered))
    bg_hard = len(_BG_HARD_SIGN.findall(lowered))
    if (i_letter or "'" in folded) and ru_be and not has_i_ and not uk_only:
        return "be"  # Belarusian writes і and ы/э/ё but never и
    if uk_only or i_letter:
        return None if ru_be or ru_hard else "uk"  # both alphabets: a mixed post
    if ru_be or ru_hard:
        return None if bg_hard else "ru"
    if bg_hard:
        return "bg"
    return None


# --- statistical step -----------------------------------------------------------------------

# Candidates per situation. Cyrillic without deciding letters can only be Russian,
# Ukrainian or Bulgarian here: Macedonian and Serbian were settled by ѓ ќ ѕ ђ ћ ј љ њ џ,
# and letting a detector pick "mk" for a two-word Russian phrase is the error to avoid.
_CANDIDATES: dict[str, tuple[str, ...] | None] = {
    "cyrillic": ("bg", "ru", "uk"),
    "latin": ("cs", "de", "en", "es", "fr", "it", "nl", "pl", "pt", "ro", "tr"),
    "arabic": ("ar", "fa", "ur"),
    "other": None,  # every profile langdetect ships; lingua is not loaded for these
}
_ISO_639_1 = {"zh-cn": "zh", "zh-tw": "zh"}

# lingua (n-grams up to five letters) tells Ukrainian without і/ї/є/ґ from Russian far
# better than langdetect and is faster; langdetect stays for scripts outside the candidate
# sets and for installs without lingua. bench/bench_language.py measures both.
STATISTICAL_BACKENDS = ("lingua", "langdetect")
# lingua's high-accuracy models (1- to 5-grams) cost ~125 MB for ru/uk/bg and ~330 MB for
# the Latin set; trigram-only models were as accurate on en/fr at 60 MB, so only the
# ru/uk decision, the one that matters, pays for the large models.
_LINGUA_HIGH_ACCURACY = frozenset({"cyrillic"})
DEFAULT_BACKEND = "lingua" if lingua is not None else "langdetect"

_detectors: dict[tuple[str, str], Any] = {}
_detectors_lock = threading.Lock()


def _load(backend: str, kind: str) -> Any:
    """Build the detector for BACKEND and KIND once (thread-safe) and keep it."""
    key = (backend, kind)
    detector = _detectors.get(key)
    if detector is not None:
        return detector
    with _detectors_lock:
        detector = _detectors.get(key)
        if detector is None:
            detector = _build_lingua(kind) if backend == "lingua" else _build_langdetect(kind)
            _detectors[key] = detector
    return detector


def _build_langdetect(kind: str) -> DetectorFactory:
    """Load langdetect's profiles for KIND in a fixed order, seeded."""
    profiles = Path(PROFILES_DIRECTORY)
    names = _CANDIDATES[kind] or sorted(p.name for p in profiles.iterdir())
    factory = DetectorFactory()
    texts = [(profiles / name).read_text(encoding="utf-8") for name in sorted(names)]
    factory.load_json_profile(texts)
    factory.set_seed(_SEED)
    return factory


def _build_lingua(kind: str) -> Any:
    """Build a lingua detector over KIND's candidates, models loaded up front."""
    assert lingua is not None
    codes = [lingua.IsoCode639_1.from_str(code) for code in _CANDIDATES[kind] or ()]
    builder = lingua.LanguageDetectorBuilder.from_iso_codes_639_1(*codes)
    if kind not in _LINGUA_HIGH_ACCURACY:
        builder = builder.with_low_accuracy_mode()
    return builder.with_preloaded_language_models().build()


def _langdetect(text: str, kind: str) -> tuple[str, float]:
    """Run a fresh, seeded langdetect detector over the candidates for KIND.

    A detector per call owns its random generator, so concurrent calls cannot disturb each
    other's sequence and the answer never depends on what was detected before.
    """
    sample = text[:_SAMPLE_CHARS]
    letters = [ch for ch in sample if ch.isalpha()]
    if sum(ch.isupper() for ch in letters) * 2 > len(letters):
        sample = sample.lower()  # langdetect skips ALL-CAPS words; a shouting post has no others
    factory = _load("langdetect", kind)
    assert isinstance(factory, DetectorFactory)
    detector = factory.create()
    detector.n_trial = _LANGDETECT_TRIALS
    detector.append(sample)
    try:
        ranked = detector.get_probabilities()
    except LangDetectException:
        return UNDETERMINED, 0.0
    if not ranked:
        return UNDETERMINED, 0.0
    best = ranked[0]
    return _ISO_639_1.get(best.lang, best.lang), round(float(best.prob), 4)


def _lingua(text: str, kind: str) -> tuple[str, float] | None:
    """Ask lingua over KIND's candidates; None when it cannot say (no model, no n-gram)."""
    if lingua is None or _CANDIDATES[kind] is None:
        return None
    detector = _load("lingua", kind)
    ranked = detector.compute_language_confidence_values(text[:_SAMPLE_CHARS])
    if not ranked or ranked[0].value <= 0.0:
        return None
    best = ranked[0]
    return best.language.iso_code_639_1.name.lower(), round(float(best.value), 4)


def _statistical(text: str, kind: str, backend: str) -> Detection:
    """Settle what letters could not: lingua first (if chosen), langdetect otherwise."""
    if backend == "lingua":
        answer = _lingua(text, kind)
        if answer is not None:
            return Detection(answer[0], answer[1], "lingua")
    lang, confidence = _langdetect(text, kind)
    return Detection(lang, confidence, "langdetect")


# --- the stage ----------------------------------------------------------------------------


def detect_language(text: str) -> Detection:
    """Name the language of a post, or "und" when it has too few letters to tell."""
    return _detect(text, DEFAULT_BACKEND)


def _letter_count(cleaned: str) -> int:
    """Count the letters of a `clean_text` result: all but spaces, apostrophes, hyphens."""
    return len(cleaned) - cleaned.count(" ") - cleaned.count("'") - cleaned.count("-")


def _own_words(text: str) -> str:
    """Clean the post, leaving out what it quotes when enough of the author's words remain.

    Channels quote the other side in its own language («Слава Україні» in a Russian post,
    «Мы придём» in a Ukrainian one); the language of a post is the one its author writes.
    """
    cleaned = clean_text(text)
    if not _QUOTED.search(text):
        return cleaned
    outside = clean_text(_QUOTED.sub(" ", text))
    own, total = _letter_count(outside), _letter_count(cleaned)
    return outside if own >= _MIN_OWN_LETTERS and 3 * own >= total else cleaned


def _detect(text: str, backend: str) -> Detection:
    """Run the stage with the statistical BACKEND (the benchmark compares both)."""
    if backend not in STATISTICAL_BACKENDS:
        raise ValueError(f"unknown language detection backend {backend!r}")
    cleaned = _own_words(text[:_HEAD_CHARS])
    if _letter_count(cleaned) < MIN_LETTERS:
        return Detection(UNDETERMINED, 0.0, "too-short")
    script = _dominant_script(cleaned)
    if script in _SCRIPT_LANGUAGE:
        return Detection(_SCRIPT_LANGUAGE[script], SCRIPT_CONFIDENCE, "script")
    if script == "han":
        return Detection("zh", SCRIPT_CONFIDENCE, "script")
    if script == "cyrillic":
        # Latin brand names and handles in a Cyrillic post only blur the profile.
        cyrillic = cleaned
        if _LATIN_LETTER.search(cleaned):
            cyrillic = " ".join(w for w in cleaned.split() if _CYRILLIC.search(w))
        lang = _cyrillic_by_letters(cyrillic)
        if lang is not None:
            confidence = RULE_CONFIDENCE.get(lang, TURKIC_CONFIDENCE)
            return Detection(lang, confidence, "letters")
        return _statistical(cyrillic, "cyrillic", backend)
    if script == "arabic" and not _PERSIAN_URDU.search(cleaned):
        return Detection("ar", RULE_CONFIDENCE["ar"], "letters")
    kind = script if script in ("latin", "arabic") else "other"
    return _statistical(cleaned, kind, backend)
