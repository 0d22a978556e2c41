"""Word-level differences between two versions of a post, as runs a template can mark up."""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass

_TOKENS = re.compile(r"\S+\s*|\s+", re.UNICODE)  # a word with the space after it


@dataclass(frozen=True)
class DiffRun:
    """A run of text that is unchanged ("same"), added ("ins") or removed ("del")."""

    text: str
    kind: str


def word_diff(old: str, new: str) -> list[DiffRun]:
    """Runs that turn `old` into `new`, word by word (whitespace kept as written)."""
    a, b = _TOKENS.findall(old), _TOKENS.findall(new)
    runs: list[DiffRun] = []
    matcher = difflib.SequenceMatcher(a=a, b=b, autojunk=False)
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            runs.append(DiffRun("".join(a[i1:i2]), "same"))
            continue
        if op in ("delete", "replace"):
            runs.append(DiffRun("".join(a[i1:i2]), "del"))
        if op in ("insert", "replace"):
            runs.append(DiffRun("".join(b[j1:j2]), "ins"))
    return runs
