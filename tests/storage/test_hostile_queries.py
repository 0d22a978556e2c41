"""Hostile queries (issue 13 items 2 and 7): bounded size and depth, and Ctrl-C stops a query."""

from __future__ import annotations

import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from monitor.core.errors import QueryError
from storage.database import Database
from storage.query import (
    MAX_QUERY_CHARS,
    MAX_QUERY_DEPTH,
    MAX_QUERY_WORDS,
    parse_query,
    to_fts5,
    to_tsquery,
)
from storage.search import search

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("(" * 400 + "x" + ")" * 400, "query: nested too deeply at position 21"),
        ("drone " + "NOT " * 2000 + "x", "query: 8007 characters is too long (at most 2000)"),
        ("drone " + "NOT " * 30 + "x", "query: nested too deeply at position 87"),
        (
            " ".join(["дрон"] * 399),
            "query: too many words (more than 64, the last at position 321)",
        ),
        ('"' + " ".join(["дрон"] * 65) + '"', "query: too many words (more than 64"),
        ("x" * (MAX_QUERY_CHARS + 1), f"query: {MAX_QUERY_CHARS + 1} characters is too long"),
    ],
)
def test_hostile_queries_are_one_line_query_errors(query: str, message: str) -> None:
    with pytest.raises(QueryError) as caught:
        parse_query(query)
    assert str(caught.value).startswith(message), str(caught.value)
    assert "\n" not in str(caught.value)


def test_queries_at_the_bounds_still_work() -> None:
    deep = "(" * MAX_QUERY_DEPTH + "wagner" + ")" * MAX_QUERY_DEPTH
    assert to_fts5(parse_query(deep)) == '"wagner"'
    words = " OR ".join(f"w{i}x" for i in range(MAX_QUERY_WORDS))
    assert to_tsquery(parse_query(words)).count("|") == MAX_QUERY_WORDS - 1
    flat_negations = "drone " + "-x " * 40
    assert to_fts5(parse_query(flat_negations)).count(" NOT ") == 40


def test_search_with_an_oversized_query_raises_before_touching_the_database(
    db: Database,
) -> None:
    with db.read_session() as session, pytest.raises(QueryError, match="too many words"):
        search(session, " OR ".join(["дрон"] * 100))


_ENDLESS = {
    "sqlite": "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c) "
    "SELECT count(*) FROM c",
    "postgresql": "SELECT pg_sleep(600)",
}


def test_ctrl_c_stops_a_running_query(db: Database) -> None:
    """SIGINT during a long statement raises KeyboardInterrupt in the caller, on both backends.

    Without it SQLite finished the whole statement first (a huge search took 14 s to stop).
    The child runs a statement that never ends by itself; the bound below catches a hang.
    """
    child = textwrap.dedent(
        f"""
        import sys
        from sqlalchemy import text
        from storage.database import Database
        db = Database({db.url!r})
        with db.read_session() as session:
            session.execute(text("SELECT 1")).all()
            print("ready", flush=True)
            try:
                session.execute(text({_ENDLESS[db.dialect]!r})).all()
            except KeyboardInterrupt:
                print("interrupted", flush=True)
                sys.exit(130)
        """
    )
    proc = subprocess.Popen(
        [sys.executable, "-c", child], cwd=ROOT, stdout=subprocess.PIPE, text=True
    )
    try:
        assert proc.stdout is not None
        assert proc.stdout.readline().strip() == "ready"
        time.sleep(0.5)  # let the statement start
        proc.send_signal(signal.SIGINT)
        out, _ = proc.communicate(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert out.strip() == "interrupted"
    assert proc.returncode == 130
