"""translation provider state: outage back-off and daily usage per provider

Revision ID: 0004
Revises: 0002
Create Date: 2026-11-25 01:55:00
"""
from __future__ import annotations

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = '0004'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('translationprovider',
    sa.Column('provider', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('backoff_until', sa.DateTime(timezone=True), nullable=True),
    sa.Column('failures', sa.Integer(), nullable=False),
    sa.Column('last_error', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
    sa.Column('last_error_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('usage_day', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
    sa.Column('chars_today', sa.BigInteger(), nullable=False),
    sa.Column('requests_today', sa.Integer(), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('provider')
    )


def downgrade() -> None:
    op.drop_table('translationprovider')
