"""Every command, walked from the typer app, run with garbage in every option and argument:
one `error:` line on stderr and exit 2 (or success, where the garbage is a valid value) —
never a traceback, never an internal error, never a hang.

Found and fixed through this walk: integers too wide for the database (`alerts ack 999…9`),
a path too long for the file system (`import xxx…`), negative limits, and click's usage errors
printed as a multi-line box instead of one line.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import typer
from typer.testing import CliRunner

from monitor.cli import app

GARBAGE = [
    os.fsdecode(b"\xff\xfe"),  # not UTF-8
    "",
    "-1",
    "9" * 40,
    "x" * 5000,
    "../../../../etc/passwd",
    "'; DROP TABLE post; --",
    "nan",
    "2026-13-45",
    "@",
    "((((((",
    "-",
    "--",
    "%s%n%x",
    "\u202e\u0301\ufeff",
]
MUST_BE_REFUSED = {GARBAGE[0]}  # non-UTF-8: exit 2 whatever the command
# `tgmon health` answers a runtime question; "no such worker" is its exit 1, by contract.
RUNTIME_VERDICT = {("health",)}


def leaves(command: Any, path: tuple[str, ...] = ()) -> Iterator[tuple[tuple[str, ...], Any]]:
    subcommands = getattr(command, "commands", None)
    if subcommands:
        for name, sub in sorted(subcommands.items()):
            yield from leaves(sub, (*path, name))
    else:
        yield path, command


COMMANDS = list(leaves(typer.main.get_command(app)))


def garbage_args(command: Any, value: str) -> list[str]:
    args: list[str] = []
    for param in command.params:
        if param.param_type_name == "option":
            if getattr(param, "is_flag", False) or getattr(param, "count", False):
                args.append(param.opts[0])
            elif param.name != "help":
                args += [param.opts[0], value]
        else:
            args.append(value)
    return args


@pytest.fixture
def config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)  # anything a command writes lands here
    path = tmp_path / "tgmon.toml"
    path.write_text(f'data_dir = "{tmp_path / "data"}"\n[translation]\nprovider = "none"\n')
    return path


def check(path: tuple[str, ...], args: list[str], config: Path, must_fail: bool) -> None:
    result = CliRunner().invoke(app, ["-c", str(config), *path, *args], input="")
    shown = f"tgmon {' '.join(path)} {' '.join(a[:20] for a in args)}"
    assert not isinstance(result.exception, Exception) or isinstance(
        result.exception, SystemExit
    ), f"{shown}: {result.exception!r}"
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert "Traceback" not in result.output and "internal error" not in result.output, shown
    if result.exit_code == 0:
        assert not must_fail, f"{shown}: accepted"
        return
    allowed = {1, 2} if path in RUNTIME_VERDICT else {2}
    assert result.exit_code in allowed, f"{shown}: exit {result.exit_code}: {result.output}"
    assert len(lines) == 1 and lines[0].startswith("error: "), f"{shown}: {lines}"


@pytest.mark.parametrize(("path", "command"), COMMANDS, ids=[" ".join(p) for p, _ in COMMANDS])
def test_unknown_option_is_one_line_exit_2(
    path: tuple[str, ...], command: Any, config: Path
) -> None:
    check(path, ["--no-such-option"], config, must_fail=True)


@pytest.mark.parametrize(("path", "command"), COMMANDS, ids=[" ".join(p) for p, _ in COMMANDS])
def test_garbage_in_every_parameter(path: tuple[str, ...], command: Any, config: Path) -> None:
    if not [p for p in command.params if p.name != "help"]:
        pytest.skip("takes no options or arguments")
    for value in GARBAGE:
        args = garbage_args(command, value)
        check(path, args, config, must_fail=value in MUST_BE_REFUSED and value in args)
