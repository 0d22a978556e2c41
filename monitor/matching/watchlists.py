"""Read and validate watchlist TOML files into `Watchlist` objects for `monitor.matching.matcher`.

One list per file. Every mistake is reported as one line naming the file, the line of the
offending key or `[[rules]]` header, and the rule: `wagner.toml:14: rule 2: regex: ...`.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterable
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StrictBool,
    StrictInt,
    ValidationError,
    field_validator,
    model_validator,
)

from monitor.core.errors import WatchlistError
from monitor.core.toml_errors import describe_error, format_error, line_of
from monitor.matching.regex_rules import compile_rule_regex

Severity = Literal["info", "warning", "critical"]
TextScope = Literal["original", "translation", "both"]
RULE_KINDS = ("any", "all", "phrase", "near", "regex")

_WORDISH = re.compile(r"[^\W_]", re.UNICODE)
_USERNAME = re.compile(r"^[A-Za-z][A-Za-z0-9_]{3,31}$")
_LANGUAGE = re.compile(r"^[a-z]{2,3}(-[a-z]{2,4})?$")  # langdetect also says "zh-cn"


class _Strict(BaseModel):
    # Not pydantic's strict mode: TOML arrays must still become tuples. Scalars use Strict* types.
    model_config = ConfigDict(extra="forbid", frozen=True)


def _check_term_text(value: str) -> str:
    if not _WORDISH.search(value):
        raise ValueError(f"term {value!r} has no letters or digits")
    return value


class TermSpec(_Strict):
    """One term: `"Вагнер"` or `{ term = "ВСУ", exact = true, variants = [...] }`."""

    term: str
    exact: StrictBool = False  # literal: no inflection or transliteration; still ignores case, ё
    translit: StrictBool = True  # add automatic Latin↔Cyrillic spellings
    match_case: StrictBool = False  # a capitalised term matches capitalised words only
    variants: tuple[str, ...] = ()  # explicit other spellings, each matched like the term

    _term = field_validator("term")(_check_term_text)

    @field_validator("variants")
    @classmethod
    def _variants(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        for variant in value:
            _check_term_text(variant)
        return value

    @property
    def spellings(self) -> tuple[str, ...]:
        """The term and its explicit variants, in file order."""
        return (self.term, *self.variants)


def _as_term(value: Any) -> Any:
    return {"term": value} if isinstance(value, str) else value


TermList = Annotated[tuple[TermSpec, ...], Field(min_length=1)]


class Scope(_Strict):
    """Where a rule applies: channels, post languages, original text and/or its translation."""

    channels: tuple[str | int, ...] | None = None
    languages: tuple[str, ...] | None = None
    text: TextScope | None = None

    @field_validator("channels")
    @classmethod
    def _channels(cls, value: tuple[str | int, ...] | None) -> tuple[str | int, ...] | None:
        if value is None:
            return None
        cleaned: list[str | int] = []
        for channel in value:
            if isinstance(channel, int):
                cleaned.append(bare_channel_id(channel))
                continue
            name = re.sub(r"^(https?://)?(t\.me/|telegram\.me/)?@?", "", channel.strip())
            if name.lstrip("-").isdigit():
                cleaned.append(bare_channel_id(int(name)))
            elif _USERNAME.match(name):
                cleaned.append(name.casefold())
            else:
                raise ValueError(f"{channel!r} is neither a channel username nor a numeric id")
        if not cleaned:
            raise ValueError("empty channel list")
        return tuple(cleaned)

    @field_validator("languages")
    @classmethod
    def _languages(cls, value: tuple[str, ...] | None) -> tuple[str, ...] | None:
        if value is None:
            return None
        if not value:
            raise ValueError("empty language list")
        for code in value:
            if not _LANGUAGE.match(code):
                raise ValueError(f"{code!r} is not a lower-case ISO 639 language code like 'ru'")
        return value


class NearSpec(_Strict):
    terms: Annotated[tuple[TermSpec, ...], Field(min_length=2, max_length=2)]
    within: Annotated[StrictInt, Field(ge=0, le=100)] = 8

    @field_validator("terms", mode="before")
    @classmethod
    def _terms(cls, value: Any) -> Any:
        return [_as_term(v) for v in value] if isinstance(value, list) else value


class Rule(Scope):
    """One `[[rules]]` entry: exactly one of any/all/phrase/near/regex, plus optional scope."""

    id: str | None = None
    name: str | None = None
    any: TermList | None = None
    all: TermList | None = None
    phrase: str | None = None
    near: NearSpec | None = None
    regex: str | None = None
    not_: tuple[TermSpec, ...] = Field(default=(), alias="not")

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    @field_validator("any", "all", "not_", mode="before")
    @classmethod
    def _terms(cls, value: Any) -> Any:
        return [_as_term(v) for v in value] if isinstance(value, list) else value

    @field_validator("phrase")
    @classmethod
    def _phrase(cls, value: str | None) -> str | None:
        return None if value is None else _check_term_text(value)

    @field_validator("regex")
    @classmethod
    def _regex(cls, value: str | None) -> str | None:
        if value is None:
            return None
        compile_rule_regex(value)  # RE2: linear time; ValueError names what it cannot run
        return value

    @model_validator(mode="after")
    def _one_kind(self) -> Rule:
        kinds = [kind for kind in RULE_KINDS if getattr(self, kind) is not None]
        if len(kinds) != 1:
            found = ", ".join(kinds) if kinds else "none"
            raise ValueError(f"needs exactly one of {', '.join(RULE_KINDS)} (found {found})")
        return self

    @property
    def kind(self) -> str:
        return next(kind for kind in RULE_KINDS if getattr(self, kind) is not None)


class Watchlist(Scope):
    """A validated watchlist; `source` is the file it came from."""

    name: Annotated[str, Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]*$", max_length=80)]
    description: str = ""
    severity: Severity = "warning"
    not_: tuple[TermSpec, ...] = Field(default=(), alias="not")
    rules: Annotated[tuple[Rule, ...], Field(min_length=1)]
    source: str = ""

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    @field_validator("not_", mode="before")
    @classmethod
    def _not(cls, value: Any) -> Any:
        return [_as_term(v) for v in value] if isinstance(value, list) else value


def bare_channel_id(channel_id: int) -> int:
    """Drop the Bot-API `-100` prefix so ids compare with Telegram's bare peer ids."""
    text = str(channel_id)
    if text.startswith("-100") and len(text) > 4:
        return int(text[4:])
    return abs(channel_id)


