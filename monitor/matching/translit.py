"""Latin ↔ Cyrillic spellings of one folded word, for matching names across scripts.

Names reach Telegram in several romanisations («Тинзауатен» is "Tinzaouaten" in French
sources, "Tinzawaten" in English ones), so a term gets a few spellings per direction rather
than one "correct" one. Pure functions; input is a folded (lower-case, ё→е) word.
"""

from __future__ import annotations

import itertools
import re

_CYRILLIC = re.compile(r"[\u0400-\u04ff]")
_LATIN = re.compile(r"[a-z]")
MAX_SPELLINGS = 6

# Whole-word schemes, so one word gets one consistent romanisation per scheme.
_BGN = {
    "а": "a",
    "б": "b",
    "в": "v",
    "г": "g",
    "д": "d",
    "е": "e",
    "ж": "zh",
    "з": "z",
    "и": "i",
    "й": "y",
    "к": "k",
    "л": "l",
    "м": "m",
    "н": "n",
    "о": "o",
    "п": "p",
    "р": "r",
    "с": "s",
    "т": "t",
    "у": "u",
    "ф": "f",
    "х": "kh",
    "ц": "ts",
    "ч": "ch",
    "ш": "sh",
    "щ": "shch",
    "ъ": "",
    "ы": "y",
    "ь": "",
    "э": "e",
    "ю": "yu",
    "я": "ya",
    "і": "i",
    "ї": "yi",
    "є": "ye",
    "ґ": "g",
    "'": "",
}
_FRENCH = {
    **_BGN,
    "у": "ou",
    "ж": "j",
    "ч": "tch",
    "ш": "ch",
    "щ": "chtch",
    "х": "kh",
    "ю": "iou",
    "я": "ia",
    "й": "i",
    "ы": "y",
    "ц": "ts",
}
_ENGLISH = {**_BGN, "в": "w", "х": "h", "й": "i"}
_UKRAINIAN = {**_BGN, "г": "h", "и": "y", "х": "kh", "й": "i", "ю": "iu", "я": "ia", "є": "ie"}
_SCHEMES = (_BGN, _FRENCH, _ENGLISH, _UKRAINIAN)

# Latin → Cyrillic: longest chunk first; each chunk lists its readings, most likely first.
_LATIN_CHUNKS: dict[str, tuple[str, ...]] = {
    "shch": ("щ",),
    "sch": ("ш", "щ"),
    "tch": ("ч",),
    "sh": ("ш",),
    "ch": ("ч", "ш"),
    "zh": ("ж",),
    "kh": ("х",),
    "ts": ("ц",),
    "tz": ("ц",),
    "ya": ("я",),
    "yu": ("ю",),
    "yo": ("е",),
    "ye": ("е",),
    "ou": ("у",),
    "oo": ("у",),
    "ph": ("ф",),
    "th": ("т",),
    "gh": ("г",),
    "ck": ("к",),
    "qu": ("кв", "к"),
    "ee": ("и",),
    "ia": ("иа", "я"),
    "a": ("а",),
    "b": ("б",),
    "c": ("к", "с"),
    "d": ("д",),
    "e": ("е",),
    "f": ("ф",),
    "g": ("г",),
    "h": ("х", "г"),
    "i": ("и",),
    "j": ("дж", "ж"),
    "k": ("к",),
    "l": ("л",),
    "m": ("м",),
    "n": ("н",),
    "o": ("о",),
    "p": ("п",),
    "q": ("к",),
    "r": ("р",),
    "s": ("с",),
    "t": ("т",),
    "u": ("у",),
    "v": ("в",),
    "w": ("в", "у"),
    "x": ("кс",),
    "y": ("и", "й"),
    "z": ("з",),
    "'": ("",),
}
_CHUNK_LENGTHS = sorted({len(chunk) for chunk in _LATIN_CHUNKS}, reverse=True)


def is_cyrillic(word: str) -> bool:
    return bool(_CYRILLIC.search(word)) and not _LATIN.search(word)


def is_latin(word: str) -> bool:
    return bool(_LATIN.search(word)) and not _CYRILLIC.search(word)


