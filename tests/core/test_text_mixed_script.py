"""normalise_text repairs look-alike letters only in mixed-script words, the same as per word."""

from __future__ import annotations

import re
import unicodedata

from hypothesis import given, settings
from hypothesis import strategies as st

from monitor.core.text import fix_mixed_script, normalise_text

_LETTERS = "aceopxyKMTHBkmtbh" + "бвгдеёжзийклмнопрстуфхцчшщъыьэюяАВЕКМНОРСТХ" + "іїєґ" + "Àé0_"
_TEXT = st.text(
    alphabet=st.sampled_from(list(_LETTERS + " -.!\n\t😀\x1c\u2003\u00a0\u200b\u0301")), max_size=80
)


def per_word(text: str) -> str:
    """The definition: every word goes through fix_mixed_script."""
    folded = unicodedata.normalize("NFKC", text).casefold().replace("ё", "е")
    folded = re.sub(r"\w+", lambda m: fix_mixed_script(m.group(0)), folded)
    return re.sub(r"\s+", " ", folded).strip()


@settings(max_examples=3000, deadline=None)
@given(_TEXT)
def test_normalise_text_equals_the_per_word_definition(text: str) -> None:
    assert normalise_text(text) == per_word(text)


def test_look_alikes_are_repaired_in_mixed_words_only() -> None:
    assert normalise_text("Вaгнер и Wagner, Kолонна") == "вагнер и wagner, колонна"


def test_a_huge_single_word_takes_linear_time() -> None:
    # A backtracking pattern would take minutes here; the lookaheads scan each word once.
    assert normalise_text("я" * 300_000 + "a") == "я" * 300_000 + "а"  # Cyrillic а
