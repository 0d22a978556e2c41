"""The other language's spelling of a Slavic place name: Покровск ↔ Покровськ, Горловка ↔ Горлівка.

Towns and villages in reports are mostly in neither dictionary, or only in the Russian one,
and they are no foreign names (whose и Ukrainian writes і): their Ukrainian spelling follows
the suffix — -ск/-цк → -ськ/-цьк, -ское → -ське, -овка → -івка, -полье → -пілля — with the
regular letters (ы → и, э → е, ъ and a labial before я/ю → '). The stem's own vowels are kept,
so a root that changed («Запорожье» / «Запоріжжя») is for the place-name list (gazetteer.py).
"""

from __future__ import annotations

import re

# (Russian suffix, Ukrainian suffix), longest first; a consonant must come before "овка"
_SUFFIXES = (
    ("цкое", "цьке"),
    ("ское", "ське"),
    ("полье", "пілля"),
    ("овка", "івка"),
    ("цк", "цьк"),
    ("ск", "ськ"),
)
_RU_LETTERS = {"ы": "и", "э": "е", "ъ": "'"}
_LABIAL_IOTATED = re.compile(r"(?<=[аеиоуяю][бвмпф])(?=[яю])")
_CONSONANT = set("бвгджзклмнпрстфхцчшщ")


def toponym_ending(word: str) -> bool:
    """Whether a folded word ends like a Slavic place name in either language."""
    return any(word.endswith((ru, uk)) for ru, uk in _SUFFIXES)


def toponym_spelling(word: str) -> tuple[str, str, str] | None:
    """The other language's spelling of a place name, that language, and the rule; or None."""
    for ru, uk in _SUFFIXES:
        stem = word[: -len(uk)]
        if word.endswith(uk) and len(stem) >= 3 and (uk != "івка" or stem[-1] in _CONSONANT):
            russian = stem.replace("і", "и").replace("'", "").replace("є", "е") + ru
            return russian, "ru", f"ru writes -{uk} as -{ru}"
        stem = word[: -len(ru)]
        if word.endswith(ru) and len(stem) >= 3 and (ru != "овка" or stem[-1] in _CONSONANT):
            stem = "".join(_RU_LETTERS.get(ch, ch) for ch in stem)
            if stem.endswith("нь") and uk.startswith("сь"):
                stem = stem[:-1]  # Ukrainian writes н before -ськ hard: Гданьск → Гданськ
            ukrainian = _LABIAL_IOTATED.sub("'", stem) + uk
            return ukrainian, "uk", f"uk writes -{ru} as -{uk}"
    return None
