"""Build Telegram Desktop export files for tests, in the shape Telegram Desktop writes."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

BASE = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)


def message(
    message_id: int,
    text: str | list[Any] = "",
    *,
    minutes: int = 0,
    edited_minutes: int | None = None,
    **extra: Any,
) -> dict[str, Any]:
    """One exported message; `text` may be a string or the list form with entity objects."""
    when = BASE + timedelta(minutes=minutes)
    runs = (
        [{"type": "plain", "text": text}]
        if isinstance(text, str)
        else [r if isinstance(r, dict) else {"type": "plain", "text": r} for r in text]
    )
    msg: dict[str, Any] = {
        "id": message_id,
        "type": "message",
        "date": (when + timedelta(hours=3)).strftime("%Y-%m-%dT%H:%M:%S"),  # exporter's local time
        "date_unixtime": str(int(when.timestamp())),
        "from": "Sample",
        "from_id": "channel42",
        "text": text,
        "text_entities": runs,
    }
    if edited_minutes is not None:
        edited = BASE + timedelta(minutes=edited_minutes)
        msg["edited"] = (edited + timedelta(hours=3)).strftime("%Y-%m-%dT%H:%M:%S")
        msg["edited_unixtime"] = str(int(edited.timestamp()))
    msg.update(extra)
    return msg


def service(message_id: int, action: str = "pin_message") -> dict[str, Any]:
    return {
        "id": message_id,
        "type": "service",
        "date": "2026-11-20T15:00:00",
        "date_unixtime": str(int(BASE.timestamp())),
        "actor": "Sample",
        "action": action,
        "text": "",
        "text_entities": [],
    }


def chat(
    messages: list[dict[str, Any]], *, chat_id: int = 42, name: str = "Sample"
) -> dict[str, Any]:
    return {"name": name, "type": "public_channel", "id": chat_id, "messages": messages}


def write_export(folder: Path, data: dict[str, Any] | str, name: str = "result.json") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    text = data if isinstance(data, str) else json.dumps(data, ensure_ascii=False, indent=1)
    path.write_text(text, encoding="utf-8")
    return path
