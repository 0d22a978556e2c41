"""access hashes per Telegram account (channelaccess); when a worker took its channel

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-06 23:30:00

Issue 12: Telegram issues access hashes per account, so workers logged in with different
accounts cannot share one `channel.access_hash`. Each account's hash now lives in
`channelaccess(channel_id, account_id, access_hash, resolved_at)`.

Nothing recorded which account resolved the existing hashes, so they move under account 0
("unknown"): the first account that reads the channel with it (a cheap GetChannels, not a
username lookup) claims it, and a single-account setup upgrades without one new lookup. Any
other account is refused, looks the username up once and keeps its own hash.

`channel.leased_at` records since when the lease owner has held the channel (`channels list`).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "channelaccess",
        sa.Column("channel_id", sa.BigInteger(), nullable=False),
        sa.Column("account_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("access_hash", sa.BigInteger(), nullable=False),
        sa.Column("resolved_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["channel_id"], ["channel.id"]),
        sa.PrimaryKeyConstraint("channel_id", "account_id"),
    )
    op.execute(
        "INSERT INTO channelaccess (channel_id, account_id, access_hash, resolved_at) "
        "SELECT id, 0, access_hash, added_at FROM channel WHERE access_hash IS NOT NULL"
    )
    with op.batch_alter_table("channel", schema=None) as batch_op:
        batch_op.drop_column("access_hash")
        batch_op.add_column(sa.Column("leased_at", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("channel", schema=None) as batch_op:
        batch_op.drop_column("leased_at")
        batch_op.add_column(sa.Column("access_hash", sa.BigInteger(), nullable=True))
    # One hash per channel again: the unowned one if it is still there, else any account's.
    op.execute(
        "UPDATE channel SET access_hash = (SELECT a.access_hash FROM channelaccess a "
        "WHERE a.channel_id = channel.id ORDER BY a.account_id LIMIT 1)"
    )
    op.drop_table("channelaccess")
