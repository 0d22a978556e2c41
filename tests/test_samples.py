"""The bundled sample exports stay valid Telegram Desktop JSON and match their generator."""

from __future__ import annotations

import importlib.util
import json
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import ModuleType

import pytest

SAMPLES = Path(__file__).resolve().parent.parent / "config" / "samples"
EXPORTS = sorted(SAMPLES.glob("**/result.json"))


def _load_generator() -> ModuleType:
    spec = importlib.util.spec_from_file_location("make_samples", SAMPLES / "make_samples.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while the file runs
    spec.loader.exec_module(module)
    return module


def _flat(text: str | list[object]) -> str:
    if isinstance(text, str):
        return text
    return "".join(part if isinstance(part, str) else part["text"] for part in text)  # type: ignore[index]


def test_files_are_regenerated_byte_for_byte() -> None:
    files = _load_generator().generate()
    for path, text in files.items():
        assert path.read_text(encoding="utf-8") == text, path


@pytest.mark.parametrize("path", EXPORTS, ids=lambda p: str(p.relative_to(SAMPLES)))
def test_export_follows_telegram_desktop_shape(path: Path) -> None:
    export = json.loads(path.read_text(encoding="utf-8"))
    assert export["type"] == "public_channel" and isinstance(export["id"], int)
    previous = 0
    for message in export["messages"]:
        assert message["id"] > previous
        previous = message["id"]
        local = datetime.strptime(message["date"], "%Y-%m-%dT%H:%M:%S")
        instant = datetime.fromtimestamp(int(message["date_unixtime"]), UTC).replace(tzinfo=None)
        assert local - instant == timedelta(hours=3)
        entities = message["text_entities"]
        assert isinstance(entities, list)
        assert "".join(e["text"] for e in entities) == _flat(message["text"])
        if isinstance(message["text"], str):
            assert all(e["type"] == "plain" for e in entities)


def test_expected_table_covers_every_message() -> None:
    expected = json.loads((SAMPLES / "expected.json").read_text(encoding="utf-8"))
    for slug, rows in expected["channels"].items():
        export = json.loads((SAMPLES / slug / "result.json").read_text(encoding="utf-8"))
        assert [r["id"] for r in rows] == [m["id"] for m in export["messages"]]
    later_path = SAMPLES / "later" / "sahel_watch" / "result.json"
    later = json.loads(later_path.read_text(encoding="utf-8"))
    rows = expected["later/sahel_watch"]["messages"]
    assert [r["id"] for r in rows] == [m["id"] for m in later["messages"]]
