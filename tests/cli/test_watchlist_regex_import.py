"""Issue 13, item 1: a regex rule that backtracks in Python cannot stall an import."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from sqlmodel import func, select

from storage.database import Database
from storage.models import Match, Post
from tests.support.exports import chat, message, write_export

HANGS_IN_PYTHON = 'name = "hostile"\n[[rules]]\nid = "a_run"\nregex = \'(a+)+$\'\n'


def run_with_a_limit(args: list[str], seconds: float = 120.0) -> subprocess.CompletedProcess:
    """Run `tgmon ARGS` in a child process and kill it if it does not return.

    A process, not a thread: Python's regex engine holds the GIL while it backtracks, so a
    thread could not even notice its own time limit.
    """
    try:
        return subprocess.run(
            [sys.executable, "-m", "monitor", *args],
            capture_output=True,
            text=True,
            timeout=seconds,
            env={k: v for k, v in os.environ.items() if not k.startswith("TGMON_")},
        )
    except subprocess.TimeoutExpired:
        raise AssertionError("the import is still running: the regex rule backtracks") from None


def test_import_with_a_backtracking_pattern_stores_every_post(db: Database, tmp_path: Path) -> None:
    lists = tmp_path / "lists"
    lists.mkdir()
    (lists / "hostile.toml").write_text(HANGS_IN_PYTHON, encoding="utf-8")
    cfg = tmp_path / "tgmon.toml"
    cfg.write_text(
        f'data_dir = "{tmp_path}"\n[database]\nurl = "{db.url}"\n[watchlists]\npaths = ["lists"]\n'
    )
    export = chat([message(1, "a" * 40 + "!"), message(2, "Тишина"), message(3, "a" * 5000)])
    result = run_with_a_limit(["-c", str(cfg), "import", str(write_export(tmp_path / "e", export))])
    assert result.returncode == 0, result.stderr
    with db.session() as s:
        assert s.exec(select(func.count()).select_from(Post)).one() == 3
        assert s.exec(select(func.count()).select_from(Match)).one() == 1  # only "aaaa…" ends in a
