"""workforce: field engineers' rosters (early/late duties per province, one on call at night)

Revision ID: 0088
Revises: 0087
Create Date: 2026-12-08 01:00:00

`wfm_engineer_rosters` (one solve: the days, the engineers needed per province and day it was built against,
what it left short) and `wfm_engineer_duties` (engineer, province, local day, early / late / night), read by
`workforce.read.engineers_on_duty` for repair dispatch.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0088'
down_revision = '0087'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('wfm_engineer_rosters',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('created_by', sa.Integer(), nullable=True),
    sa.Column('start_date', sa.Date(), nullable=False),
    sa.Column('days', sa.Integer(), nullable=False),
    sa.Column('solver', sa.String(length=40), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('need', sa.JSON(), nullable=False),
    sa.Column('short_blocks', sa.Float(), nullable=False),
    sa.Column('over_blocks', sa.Float(), nullable=False),
    sa.Column('nights_uncovered', sa.Integer(), nullable=False),
    sa.Column('solve_s', sa.Float(), nullable=False),
    sa.ForeignKeyConstraint(['created_by'], ['users.id'], name=op.f('fk_wfm_engineer_rosters_created_by_users'),
                            ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_wfm_engineer_rosters'))
    )
    op.create_table('wfm_engineer_duties',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('roster_id', sa.Integer(), nullable=False),
    sa.Column('engineer_id', sa.Integer(), nullable=False),
    sa.Column('province_code', sa.String(length=12), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('kind', sa.String(length=10), nullable=False),
    sa.CheckConstraint("kind in ('early','late','night')", name=op.f('ck_wfm_engineer_duties_kind')),
    sa.ForeignKeyConstraint(['roster_id'], ['wfm_engineer_rosters.id'],
                            name=op.f('fk_wfm_engineer_duties_roster_id_wfm_engineer_rosters'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['engineer_id'], ['users.id'], name=op.f('fk_wfm_engineer_duties_engineer_id_users'),
                            ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_wfm_engineer_duties')),
    sa.UniqueConstraint('roster_id', 'engineer_id', 'day', name=op.f('uq_wfm_engineer_duties_one_a_day'))
    )
    op.create_index('ix_wfm_engineer_duties_day_province', 'wfm_engineer_duties', ['day', 'province_code'],
                    unique=False)


def downgrade() -> None:
    op.drop_index('ix_wfm_engineer_duties_day_province', table_name='wfm_engineer_duties')
    op.drop_table('wfm_engineer_duties')
    op.drop_table('wfm_engineer_rosters')
