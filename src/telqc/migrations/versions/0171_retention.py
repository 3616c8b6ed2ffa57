"""retention campaigns, their members (holdout or a task for an agent) and plan offers with acceptance

Revision ID: 0171
Revises: 0170
Create Date: 2026-12-07 05:15:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0171'
down_revision = '0170'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('retention_campaigns',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('holdout_share', sa.Float(), nullable=False),
    sa.Column('seed', sa.Integer(), nullable=False),
    sa.Column('treated', sa.Integer(), nullable=False),
    sa.Column('held_out', sa.Integer(), nullable=False),
    sa.Column('created_by', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('measured_at', sa.DateTime(timezone=True), nullable=True),
    sa.CheckConstraint('holdout_share >= 0 and holdout_share <= 0.5', name=op.f('ck_retention_campaigns_share')),
    sa.ForeignKeyConstraint(['created_by'], ['users.id'], name=op.f('fk_retention_campaigns_created_by_users'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_retention_campaigns'))
    )
    op.create_table('retention_members',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('campaign_id', sa.Integer(), nullable=False),
    sa.Column('customer_id', sa.Integer(), nullable=False),
    sa.Column('province_code', sa.String(length=12), nullable=False),
    sa.Column('stage', sa.String(length=20), nullable=False),
    sa.Column('churn', sa.Float(), nullable=True),
    sa.Column('reasons', sa.JSON(), nullable=False),
    sa.Column('holdout', sa.Boolean(), nullable=False),
    sa.Column('action', sa.String(length=12), nullable=False),
    sa.Column('agent_id', sa.Integer(), nullable=True),
    sa.Column('status', sa.String(length=12), nullable=False),
    sa.Column('note', sa.String(length=500), nullable=True),
    sa.Column('outcome_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('retained', sa.Boolean(), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.CheckConstraint("(holdout and agent_id is null and status = 'open') or (not holdout and agent_id is not null)", name=op.f('ck_retention_members_holdout')),
    sa.CheckConstraint("status in ('open', 'contacted', 'accepted', 'declined', 'unreachable')", name=op.f('ck_retention_members_status')),
    sa.CheckConstraint("action in ('offer', 'callback', 'fault_check')", name=op.f('ck_retention_members_action')),
    sa.ForeignKeyConstraint(['campaign_id'], ['retention_campaigns.id'], name=op.f('fk_retention_members_campaign_id_retention_campaigns'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['customer_id'], ['customers.id'], name=op.f('fk_retention_members_customer_id_customers'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['agent_id'], ['users.id'], name=op.f('fk_retention_members_agent_id_users'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_retention_members')),
    sa.UniqueConstraint('campaign_id', 'customer_id', name='uq_retention_members_key')
    )
    op.create_index(op.f('ix_retention_members_campaign_id'), 'retention_members', ['campaign_id'], unique=False)
    op.create_index(op.f('ix_retention_members_customer_id'), 'retention_members', ['customer_id'], unique=False)
    op.create_index(op.f('ix_retention_members_agent_id'), 'retention_members', ['agent_id'], unique=False)
    op.create_table('insight_offers',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('customer_id', sa.Integer(), nullable=False),
    sa.Column('province_code', sa.String(length=12), nullable=False),
    sa.Column('segment', sa.String(length=10), nullable=False),
    sa.Column('channel', sa.String(length=12), nullable=False),
    sa.Column('plan_code', sa.String(length=20), nullable=True),
    sa.Column('member_id', sa.Integer(), nullable=True),
    sa.Column('shown_by', sa.Integer(), nullable=True),
    sa.Column('shown_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('accepted', sa.Boolean(), nullable=True),
    sa.Column('decided_at', sa.DateTime(timezone=True), nullable=True),
    sa.CheckConstraint("channel in ('agent', 'self_service', 'retention')", name=op.f('ck_insight_offers_channel')),
    sa.ForeignKeyConstraint(['customer_id'], ['customers.id'], name=op.f('fk_insight_offers_customer_id_customers'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['member_id'], ['retention_members.id'], name=op.f('fk_insight_offers_member_id_retention_members'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['shown_by'], ['users.id'], name=op.f('fk_insight_offers_shown_by_users'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_insight_offers'))
    )
    op.create_index(op.f('ix_insight_offers_customer_id'), 'insight_offers', ['customer_id'], unique=False)


def downgrade() -> None:
    op.drop_index(op.f('ix_insight_offers_customer_id'), table_name='insight_offers')
    op.drop_table('insight_offers')
    op.drop_index(op.f('ix_retention_members_agent_id'), table_name='retention_members')
    op.drop_index(op.f('ix_retention_members_customer_id'), table_name='retention_members')
    op.drop_index(op.f('ix_retention_members_campaign_id'), table_name='retention_members')
    op.drop_table('retention_members')
    op.drop_table('retention_campaigns')