def latin_spellings(word: str) -> list[str]:
    """Romanise a Cyrillic word under each scheme: «вагнер» → vagner, wagner."""
    if not is_cyrillic(word):
        return []
    spellings = ["".join(scheme.get(ch, ch) for ch in word) for scheme in _SCHEMES]
    if _SOFT_TS.search(word):
        # a word of Latin origin keeps its c before e and i: «Ланцет» → Lancet, «цемент» → cement
        spellings.append("".join(_BGN.get(ch, ch) for ch in _SOFT_TS.sub("c", word)))
    return [s for s in dict.fromkeys(spellings) if s and s != word]


_SOFT_TS = re.compile(r"ц(?=[еиіэ])")


def latin_notes(spellings: tuple[str, ...]) -> list[str]:
    """The Latin spellings with c for ц, and why (for `watchlist explain`)."""
    notes = []
    for spelling in spellings:
        for word in re.findall(r"[\u0400-\u04ff]+", spelling.lower()):
            if _SOFT_TS.search(word):
                latin = latin_spellings(word)[-1]
                notes.append(f"{latin}: Latin spelling of «{word}» with c for ц before e and i")
    return notes


def cyrillic_spellings(word: str) -> list[str]:
    """Read a Latin word in Cyrillic, up to MAX_SPELLINGS ways: "tinzawaten" → тинзауатен, ..."""
    if not is_latin(word):
        return []
    pieces = _pieces(word)
    if word.startswith("e"):
        pieces[0] = ("э", "е")  # Russian writes a word-initial [e] as «э»: Emirates → эмиратс
    combos = itertools.islice(itertools.product(*pieces), MAX_SPELLINGS)
    spellings = ["".join(combo) for combo in combos]
    if spellings[0][-1] in "лн":
        # a final soft l/n is lost in romanisation: Kidal = Кидаль, Geran = Герань
        spellings += [s + "ь" for s in spellings[:2]]
    return list(dict.fromkeys(spellings))


def _pieces(word: str, spoken_i: frozenset[int] = frozenset()) -> list[tuple[str, ...]]:
    """A Latin word as chunks with their Cyrillic readings; `spoken_i`: positions of «ай»."""
    pieces: list[tuple[str, ...]] = []
    i = 0
    while i < len(word):
        if i in spoken_i:
            pieces.append(("ай",))
            i += 1
            continue
        for length in _CHUNK_LENGTHS:
            chunk = word[i : i + length]
            if chunk in _LATIN_CHUNKS:
                pieces.append(_LATIN_CHUNKS[chunk])
                i += length
                break
        else:
            pieces.append((word[i],))
            i += 1
    return pieces


# an English i in an open syllable is spoken [ai]: HI-MARS
_OPEN_I = re.compile(r"(?<=[b-df-hj-np-tv-z])i(?=[b-df-hj-np-tv-z][aeiou])")


def acronym_readings(word: str) -> list[str]:
    """How Russian and Ukrainian write a Latin acronym read as a word: himars → химарс, хаймарс.

    An acronym has no native spelling, so writers follow its letters or, since most are
    American, its English sound (an open-syllable i is «ай»). The first reading of each.
    """
    if not is_latin(word):
        return []
    readings = cyrillic_spellings(word)[:1]
    spoken = frozenset(m.start() for m in _OPEN_I.finditer(word))
    if spoken:
        readings.append("".join(p[0] for p in _pieces(word, spoken)))
    return list(dict.fromkeys(readings))


_NINE = set("дтзсцжчшр")
_VOWELS = set("аеиоуыэюяіїє")


def ukrainian_reading(reading: str) -> str:
    """The Ukrainian spelling of a Cyrillic reading of a foreign word: Джавелин → Джавелін.

    Ukrainian writes a foreign и as і, except after д т з с ц ж ч ш р before a consonant
    (the "rule of nine": Сирія) and at the end of a word.
    """
    letters = list(reading)
    for i, ch in enumerate(letters):
        if ch != "и" or i + 1 == len(letters):
            continue
        before, after = letters[i - 1] if i else "", letters[i + 1]
        if before in _VOWELS:
            letters[i] = "ї"
        elif not (before in _NINE and after not in _VOWELS):
            letters[i] = "і"
    return "".join(letters)
