"""post: index forwarded-from, media kind and deletion only where they are set

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-07 04:00:00

Issue 14: `fwd_from_channel_id`, `media_kind` and `deleted_at` are NULL for most posts and
are searched only for a value (`--forwarded-from`, `--media`, `--deleted`), yet each new post
added an entry to all three indexes. Partial indexes (`WHERE … IS NOT NULL`) serve the same
searches on both databases; on PostgreSQL they cut the server's CPU per imported post by
about a tenth (bench/RESULTS.md, import notes).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None

COLUMNS = ("fwd_from_channel_id", "media_kind", "deleted_at")


def upgrade() -> None:
    for name in COLUMNS:
        op.drop_index(f"ix_post_{name}", table_name="post")
        where = sa.text(f"{name} IS NOT NULL")
        op.create_index(
            f"ix_post_{name}", "post", [name], postgresql_where=where, sqlite_where=where
        )


def downgrade() -> None:
    for name in COLUMNS:
        op.drop_index(f"ix_post_{name}", table_name="post")
        op.create_index(f"ix_post_{name}", "post", [name])
