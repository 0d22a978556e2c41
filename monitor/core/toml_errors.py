"""Point a validation error at its line in a TOML file: `file.toml:14: rule 2: regex: ...`.

tomllib keeps no positions, so the line is found again in the source: the line of the
offending key, inside the N-th `[[rules]]` table when the error is in a rule.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any

_HEADER = re.compile(r"^\s*\[\[?\s*([^\]]+?)\s*\]\]?")
_KEY = re.compile(r"""^\s*(?:"([^"]+)"|'([^']+)'|([A-Za-z0-9_-]+))\s*[.=]""")


def line_of(source: str, loc: Sequence[str | int]) -> int:
    """Find the 1-based line of an error location: the key's line, else its rule's header."""
    lines = source.splitlines()
    headers = {i: m.group(1) for i, line in enumerate(lines) if (m := _HEADER.match(line))}
    header_lines = list(headers)
    top_end = header_lines[0] if header_lines else len(lines)
    path = list(loc)
    if path and path[0] == "rules" and len(path) > 1 and isinstance(path[1], int):
        rule_headers = [i for i, name in headers.items() if name == "rules"]
        if path[1] < len(rule_headers):
            start = rule_headers[path[1]]
            # a rule's table ends at the next header that is not its own sub-table
            later = [i for i, n in headers.items() if i > start and not n.startswith("rules.")]
            end = later[0] if later else len(lines)
            key = next((p for p in path[2:] if isinstance(p, str)), None)
            return (_find_key(lines, start + 1, end, key) or start) + 1
        # rules written as an inline array: point at the `rules =` line
        return (_find_key(lines, 0, len(lines), "rules") or 0) + 1
    key = next((p for p in path if isinstance(p, str)), None)
    found = _find_key(lines, 0, top_end, key)
    if found is None and key == "rules" and header_lines:
        found = header_lines[0]
    return (found or 0) + 1


def _find_key(lines: list[str], start: int, end: int, key: str | None) -> int | None:
    if key is None:
        return None
    key = "not" if key == "not_" else key
    for i in range(start, end):
        match = _KEY.match(lines[i])
        if match and key in match.groups():
            return i
        header = _HEADER.match(lines[i])
        if header and header.group(1).split(".")[-1] == key:
            return i
    return None


def describe_error(error: dict[str, Any]) -> tuple[list[str | int], str]:
    """Turn one pydantic error into (location, plain message)."""
    loc = [("not" if p == "not_" else p) for p in error["loc"]]
    # drop pydantic's union-branch markers such as 'str', 'int', 'function-after[...]'
    loc = [p for p in loc if not (isinstance(p, str) and ("[" in p or p in {"str", "int"}))]
    message = str(error["msg"]).removeprefix("Value error, ")
    kind = error["type"]
    if kind == "extra_forbidden":
        message = "unknown key"
    elif kind == "missing":
        message = "required key is missing"
    elif kind == "too_short":
        wanted = error.get("ctx", {}).get("min_length", 1)
        message = "must not be empty" if wanted == 1 else f"needs {wanted} terms"
    elif kind == "too_long":
        message = f"takes at most {error.get('ctx', {}).get('max_length')} terms"
    elif kind == "model_type" or kind == "dict_type":
        message = 'a term is a string or an inline table like { term = "..." }'
    return loc, message


def format_error(path: Path, source: str, loc: list[str | int], message: str) -> str:
    line = line_of(source, loc)
    where = ""
    rest = loc
    if len(loc) >= 2 and loc[0] == "rules" and isinstance(loc[1], int):
        where = f"rule {loc[1] + 1}: "
        rest = loc[2:]
    field = "".join(f".{p}" if isinstance(p, str) else f"[{p + 1}]" for p in rest).lstrip(".")
    return f"{path}:{line}: {where}{field + ': ' if field else ''}{message}"
