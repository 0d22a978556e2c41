"""Compile a watchlist `regex` rule for google-re2, which runs in time linear in the post.

Python's `re` backtracks: `(a+)+$` against forty "a"s and a "!" never returns, and one such rule
would stall ingestion. RE2 cannot backtrack, so it has no lookarounds or backreferences; a pattern
using them is a validation error naming the construct. RE2's `\\w` and `\\b` know only ASCII, so
`\\w`/`\\W` become Unicode letter/digit classes and a `\\b` at the start or end of the pattern
becomes a check of the neighbouring character: `\\bмали\\b` keeps meaning what a user expects.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

_WORD_CLASS = r"\p{L}\p{N}\p{M}_"
_WORD = f"[{_WORD_CLASS}]"
_NOT_WORD = f"[^{_WORD_CLASS}]"
_MAX_MEM = 8 << 20  # bytes of RE2 program; a pattern needing more is rejected


def _options(case_sensitive: bool = False) -> Any:
    import re2

    options = re2.Options()
    options.case_sensitive = case_sensitive
    options.log_errors = False  # RE2 would print its own parse errors on stderr
    options.max_mem = _MAX_MEM
    return options


def _translate(pattern: str) -> tuple[str, bool, bool]:
    r"""Rewrite \w, \W for Unicode; strip a leading/trailing \b; refuse other \b and \B.

    Returns (body, starts at a word boundary, ends at a word boundary).
    """
    lead = pattern.startswith(r"\b")
    body = pattern[2:] if lead else pattern
    trail = body.endswith(r"\b") and not body.endswith(r"\\b")
    body = body[:-2] if trail else body
    out: list[str] = []
    in_class = False
    i = 0
    while i < len(body):
        ch = body[i]
        if ch == "\\" and i + 1 < len(body):
            escaped = body[i + 1]
            if escaped == "w":
                out.append(_WORD_CLASS if in_class else _WORD)
            elif escaped == "W" and not in_class:
                out.append(_NOT_WORD)
            elif escaped == "W":
                raise ValueError(r"\W inside [...] is not supported: write [^...] instead")
            elif escaped in "bB":
                raise ValueError(
                    rf"\{escaped} is only supported at the start or end of the pattern "
                    "(RE2 has no Unicode word boundaries)"
                )
            else:
                out.append(body[i : i + 2])
            i += 2
            continue
        if ch == "[" and not in_class:
            in_class = True
            out.append(ch)
            if body[i + 1 : i + 2] == "^":
                out.append("^")
                i += 1
            if body[i + 1 : i + 2] == "]":
                out.append("]")  # a literal ] first in a class
                i += 1
        elif ch == "]" and in_class:
            in_class = False
            out.append(ch)
        else:
            out.append(ch)
        i += 1
    return "".join(out), lead, trail


def _describe(error: Exception) -> str:
    """RE2's "missing ): (abc" as "missing ) in '(abc'", with the reason for RE2-only limits."""
    text = error.args[0] if error.args else str(error)
    text = text.decode("utf-8", "replace") if isinstance(text, bytes) else str(text)
    kind, _, where = text.partition(": ")
    message = f"{kind} in {where!r}" if where else kind
    if kind == "invalid perl operator" and where.startswith(("(?<", "(?=", "(?!")):
        return f"{message}: lookarounds are not supported (RE2 runs patterns in linear time)"
    if kind == "invalid escape sequence" and where[1:2].isdigit():
        return f"{message}: backreferences are not supported (RE2 runs patterns in linear time)"
    return message


@dataclass(frozen=True)
class RulePattern:
    """A compiled regex rule: `spans(text)` gives the (start, end) of each non-empty match."""

    source: str
    compiled: Any  # re2._Regexp
    lead: bool
    trail: bool

    def spans(self, text: str) -> Iterator[tuple[int, int]]:
        position = 0
        while position <= len(text):
            found = self.compiled.search(text, position)
            if found is None:
                return
            start, end = found.span(1)
            if end > start:
                yield start, end
            position = max(end, found.start() + 1)


def compile_rule_regex(pattern: str) -> RulePattern:
    """Compile a rule's pattern (case-insensitive) or raise ValueError saying what is wrong."""
    import re2

    if not pattern:
        raise ValueError("empty pattern")
    body, lead, trail = _translate(pattern)
    wrapped = (
        (f"(?:^|{_NOT_WORD})" if lead else "")
        + f"({body})"
        + (f"(?:$|{_NOT_WORD})" if trail else "")
    )
    try:
        re2.compile(body, _options())  # errors quote the user's own text, not the wrapper
        compiled = re2.compile(wrapped, _options())
    except re2.error as exc:
        raise ValueError(_describe(exc)) from None
    if compiled.search("") is not None:
        raise ValueError("pattern matches the empty string, so it would match every post")
    return RulePattern(pattern, compiled, lead, trail)
