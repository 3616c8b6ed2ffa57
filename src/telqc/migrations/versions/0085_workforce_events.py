"""workforce known events (forecast regressors)

Revision ID: 0085
Revises: 0080
Create Date: 2026-12-06 12:40:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0085'
down_revision = '0080'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('wfm_events',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('title', sa.String(length=120), nullable=False),
    sa.Column('start_day', sa.Date(), nullable=False),
    sa.Column('end_day', sa.Date(), nullable=False),
    sa.Column('channel', sa.String(length=10), nullable=True),
    sa.Column('weight', sa.Float(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('created_by', sa.Integer(), nullable=True),
    sa.CheckConstraint("kind in ('plan_launch','marketing','bill_run','planned_work','outage','other')", name=op.f('ck_wfm_events_kind')),
    sa.CheckConstraint('end_day >= start_day', name=op.f('ck_wfm_events_days')),
    sa.CheckConstraint('weight > 0 and weight <= 10', name=op.f('ck_wfm_events_weight')),
    sa.ForeignKeyConstraint(['created_by'], ['users.id'], name=op.f('fk_wfm_events_created_by_users'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_wfm_events'))
    )
    op.create_index('ix_wfm_events_days', 'wfm_events', ['start_day', 'end_day'], unique=False)


def downgrade() -> None:
    op.drop_index('ix_wfm_events_days', table_name='wfm_events')
    op.drop_table('wfm_events')
