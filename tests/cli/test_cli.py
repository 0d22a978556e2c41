"""The command line: one-line errors with exit codes, import and demo, help for every command."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import typer
from typer.testing import CliRunner, Result

from monitor.cli import app
from storage.database import Database
from tests.support.exports import chat, message, write_export

README = Path(__file__).resolve().parents[2] / "README.md"


def run(*args: str) -> Result:
    return CliRunner().invoke(app, list(args))


def config_for(tmp_path: Path, url: str) -> Path:
    path = tmp_path / "tgmon.toml"
    path.write_text(f'data_dir = "{tmp_path / "data"}"\n[database]\nurl = "{url}"\n')
    return path


def test_import_reports_counts_and_is_idempotent(db: Database, tmp_path: Path) -> None:
    cfg = config_for(tmp_path, db.url)
    export = write_export(tmp_path / "exp", chat([message(1, "a"), message(2, "b")]))
    first = run("-c", str(cfg), "import", str(export), "--username", "@sample")
    assert first.exit_code == 0, first.output
    assert "2 new, 0 updated, 0 unchanged" in first.output
    second = run("-c", str(cfg), "import", str(export.parent))
    assert "0 new, 0 updated, 2 unchanged" in second.output


def test_bad_export_is_one_line_with_exit_code_2(tmp_path: Path) -> None:
    bad = write_export(tmp_path / "exp", "not json at all")
    result = run("--data-dir", str(tmp_path), "import", str(bad))
    assert result.exit_code == 2
    assert result.output.strip().startswith("error: ") and "not valid JSON" in result.output
    assert "Traceback" not in result.output and len(result.output.strip().splitlines()) == 1


def test_invalid_config_is_one_line_with_exit_code_2(tmp_path: Path) -> None:
    cfg = tmp_path / "tgmon.toml"
    cfg.write_text('[telegram]\napi_id = "abc"\n')
    result = run("-c", str(cfg), "config", "check")
    assert result.exit_code == 2
    assert result.output.strip() == (
        f"error: {cfg}: telegram.api_id: Input should be a valid integer, "
        "unable to parse string as an integer"
    )


def test_config_show_masks_secrets(tmp_path: Path) -> None:
    cfg = tmp_path / "tgmon.toml"
    cfg.write_text('[telegram]\napi_id = 5\napi_hash = "deadbeefcafe"\n')
    result = run("-c", str(cfg), "config", "show")
    assert result.exit_code == 0 and '"api_id": 5' in result.output
    assert "deadbeefcafe" not in result.output


def test_demo_replays_the_samples_and_is_idempotent(tmp_path: Path) -> None:
    first = run("--data-dir", str(tmp_path), "demo")
    assert first.exit_code == 0, first.output
    new = int(re.search(r"sample exports: .*?(\d+) new", first.output).group(1))
    assert new >= 300
    assert "wagner_mali" in first.output and "What fired" in first.output
    assert re.search(r"later snapshot: .*?\d+ new, [1-9]\d* updated", first.output)
    assert (tmp_path / "tgmon.db").exists()
    second = run("--data-dir", str(tmp_path), "demo")
    assert re.search(r"sample exports: .*? 0 new, 0 updated", second.output), second.output


def _commands(group: Any, prefix: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    found: list[tuple[str, ...]] = []
    for name, command in sorted(group.commands.items()):
        path = (*prefix, name)
        if hasattr(command, "commands"):
            found.extend(_commands(command, path))
        else:
            found.append(path)
    return found


ALL_COMMANDS = _commands(typer.main.get_command(app))  # type: ignore[arg-type]


@pytest.mark.parametrize("path", ALL_COMMANDS, ids=" ".join)
def test_every_command_has_help_and_is_in_the_readme(path: tuple[str, ...]) -> None:
    result = run(*path, "--help")
    assert result.exit_code == 0
    command = typer.main.get_command(app)
    for part in path:
        command = command.commands[part]  # type: ignore[attr-defined]
    assert command.help and len(command.help.strip()) > 20
    assert f"tgmon {' '.join(path)}" in README.read_text(encoding="utf-8")
