"""metrics: one wide rollup row per cube cell (a column per part) instead of one row per part;
drop the facts' order_id index (no query uses it, every live insert paid for it)

The old narrow rows cannot be converted in place (their cubes changed too); rollups are derived
data: run ``telqc metrics backfill --from ... --to ...`` after upgrading to rebuild them from facts.

Revision ID: 0031
Revises: 0030
Create Date: 2026-11-30 00:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0031'
down_revision = '0030'
branch_labels = None
depends_on = None

# Frozen copy of telqc.metrics.facts.PARTS as column names at this revision.
BASE_PARTS = (
    'offered', 'abandoned_short', 'abandoned_late', 'handled', 'answered_20', 'answered_15', 'wait_sum',
    'handle_sum', 'transferred', 'fcr_repeat',
    'orders_created', 'complaints', 'complaints_regulator', 'frt_n', 'frt_sum', 'field_n', 'field_sum', 'resolved',
    'resolved_in_time', 'res_sum', 'biz_completed', 'biz_accurate', 'reopened', 'order_transfers', 'cmp_closed',
    'cmp_closed_in_time', 'cmp_closed_loop', 'cb_answers', 'cb_satisfied', 'cb_unreachable', 'cmp_repeat', 'mass',
    'survey_invited', 'survey_answered', 'csat_n', 'csat_sum', 'csat_good', 'nps_n', 'nps_pro', 'nps_det', 'fcrs_n',
    'fcrs_yes', 'qa_n', 'qa_sum', 'qa_pass', 'qa_fatal', 'cal_n', 'cal_var', 'available_s',
)
HISTOGRAM_BINS = tuple(f'h_{m}_{i:02d}' for m in ('asa', 'aht', 'frt', 'res') for i in range(33))


def upgrade() -> None:
    op.drop_table('metrics_rollups')
    op.create_table('metrics_rollups',
    sa.Column('cube', sa.String(length=4), nullable=False),
    sa.Column('period_start', sa.DateTime(timezone=True), nullable=False),
    sa.Column('channel', sa.String(length=10), nullable=False),
    sa.Column('province_code', sa.String(length=12), nullable=False),
    sa.Column('city_code', sa.String(length=12), nullable=False),
    sa.Column('area_type', sa.String(length=8), nullable=False),
    sa.Column('tier', sa.String(length=10), nullable=False),
    sa.Column('category', sa.String(length=40), nullable=False),
    sa.Column('team_id', sa.Integer(), nullable=False),
    sa.Column('agent_id', sa.Integer(), nullable=False),
    *(sa.Column(name, sa.Float(), nullable=True) for name in (*BASE_PARTS, *HISTOGRAM_BINS)),
    sa.PrimaryKeyConstraint('cube', 'period_start', 'channel', 'province_code', 'city_code', 'area_type', 'tier',
                            'category', 'team_id', 'agent_id', name=op.f('pk_metrics_rollups'))
    )
    op.drop_index('ix_metrics_facts_order_id', table_name='metrics_facts')


def downgrade() -> None:
    op.create_index('ix_metrics_facts_order_id', 'metrics_facts', ['order_id'], unique=False)
    op.drop_table('metrics_rollups')
    op.create_table('metrics_rollups',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('cube', sa.String(length=4), nullable=False),
    sa.Column('period_start', sa.DateTime(timezone=True), nullable=False),
    sa.Column('part', sa.String(length=24), nullable=False),
    sa.Column('channel', sa.String(length=10), nullable=False),
    sa.Column('province_code', sa.String(length=12), nullable=False),
    sa.Column('city_code', sa.String(length=12), nullable=False),
    sa.Column('area_type', sa.String(length=8), nullable=False),
    sa.Column('tier', sa.String(length=10), nullable=False),
    sa.Column('category', sa.String(length=40), nullable=False),
    sa.Column('team_id', sa.Integer(), nullable=False),
    sa.Column('agent_id', sa.Integer(), nullable=False),
    sa.Column('value', sa.Float(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_metrics_rollups')),
    sa.UniqueConstraint('cube', 'period_start', 'part', 'channel', 'province_code', 'city_code', 'area_type', 'tier',
                        'category', 'team_id', 'agent_id', name='uq_metrics_rollups_key')
    )
