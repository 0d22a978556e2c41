"""stage backlog (posts a stage failed on), translation outage start

Revision ID: 0008
Revises: 0006
Create Date: 2026-12-01 15:45:00
"""
from __future__ import annotations

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = '0008'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('stagebacklog',
    sa.Column('post_id', sa.Integer(), nullable=False),
    sa.Column('stage', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('last_error', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('failed_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('next_attempt_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['post_id'], ['post.id'], ),
    sa.PrimaryKeyConstraint('post_id', 'stage')
    )
    with op.batch_alter_table('stagebacklog', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_stagebacklog_next_attempt_at'), ['next_attempt_at'], unique=False)


    with op.batch_alter_table('translationprovider', schema=None) as batch_op:
        batch_op.add_column(sa.Column('outage_since', sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('translationprovider', schema=None) as batch_op:
        batch_op.drop_column('outage_since')
    with op.batch_alter_table('stagebacklog', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_stagebacklog_next_attempt_at'))
    op.drop_table('stagebacklog')
