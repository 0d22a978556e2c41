"""Language detection stage: clean a post, let script and letters decide, then seeded langdetect.

Statistical detectors misread short Cyrillic posts (Russian as Macedonian, Ukrainian as
Russian), so letters that only one language has decide first; langdetect, restricted to the
languages still possible and seeded per call, settles the rest. Pure and deterministic:
the same text gives the same `Detection` in every call and every process.
"""

from __future__ import annotations

import re
import threading
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from langdetect.detector_factory import PROFILES_DIRECTORY, DetectorFactory
from langdetect.lang_detect_exception import LangDetectException

from monitor.text import normalise_text

UNDETERMINED = "und"

# Below this many letters nothing decides reliably ("ок", "+", "👍"): measured on the
# labelled set, 3+ letters already carry a letter rule or a usable n-gram profile.
MIN_LETTERS = 3
# langdetect needs no more than this to decide; the tail of a long post only costs time.
_LANGDETECT_MAX_CHARS = 600
# Trials langdetect averages (its default is 7). Fewer trials keep the stage fast; the
# effect on accuracy is measured in bench/bench_language.py.
_LANGDETECT_TRIALS = 3
_SEED = 0


@dataclass(frozen=True, slots=True)
class Detection:
    """The language of one post: ISO 639-1 code or "und", a 0..1 confidence, and how."""

    lang: str
    confidence: float
    method: str  # "too-short" | "script" | "letters" | "langdetect"


# --- cleaning -----------------------------------------------------------------------------

_URL = re.compile(
    r"(?:https?://|www\.)\S+|\b(?:[A-Za-z0-9-]+\.)+[a-z]{2,6}\b(?:/\S*)?|\S+@\S+\.\w+",
    re.IGNORECASE,
)
_MENTION = re.compile(r"@\w+")
_HASHTAG = re.compile(r"#(\w+)")
# Combining marks kept inside words (decomposed Latin/Cyrillic accents, Arabic harakat,
# Hebrew points); everything else that is not a letter separates words.
_MARKS = "\u0300-\u036f\u0483-\u0489\u0591-\u05c7\u0610-\u061a\u064b-\u065f\u0670"
_LETTER = rf"[^\W\d_]|[{_MARKS}]"
_WORD = re.compile(rf"(?:{_LETTER})+(?:['’ʼ`\-](?:{_LETTER})+)*")
_APOSTROPHES = str.maketrans({"’": "'", "ʼ": "'", "`": "'"})


def clean_text(text: str) -> str:
    """Keep only the words of a post: no links, mentions, emoji, numbers or punctuation.

    Hashtags keep their words ("#Новости_дня" → "Новости дня") because channels put real
    vocabulary in them; apostrophes and hyphens inside words stay (Ukrainian «п'ять»).
    """
    text = unicodedata.normalize("NFKC", text)
    text = _URL.sub(" ", text)
    text = _MENTION.sub(" ", text)
    text = _HASHTAG.sub(lambda m: " " + m.group(1).replace("_", " ") + " ", text)
    return " ".join(_WORD.findall(text)).translate(_APOSTROPHES)


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
_SCRIPT_PATTERNS = tuple((name, re.compile(f"[{chars}]")) for name, chars in _SCRIPT_RANGES)
# Scripts that name their language outright (kana wins over han: Japanese mixes both).
_SCRIPT_LANGUAGE = {
    "greek": "el", "hebrew": "he", "georgian": "ka", "armenian": "hy", "thai": "th",
    "hangul": "ko", "kana": "ja",
}


def _dominant_script(letters: str) -> tuple[str | None, dict[str, int]]:
    """Name the script most letters of the text are written in, with the counts."""
    counts = {name: len(pattern.findall(letters)) for name, pattern in _SCRIPT_PATTERNS}
    if counts["kana"]:
        return "kana", counts
    name, best = max(counts.items(), key=lambda item: item[1])
    return (name if best else None), counts


# --- letter rules -------------------------------------------------------------------------

# Confidence given to each letter rule: its precision on tests/data/language/labelled.jsonl
# (bench/bench_language.py prints the counts), smoothed as (correct + 1) / (fired + 2) so
# a rule that never failed on a few hundred posts is not reported as certain.
RULE_CONFIDENCE = {
    "be": 0.97,  # ў, or і beside ы/э/ё with no и
    "uk": 0.99,  # ї є ґ, or і, with none of ы э ё
    "ru": 0.99,  # ы э ё or ъ before е/ё/ю/я, with none of і ї є ґ ў
    "bg": 0.95,  # ъ before a consonant or at a word end, with none of ы э ё
    "mk": 0.9,  # ѓ ќ ѕ (not measured: no labelled Macedonian)
    "sr": 0.9,  # ђ ћ, or ј љ њ џ with «је» (not measured: no labelled Serbian)
    "ar": 0.99,  # Arabic script without Persian/Urdu letters
}

