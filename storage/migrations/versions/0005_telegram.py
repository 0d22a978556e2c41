"""telegram ingestion: channel join/backfill/flood state, channel name history

Revision ID: 0005
Revises: 0004
"""
from __future__ import annotations

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('channel', schema=None) as batch_op:
        batch_op.add_column(sa.Column('ref', sqlmodel.sql.sqltypes.AutoString(), nullable=True))
        batch_op.add_column(sa.Column('join', sa.Boolean(), nullable=False, server_default=sa.false()))
        batch_op.add_column(sa.Column('joined_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('backfill', sa.Integer(), nullable=False, server_default='0'))
        batch_op.add_column(sa.Column('backfill_since', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('flood_wait_until', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('flood_waits', sa.Integer(), nullable=False, server_default='0'))
        batch_op.add_column(sa.Column('removed_at', sa.DateTime(timezone=True), nullable=True))

    op.create_table('channelname',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('channel_id', sa.BigInteger(), nullable=False),
    sa.Column('username', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
    sa.Column('title', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
    sa.Column('seen_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['channel_id'], ['channel.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('channelname', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_channelname_channel_id'), ['channel_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('channelname', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_channelname_channel_id'))
    op.drop_table('channelname')
    with op.batch_alter_table('channel', schema=None) as batch_op:
        for column in ('removed_at', 'flood_waits', 'flood_wait_until', 'backfill_since',
                       'backfill', 'joined_at', 'join', 'ref'):
            batch_op.drop_column(column)