def rule_label(rule: Rule, index: int) -> str:
    """Name a rule in messages: `rule 2` or `rule 2 (mali_ru)`."""
    own = rule.id or rule.name
    return f"rule {index}" + (f" ({own})" if own else "")


def _read_one(path: Path) -> tuple[Watchlist | None, str | None, list[str]]:
    """Parse one file; return the list (or None), its declared name, and every error in it."""
    try:
        source = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        reason = getattr(exc, "strerror", None) or exc
        return None, None, [f"{path}: cannot read: {exc.__class__.__name__}: {reason}"]
    try:
        data = tomllib.loads(source)
    except tomllib.TOMLDecodeError as exc:
        text = str(exc)
        match = re.search(r"\(at line (\d+), column \d+\)", text)
        line = match.group(1) if match else "1"
        return None, None, [f"{path}:{line}: invalid TOML: {re.sub(r' [(]at .*[)]$', '', text)}"]
    name = data.get("name") if isinstance(data.get("name"), str) else None
    data["source"] = str(path)
    described = _duplicate_rule_ids(data)
    try:
        watchlist = Watchlist.model_validate(data)
    except ValidationError as exc:
        described += [describe_error(dict(error)) for error in exc.errors(include_url=False)]
    else:
        if not described:
            return watchlist, name, []
    # a list whose items failed also reports "too short"; the item errors say more
    described = [
        (loc, message)
        for loc, message in described
        if not any(len(other) > len(loc) and other[: len(loc)] == loc for other, _ in described)
    ]
    errors = [format_error(path, source, loc, message) for loc, message in described]
    errors.sort(key=lambda line: int(line[len(str(path)) + 1 :].split(":", 1)[0]))
    return None, name, _with_rule_names(errors, data)


def _duplicate_rule_ids(data: dict[str, Any]) -> list[tuple[list[str | int], str]]:
    """Rule ids must be unique within a list: alerts and Match rows refer to them."""
    rules = data.get("rules")
    seen: set[object] = set()
    found: list[tuple[list[str | int], str]] = []
    for index, rule in enumerate(rules if isinstance(rules, list) else []):
        own = rule.get("id") if isinstance(rule, dict) else None
        if isinstance(own, str):
            if own in seen:
                found.append((["rules", index, "id"], f"duplicate rule id {own!r}"))
            seen.add(own)
    return found


def _with_rule_names(errors: list[str], data: dict[str, Any]) -> list[str]:
    """Add the rule's id or name to `rule N:` so users find it in long files."""
    rules = data.get("rules")
    if not isinstance(rules, list):
        return list(dict.fromkeys(errors))
    named = []
    for error in errors:
        match = re.search(r": rule (\d+): ", error)
        if match:
            index = int(match.group(1))
            rule = rules[index - 1] if index <= len(rules) else None
            own = (rule.get("id") or rule.get("name")) if isinstance(rule, dict) else None
            if isinstance(own, str):
                error = error.replace(match.group(0), f": rule {index} ({own}): ", 1)
        named.append(error)
    return list(dict.fromkeys(named))


def watchlist_files(paths: Iterable[Path]) -> list[Path]:
    """Expand folders to their `*.toml` files (sorted); keep files as given."""
    files: list[Path] = []
    for path in paths:
        if path.is_dir():
            files.extend(sorted(path.glob("*.toml")))
        elif path.is_file():
            files.append(path)
        else:
            raise WatchlistError(f"{path}: no such watchlist file or folder")
    return files


def validate_watchlists(paths: Iterable[Path]) -> tuple[list[Watchlist], list[str]]:
    """Read every list and return the valid ones plus ALL error lines (for `watchlist validate`)."""
    lists: list[Watchlist] = []
    errors: list[str] = []
    seen: dict[str, Path] = {}
    try:
        files = watchlist_files(paths)
    except WatchlistError as exc:
        return [], [str(exc)]
    for path in files:
        watchlist, name, file_errors = _read_one(path)
        if name is not None and name in seen:
            line = line_of(path.read_text(encoding="utf-8"), ["name"])
            file_errors.insert(
                0, f"{path}:{line}: name: duplicate watchlist name {name!r} (also in {seen[name]})"
            )
        elif name is not None:
            seen[name] = path
        errors.extend(file_errors)
        if watchlist is not None and not file_errors:
            lists.append(watchlist)
    return lists, errors


def load_watchlists(paths: Iterable[Path]) -> list[Watchlist]:
    """Load every watchlist; raise `WatchlistError` (first problem, one line) if any is invalid."""
    lists, errors = validate_watchlists(paths)
    if errors:
        more = f" (and {len(errors) - 1} more: run `tgmon watchlist validate`)"
        more = more if len(errors) > 1 else ""
        raise WatchlistError(errors[0] + more)
    return lists
