"""Hostile and broken input at the command line: one line on stderr, exit 2, never a traceback.

Issue 13 items 8 (non-UTF-8 arguments), 9 (a data_dir that cannot hold data, a SQLite file in
a missing folder), 10 (bad JSON in TGMON_*, a config file that is not UTF-8) and 11 (`db
status` against an unreachable PostgreSQL).
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from typer.testing import CliRunner, Result

from monitor.cli import app

BAD = os.fsdecode(b"\xff")  # how Python hands a non-UTF-8 byte of argv to the program


def run(*args: str, env: dict[str, str] | None = None) -> Result:
    return CliRunner().invoke(app, list(args), env=env)


def one_error_line(result: Result, code: int = 2) -> str:
    """The single `error: …` line of a failed command; fail on tracebacks or extra lines."""
    assert result.exit_code == code, (result.exit_code, result.output, result.exception)
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), result.output
    assert "Traceback" not in result.output
    return lines[0]


def config(tmp_path: Path, body: str = "") -> Path:
    path = tmp_path / "tgmon.toml"
    path.write_text(f'data_dir = "{tmp_path / "data"}"\n{body}')
    return path


@pytest.mark.parametrize(
    ("args", "named"),
    [
        (["search", "-C", BAD, "drone"], "-C"),
        (["search", f"--channel={BAD}", "drone"], "--channel"),
        (["show", f"{BAD}/1"], "argument 4"),
        (["channels", "disable", BAD], "argument 5"),
        (["export", "-C", BAD], "-C"),
        (["alerts", "list", "-w", BAD], "-w"),
        (["search", f"drone{BAD}"], "argument 4"),
    ],
)
def test_non_utf8_argument_is_one_line_naming_it(
    tmp_path: Path, args: list[str], named: str
) -> None:
    line = one_error_line(run("-c", str(config(tmp_path)), *args))
    assert line.startswith(f"error: {named}: not UTF-8 text: b'") and "\\xff" in line
    assert not (tmp_path / "data").exists(), "nothing may run before the argument is refused"


def test_non_utf8_environment_value_names_the_variable(tmp_path: Path) -> None:
    line = one_error_line(
        run("-c", str(config(tmp_path)), "config", "check", env={"TGMON_LOG_LEVEL": BAD})
    )
    assert line == "error: TGMON_LOG_LEVEL: not UTF-8 text: b'\\xff'"


def test_config_file_that_is_not_utf8_names_line_and_column(tmp_path: Path) -> None:
    path = tmp_path / "tgmon.toml"
    path.write_bytes(b'data_dir = "data"\n# caf\xe9\n')
    line = one_error_line(run("-c", str(path), "config", "check"))
    assert line == f"error: {path}: not UTF-8 text (byte 0xe9 at line 2, column 6)"


def test_malformed_json_in_environment_names_the_variable(tmp_path: Path) -> None:
    env = {"TGMON_ALERTS__ROUTES": '[{"name": "x"'}
    line = one_error_line(run("-c", str(config(tmp_path)), "config", "check", env=env))
    assert line.startswith("error: TGMON_ALERTS__ROUTES: not valid JSON")


def test_deeply_nested_toml_is_one_line(tmp_path: Path) -> None:
    path = tmp_path / "tgmon.toml"
    path.write_text("x = " + "[" * 5000 + "]" * 5000 + "\n")
    line = one_error_line(run("-c", str(path), "config", "check"))
    assert line.startswith(f"error: {path}: invalid TOML")


@pytest.mark.parametrize("duration", ["99999999999999d", "inf", "nan"])
def test_durations_out_of_range_are_config_errors(tmp_path: Path, duration: str) -> None:
    value = duration if duration in ("inf", "nan") else f'"{duration}"'
    path = config(tmp_path, f"[daemon]\nheartbeat = {value}\n")
    line = one_error_line(run("-c", str(path), "config", "check"))
    assert "daemon.heartbeat" in line


def test_data_dir_that_is_a_file(tmp_path: Path) -> None:
    blocker = tmp_path / "data"
    blocker.write_text("not a folder")
    cfg = config(tmp_path)
    assert one_error_line(run("-c", str(cfg), "config", "check")) == (
        f"error: data_dir: {blocker} is a file, not a folder"
    )
    # and a command that would store something says the same, instead of FileExistsError
    assert "is a file, not a folder" in one_error_line(run("-c", str(cfg), "db", "upgrade"))


def test_data_dir_under_a_file(tmp_path: Path) -> None:
    (tmp_path / "file").write_text("x")
    target = tmp_path / "file" / "data"
    line = one_error_line(run("--data-dir", str(target), "-c", str(config(tmp_path)), "demo"))
    assert line == f"error: data_dir: {target} cannot be created: {tmp_path / 'file'} is a file"


@pytest.mark.skipif(os.geteuid() == 0, reason="root may write into any folder")
def test_data_dir_not_writable(tmp_path: Path) -> None:
    locked = tmp_path / "locked"
    locked.mkdir(mode=0o500)
    try:
        line = one_error_line(run("--data-dir", str(locked), "config", "check"))
    finally:
        locked.chmod(0o700)
    assert line == f"error: data_dir: {locked} is not writable"


def test_sqlite_url_into_missing_folder_is_an_error_not_created(tmp_path: Path) -> None:
    missing = tmp_path / "typo" / "deeper"
    cfg = config(tmp_path, f'[database]\nurl = "sqlite:///{missing}/tgmon.db"\n')
    for command in (["db", "upgrade"], ["config", "check"]):
        line = one_error_line(run("-c", str(cfg), *command))
        assert line == f"error: database.url: {missing} does not exist (create it, or fix the path)"
    assert not (tmp_path / "typo").exists()


def test_db_status_with_unreachable_postgres_is_one_line(tmp_path: Path) -> None:
    url = "postgresql+psycopg://tgmon:hunter22@127.0.0.1:9/tgmon"  # port 9: nobody listens
    cfg = config(tmp_path, f'[database]\nurl = "{url}"\n')
    line = one_error_line(run("-c", str(cfg), "db", "status"), code=1)
    assert line.startswith("error: database postgresql+psycopg://tgmon:***@127.0.0.1:9/tgmon")
    assert "cannot connect" in line and "hunter22" not in line


def test_db_status_on_a_file_that_is_not_sqlite_is_one_line(tmp_path: Path) -> None:
    cfg = config(tmp_path)
    os.makedirs(tmp_path / "data")
    (tmp_path / "data" / "tgmon.db").write_bytes(b"this is not a sqlite file" * 100)
    line = one_error_line(run("-c", str(cfg), "db", "status"), code=1)
    assert "cannot connect: file is not a database" in line
