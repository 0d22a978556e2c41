"""full-text search: Post.search_text and its index (FTS5 on SQLite, tsvector + GIN on PostgreSQL)

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-25 01:50:00

`post.search_text` holds the stems of a post's text and translation (storage.stemming). The
index follows that column by schema alone: SQLite triggers feed an external-content FTS5
table; PostgreSQL computes a STORED generated tsvector ('simple' config: the stems are
already stemmed) with a GIN index.
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

_SQLITE_UP = [
    "CREATE VIRTUAL TABLE post_fts USING fts5(search_text, content='post', content_rowid='id', "
    "tokenize='unicode61 remove_diacritics 0')",
    "CREATE TRIGGER post_fts_insert AFTER INSERT ON post BEGIN "
    "INSERT INTO post_fts(rowid, search_text) VALUES (new.id, new.search_text); END",
    "CREATE TRIGGER post_fts_delete AFTER DELETE ON post BEGIN "
    "INSERT INTO post_fts(post_fts, rowid, search_text) VALUES ('delete', old.id, old.search_text);"
    " END",
    "CREATE TRIGGER post_fts_update AFTER UPDATE OF search_text ON post BEGIN "
    "INSERT INTO post_fts(post_fts, rowid, search_text) VALUES ('delete', old.id, old.search_text);"
    " INSERT INTO post_fts(rowid, search_text) VALUES (new.id, new.search_text); END",
]
_SQLITE_DOWN = [
    "DROP TRIGGER IF EXISTS post_fts_update",
    "DROP TRIGGER IF EXISTS post_fts_delete",
    "DROP TRIGGER IF EXISTS post_fts_insert",
    "DROP TABLE IF EXISTS post_fts",
]
_POSTGRES_UP = [
    "ALTER TABLE post ADD COLUMN search_vector tsvector "
    "GENERATED ALWAYS AS (to_tsvector('simple'::regconfig, search_text)) STORED",
    "CREATE INDEX ix_post_search_vector ON post USING gin (search_vector)",
]
_POSTGRES_DOWN = [
    "DROP INDEX IF EXISTS ix_post_search_vector",
    "ALTER TABLE post DROP COLUMN IF EXISTS search_vector",
]


def _backfill() -> None:
    """Compute search_text for posts stored before this revision."""
    from storage.stemming import search_text

    conn = op.get_bind()
    post = sa.table(
        "post",
        sa.column("id", sa.Integer),
        sa.column("text", sa.Text),
        sa.column("translation", sa.Text),
        sa.column("search_text", sa.Text),
    )
    last = 0
    while True:
        rows = conn.execute(
            sa.select(post.c.id, post.c.text, post.c.translation)
            .where(post.c.id > last)
            .order_by(post.c.id)
            .limit(5000)
        ).all()
        if not rows:
            return
        conn.execute(
            post.update().where(post.c.id == sa.bindparam("b_id")).values(
                search_text=sa.bindparam("b_search")
            ),
            [{"b_id": r.id, "b_search": search_text(r.text, r.translation)} for r in rows],
        )
        last = rows[-1].id


def upgrade() -> None:
    with op.batch_alter_table("post", schema=None) as batch_op:
        batch_op.add_column(sa.Column("search_text", sa.Text(), nullable=False, server_default=""))
    _backfill()
    statements = _SQLITE_UP if op.get_bind().dialect.name == "sqlite" else _POSTGRES_UP
    for statement in statements:
        op.execute(statement)
    if op.get_bind().dialect.name == "sqlite":
        op.execute("INSERT INTO post_fts(post_fts) VALUES ('rebuild')")


def downgrade() -> None:
    statements = _SQLITE_DOWN if op.get_bind().dialect.name == "sqlite" else _POSTGRES_DOWN
    for statement in statements:
        op.execute(statement)
    # plain ALTER (SQLite >= 3.35): a batch copy of post would trip the foreign keys to it
    op.execute("ALTER TABLE post DROP COLUMN search_text")
