"""The settings reference, generated from the model: every key, its default and its meaning.

README's reference table is this output (a test keeps them equal) and `tgmon config
reference` prints it, so the documentation cannot drift from what the code reads.
"""

from __future__ import annotations

import typing
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

from pydantic import BaseModel
from pydantic.fields import FieldInfo
from pydantic_core import PydanticUndefined

from monitor.config.root import Settings


def _submodel(field: FieldInfo) -> type[BaseModel] | None:
    """The section model a field holds (directly, in a list, a dict or an Optional)."""
    pending: list[Any] = [field.annotation]
    while pending:
        kind = pending.pop()
        if isinstance(kind, type) and issubclass(kind, BaseModel):
            return kind
        pending.extend(typing.get_args(kind))
    return None


def setting_fields(
    model: type[BaseModel] = Settings, prefix: str = ""
) -> Iterator[tuple[str, FieldInfo]]:
    """(dotted key, field) for every leaf setting, in declaration order."""
    for name, field in model.model_fields.items():
        key = f"{prefix}{field.alias or name}"
        section = _submodel(field)
        if section is not None:
            yield from setting_fields(section, key + ".")
        else:
            yield key, field


def _default(field: FieldInfo) -> str:
    if field.default_factory is not None:
        value = field.default_factory()  # type: ignore[call-arg]
    elif field.default is PydanticUndefined:
        return "required"
    else:
        value = field.default
    if value is None or value == [] or value == {}:
        return "—"
    if isinstance(value, timedelta):
        seconds = int(value.total_seconds())
        for unit, size in (("d", 86400), ("h", 3600), ("m", 60)):
            if seconds and seconds % size == 0:
                return f"`{seconds // size}{unit}`"
        return f"`{seconds}s`"
    if hasattr(value, "get_secret_value"):
        return "—"
    return f"`{value}`"


def settings_reference() -> str:
    """The Markdown table of every setting."""
    lines = ["| key | default | meaning |", "|---|---|---|"]
    for key, field in setting_fields():
        meaning = (field.description or "").replace("|", "\\|").replace("\n", " ")
        lines.append(f"| `{key}` | {_default(field)} | {meaning} |")
    return "\n".join(lines) + "\n"
