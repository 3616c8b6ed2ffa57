"""insight plan catalogue, monthly usage per subscription, bills and household size

Revision ID: 0170
Revises: 0001
Create Date: 2026-12-06 11:54:19

A branch of its own from 0001 (it needs only customers): `telqc db upgrade` runs every head.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0170'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('insight_plans',
    sa.Column('code', sa.String(length=20), nullable=False),
    sa.Column('name', sa.String(length=60), nullable=False),
    sa.Column('fee_fen', sa.Integer(), nullable=False),
    sa.Column('data_mb', sa.Integer(), nullable=False),
    sa.Column('voice_min', sa.Integer(), nullable=False),
    sa.Column('data_fen_per_gb', sa.Integer(), nullable=False),
    sa.Column('voice_fen_per_min', sa.Integer(), nullable=False),
    sa.Column('is_family', sa.Boolean(), nullable=False),
    sa.Column('members', sa.Integer(), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('data_mb >= 0 and voice_min >= 0', name=op.f('ck_insight_plans_allowances')),
    sa.CheckConstraint('fee_fen >= 0 and data_fen_per_gb >= 0 and voice_fen_per_min >= 0', name=op.f('ck_insight_plans_prices')),
    sa.CheckConstraint('members >= 1 and (is_family or members = 1)', name=op.f('ck_insight_plans_members')),
    sa.PrimaryKeyConstraint('code', name=op.f('pk_insight_plans'))
    )
    op.create_table('insight_bills',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
    sa.Column('customer_id', sa.Integer(), nullable=False),
    sa.Column('month', sa.Date(), nullable=False),
    sa.Column('amount_fen', sa.Integer(), nullable=False),
    sa.Column('paid_fen', sa.Integer(), nullable=False),
    sa.Column('paid_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('imported_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('amount_fen >= 0 and paid_fen >= 0', name=op.f('ck_insight_bills_money')),
    sa.ForeignKeyConstraint(['customer_id'], ['customers.id'], name=op.f('fk_insight_bills_customer_id_customers'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_insight_bills')),
    sa.UniqueConstraint('customer_id', 'month', name='uq_insight_bills_key')
    )
    op.create_table('insight_households',
    sa.Column('customer_id', sa.Integer(), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('source', sa.String(length=10), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("source in ('import', 'agent', 'survey')", name=op.f('ck_insight_households_source')),
    sa.CheckConstraint('size between 1 and 20', name=op.f('ck_insight_households_size')),
    sa.ForeignKeyConstraint(['customer_id'], ['customers.id'], name=op.f('fk_insight_households_customer_id_customers'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('customer_id', name=op.f('pk_insight_households'))
    )
    op.create_table('insight_usage_months',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
    sa.Column('customer_id', sa.Integer(), nullable=False),
    sa.Column('subscription', sa.String(length=20), nullable=False),
    sa.Column('month', sa.Date(), nullable=False),
    sa.Column('data_mb', sa.Integer(), nullable=False),
    sa.Column('voice_min', sa.Integer(), nullable=False),
    sa.Column('sms', sa.Integer(), nullable=False),
    sa.Column('roaming_mb', sa.Integer(), nullable=False),
    sa.Column('broadband_mbps', sa.Integer(), nullable=True),
    sa.Column('broadband_gb', sa.Integer(), nullable=True),
    sa.Column('home_devices', sa.Integer(), nullable=True),
    sa.Column('terminal_model', sa.String(length=60), nullable=True),
    sa.Column('imported_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('(broadband_mbps is null or broadband_mbps >= 0) and (broadband_gb is null or broadband_gb >= 0) and (home_devices is null or home_devices >= 0)', name=op.f('ck_insight_usage_months_home')),
    sa.CheckConstraint('data_mb >= 0 and voice_min >= 0 and sms >= 0 and roaming_mb >= 0', name=op.f('ck_insight_usage_months_usage')),
    sa.ForeignKeyConstraint(['customer_id'], ['customers.id'], name=op.f('fk_insight_usage_months_customer_id_customers'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_insight_usage_months')),
    sa.UniqueConstraint('customer_id', 'subscription', 'month', name='uq_insight_usage_months_key')
    )


def downgrade() -> None:
    op.drop_table('insight_usage_months')
    op.drop_table('insight_households')
    op.drop_table('insight_bills')
    op.drop_table('insight_plans')
