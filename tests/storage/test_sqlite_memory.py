"""SQLite's prepared-statement cache stays small: a long import's multi-row INSERTs, each with a
row count of its own, must not pile up in it (they did, ~35 MB per 100,000 posts)."""

from __future__ import annotations

import ctypes
import ctypes.util
from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy import text

from storage.database import Database


def sqlite_memory() -> Callable[[], int]:
    name = ctypes.util.find_library("sqlite3")
    if name is None:
        pytest.skip("no shared libsqlite3 to ask for its memory use")
    used = ctypes.CDLL(name).sqlite3_memory_used
    used.restype = ctypes.c_int64
    return used  # type: ignore[no-any-return]


def test_distinct_multi_row_inserts_do_not_pile_up(tmp_path: Path) -> None:
    used = sqlite_memory()
    db = Database(f"sqlite:///{tmp_path / 'cache.db'}")
    with db.engine.begin() as conn:
        conn.execute(text("CREATE TABLE t (a INTEGER, b TEXT, c TEXT, d INTEGER)"))
    with db.engine.begin() as conn:
        before = used()
        for rows in range(300, 420):  # 120 batches, each with its own row count
            values = ", ".join(f"(:a{i}, :b{i}, :c{i}, :d{i})" for i in range(rows))
            params = {f"{k}{i}": i for i in range(rows) for k in "abcd"}
            conn.execute(text(f"INSERT INTO t VALUES {values}"), params)
        grown = used() - before
    db.dispose()
    # 120 cached statements of ~1,500 parameters each hold tens of MB; 16 of them a few
    assert grown < 8 * 2**20, f"SQLite grew by {grown / 2**20:.1f} MB"