_RU_HARD_SIGN = re.compile("ъ(?=[еёюя])")
_BG_HARD_SIGN = re.compile("ъ(?![еёюя])")
_SR_WORD = re.compile(r"(?<!\w)је(?!\w)")
_PERSIAN_URDU = re.compile("[پچژگکیۀےٹڈڑں]")


def _cyrillic_by_letters(text: str) -> str | None:
    """Decide a Cyrillic text by letters only one language has, or None when they don't.

    Uses the text after `normalise_text`, which turns a Latin «i» typed inside a Cyrillic
    word into «і» (a Ukrainian habit), but folds ё into е, so ё is counted beforehand.
    """
    lowered = text.lower()
    yo = lowered.count("ё")
    folded = normalise_text(text)
    if "ў" in folded:
        return "be"
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
    has_i_ = "и" in folded
    if (i_letter or "'" in folded) and ru_be and not has_i_ and not uk_only:
        return "be"  # Belarusian writes і and ы/э/ё but never и
    if uk_only or i_letter:
        return None if ru_be or ru_hard else "uk"  # both alphabets: a mixed post
    if ru_be or ru_hard:
        return None if bg_hard else "ru"
    if bg_hard:
        return "bg"
    return None


# --- langdetect ---------------------------------------------------------------------------

# Candidates per situation. Cyrillic without deciding letters can only be Russian,
# Ukrainian or Bulgarian here: Macedonian and Serbian were settled by ѓ ќ ѕ ђ ћ ј љ њ џ,
# and letting langdetect pick "mk" for a two-word Russian phrase is the error to avoid.
_CANDIDATES = {
    "cyrillic": ("bg", "ru", "uk"),
    "latin": ("cs", "de", "en", "es", "fr", "it", "nl", "pl", "pt", "ro", "tr"),
    "arabic": ("ar", "fa", "ur"),
    "other": None,  # every profile langdetect ships
}
_ISO_639_1 = {"zh-cn": "zh", "zh-tw": "zh"}

_factories: dict[str, DetectorFactory] = {}
_factories_lock = threading.Lock()


def _factory(kind: str) -> DetectorFactory:
    """Load the langdetect profiles for KIND once, in a fixed order, and keep them."""
    factory = _factories.get(kind)
    if factory is not None:
        return factory
    with _factories_lock:
        factory = _factories.get(kind)
        if factory is None:
            names = _CANDIDATES[kind] or sorted(p.name for p in Path(PROFILES_DIRECTORY).iterdir())
            factory = DetectorFactory()
            profiles = Path(PROFILES_DIRECTORY)
            factory.load_json_profile(
                [(profiles / name).read_text(encoding="utf-8") for name in sorted(names)]
            )
            factory.set_seed(_SEED)
            _factories[kind] = factory
    return factory


def _langdetect(text: str, kind: str) -> tuple[str, float]:
    """Run a fresh, seeded detector over the candidates for KIND.

    A detector per call owns its random generator, so concurrent calls cannot disturb each
    other's sequence and the answer never depends on what was detected before.
    """
    sample = text[:_LANGDETECT_MAX_CHARS]
    letters = [ch for ch in sample if ch.isalpha()]
    if sum(ch.isupper() for ch in letters) * 2 > len(letters):
        sample = sample.lower()  # langdetect skips ALL-CAPS words; a shouting post has no others
    detector = _factory(kind).create()
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


# --- the stage ----------------------------------------------------------------------------


def detect_language(text: str) -> Detection:
    """Name the language of a post, or "und" when it has too few letters to tell."""
    cleaned = clean_text(text)
    letters = sum(ch.isalpha() for ch in cleaned)
    if letters < MIN_LETTERS:
        return Detection(UNDETERMINED, 0.0, "too-short")
    script, counts = _dominant_script(cleaned)
    if script in _SCRIPT_LANGUAGE:
        return Detection(_SCRIPT_LANGUAGE[script], 0.99, "script")
    if script == "han":
        return Detection("zh", 0.99, "script")
    if script == "cyrillic":
        # Latin brand names and quotes in a Cyrillic post only blur the profile.
        cyrillic = " ".join(w for w in cleaned.split() if _SCRIPT_PATTERNS[0][1].search(w))
        lang = _cyrillic_by_letters(cyrillic)
        if lang is not None:
            return Detection(lang, RULE_CONFIDENCE[lang], "letters")
        lang, confidence = _langdetect(cyrillic, "cyrillic")
        return Detection(lang, confidence, "langdetect")
    if script == "arabic":
        if not _PERSIAN_URDU.search(cleaned):
            return Detection("ar", RULE_CONFIDENCE["ar"], "letters")
        lang, confidence = _langdetect(cleaned, "arabic")
        return Detection(lang, confidence, "langdetect")
    kind = "latin" if script == "latin" else "other"
    lang, confidence = _langdetect(cleaned, kind)
    return Detection(lang, confidence, "langdetect")
