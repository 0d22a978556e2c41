"""Migration 0011: the mostly-NULL post columns are indexed only where set, on both backends,
and the searches for a set value still use their index."""

from __future__ import annotations

import pytest
from alembic import command
from sqlalchemy import text

from storage.database import Database

COLUMNS = ("fwd_from_channel_id", "media_kind", "deleted_at")
SEARCHES = [
    ("fwd_from_channel_id", "fwd_from_channel_id = 5"),  # --forwarded-from
    ("media_kind", "media_kind IS NOT NULL"),  # --media
    ("deleted_at", "deleted_at IS NOT NULL"),  # --deleted
]


def index_sql(db: Database, name: str) -> str:
    with db.engine.connect() as conn:
        if db.dialect == "postgresql":
            query = "SELECT indexdef FROM pg_indexes WHERE indexname = :name"
        else:
            query = "SELECT sql FROM sqlite_master WHERE type = 'index' AND name = :name"
        return str(conn.execute(text(query), {"name": name}).scalar_one())


def test_the_indexes_hold_only_set_values_and_come_back_whole(db: Database) -> None:
    for column in COLUMNS:
        assert f"{column} IS NOT NULL" in index_sql(db, f"ix_post_{column}").replace("(", "")
    command.downgrade(db.alembic_config(), "0010")
    try:
        for column in COLUMNS:
            assert "WHERE" not in index_sql(db, f"ix_post_{column}").upper()
    finally:
        db.upgrade()
    assert "IS NOT NULL" in index_sql(db, "ix_post_deleted_at")


@pytest.mark.parametrize(("column", "where"), SEARCHES)
def test_a_search_for_a_set_value_uses_the_partial_index(
    db: Database, column: str, where: str
) -> None:
    sql = f"SELECT id FROM post WHERE {where}"
    with db.engine.connect() as conn:
        if db.dialect == "postgresql":
            conn.execute(text("SET enable_seqscan = off"))  # an empty table: ask for usability
            plan = " ".join(str(row[0]) for row in conn.execute(text("EXPLAIN " + sql)))
        else:
            plan = " ".join(str(row[-1]) for row in conn.execute(text("EXPLAIN QUERY PLAN " + sql)))
    assert f"ix_post_{column}" in plan, plan
