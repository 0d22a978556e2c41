"""search_text by the shared tokeniser; joins the two heads 0007 and 0008

Revision ID: 0009
Revises: 0007, 0008
Create Date: 2026-12-01 17:05:00

Issue 11: the search index now splits words as watchlist matching does
(monitor.core.text.word_spans on the original text): glued camel-case hashtags are two words
(#ВагнерГрупп → вагнер + групп), in-word apostrophes keep a word whole («м'ясо» → мясо), and
invisible characters or combining marks no longer cut a word in two. Posts stored before hold
search_text by the old tokeniser. Every post is read once, in keyset batches, and its
search_text recomputed in memory; only the posts whose value changes (text or translation with
an apostrophe, a lower → upper case change, an invisible joiner, a combining mark, a vulgar
fraction, a decorative letter) are rewritten, through storage.search.refresh_search_text, so
the index (FTS5 triggers, PostgreSQL's generated tsvector) is touched only for them.

0007 (channel source) and 0008 (stage backlog) both revised 0006; this revision merges them
so the schema has one head again.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlmodel import Session

revision = "0009"
down_revision = ("0007", "0008")
branch_labels = None
depends_on = None

_SCAN_BATCH = 5000


def stale_post_ids(conn: sa.Connection, batch: int = _SCAN_BATCH) -> list[int]:
    """Ids of posts whose stored search_text differs from what the shared tokeniser gives."""
    from storage.stemming import search_text

    post = sa.table(
        "post",
        sa.column("id", sa.Integer),
        sa.column("text", sa.Text),
        sa.column("translation", sa.Text),
        sa.column("search_text", sa.Text),
    )
    stale: list[int] = []
    last = 0
    while True:
        rows = conn.execute(
            sa.select(post.c.id, post.c.text, post.c.translation, post.c.search_text)
            .where(post.c.id > last)
            .order_by(post.c.id)
            .limit(batch)
        ).all()
        if not rows:
            return stale
        stale.extend(r.id for r in rows if search_text(r.text, r.translation) != r.search_text)
        last = rows[-1].id


def upgrade() -> None:
    from storage.search import refresh_search_text  # batches of its own, by id

    conn = op.get_bind()
    ids = stale_post_ids(conn)
    if ids:
        session = Session(bind=conn)
        refresh_search_text(session, ids)
        session.flush()


def downgrade() -> None:
    """The schema is unchanged; older code rebuilds search_text its own way with
    `storage.search.refresh_search_text(session)` (no ids: every post)."""
