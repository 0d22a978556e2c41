"""Watchlists compiled in a child process: the same matcher, without the dictionaries here."""

from __future__ import annotations

import json
import logging
import subprocess
import sys
from pathlib import Path

import pytest

from monitor.matching.matcher import Hit, Matcher, compile_matcher
from monitor.matching.registry import WatchlistRegistry
from monitor.matching.watchlists import load_watchlists
from monitor.pipeline import compile_apart as apart

ROOT = Path(__file__).parents[2]
LISTS = ROOT / "config" / "watchlists"
TEXTS = [
    ("Колонна «Вагнера» замечена под Бахмутом, бойцы Африканского корпуса в Мали", "ru"),
    ("Ворог атакував безпілотниками склад у Миколаєві", "uk"),
    ("Wagner convoy spotted near Kidal, Tuareg rebels say; drones struck the base", "en"),
    ("Малі та Буркіна-Фасо підписали угоду", "uk"),
    ("Малі діти гралися надворі", "uk"),
]


def _hits(matcher: Matcher) -> list[list[Hit]]:
    return [matcher.match(text, language=lang) for text, lang in TEXTS]


def test_the_child_compiles_the_same_matcher() -> None:
    lists = load_watchlists([LISTS])
    here = compile_matcher(lists)
    there = apart.compile_apart(lists)
    assert _hits(there) == _hits(here)
    assert sum(map(len, _hits(there))) >= 5  # the texts do fire


def test_a_child_that_cannot_start_is_replaced_by_compiling_here(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    def refuse(method: str) -> None:
        raise OSError(24, "Too many open files")

    monkeypatch.setattr(apart.multiprocessing, "get_context", refuse)
    lists = load_watchlists([LISTS])
    with caplog.at_level(logging.WARNING):
        matcher = apart.compile_apart(lists)
    assert _hits(matcher) == _hits(compile_matcher(lists))
    assert "compiling the watchlists in a child process failed" in caplog.text


def test_a_reload_compiles_in_the_child_too(tmp_path: Path) -> None:
    folder = tmp_path / "lists"
    folder.mkdir()
    (folder / "a.toml").write_text('name = "a"\n[[rules]]\nany = ["беспилотник"]\n')
    registry = WatchlistRegistry([folder], compiler=apart.compile_apart)
    assert registry.matcher().match("Беспилотники над городом", language="ru")
    (folder / "a.toml").write_text('name = "a"\n[[rules]]\nany = ["танк"]\n', encoding="utf-8")
    assert registry.refresh()
    assert registry.matcher().match("Танков не видно", language="ru")
    assert not registry.matcher().match("Беспилотники над городом", language="ru")


_PROBE = """
import json, re, sys
from pathlib import Path
from monitor.config.settings import bundled_path, load_settings
from monitor.wiring import build_app
from storage.database import Database
db = Database("sqlite:///" + sys.argv[1]); db.upgrade()
app = build_app(load_settings(bundled_path("tgmon.example.toml")), db=db,
                compile_apart=sys.argv[2] == "apart")
hits = app.registry.matcher().match("Колонна вагнеровцев замечена в Мали", language="ru")
loaded = sorted(m for m in ("pymorphy3", "simplemma", "lemminflect", "numpy") if m in sys.modules)
rss = int(re.search(r"VmRSS:\\s+(\\d+)", Path("/proc/self/status").read_text()).group(1)) // 1024
print(json.dumps({"hits": len(hits), "loaded": loaded, "rss_mb": rss}))
"""


def _probe(tmp_path: Path, how: str) -> dict[str, object]:
    out = subprocess.run(
        [sys.executable, "-c", _PROBE, str(tmp_path / f"{how}.db"), how],
        capture_output=True,
        text=True,
        check=True,
        cwd=ROOT,
        timeout=120,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])  # type: ignore[no-any-return]


def test_a_long_running_app_never_loads_the_dictionaries(tmp_path: Path) -> None:
    here, apart_ = _probe(tmp_path, "here"), _probe(tmp_path, "apart")
    assert here["hits"] == apart_["hits"] and apart_["hits"]
    assert here["loaded"] == ["lemminflect", "numpy", "pymorphy3", "simplemma"]
    assert apart_["loaded"] == []
    assert apart_["rss_mb"] < here["rss_mb"] - 60  # type: ignore[operator]
