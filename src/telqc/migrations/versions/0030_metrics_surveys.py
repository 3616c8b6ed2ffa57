"""metrics and surveys: facts, rollups, subscriber base, survey invitations and responses

Revision ID: 0030
Revises: 0002
Create Date: 2026-11-22 00:45:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0030'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('metrics_facts',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('dedupe_key', sa.String(length=80), nullable=False),
    sa.Column('kind', sa.String(length=40), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('received_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('order_id', sa.BigInteger(), nullable=True),
    sa.Column('contact_id', sa.BigInteger(), nullable=True),
    sa.Column('customer_id', sa.Integer(), nullable=True),
    sa.Column('order_type', sa.String(length=20), nullable=False),
    sa.Column('channel', sa.String(length=10), nullable=False),
    sa.Column('province_code', sa.String(length=12), nullable=False),
    sa.Column('city_code', sa.String(length=12), nullable=False),
    sa.Column('area_type', sa.String(length=8), nullable=False),
    sa.Column('tier', sa.String(length=10), nullable=False),
    sa.Column('category', sa.String(length=40), nullable=False),
    sa.Column('team_id', sa.Integer(), nullable=False),
    sa.Column('agent_id', sa.Integer(), nullable=False),
    sa.Column('payload', sa.Text(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_metrics_facts')),
    sa.UniqueConstraint('dedupe_key', name=op.f('uq_metrics_facts_dedupe_key'))
    )
    op.create_index('ix_metrics_facts_burst', 'metrics_facts', ['kind', 'category', 'city_code', 'at'], unique=False)
    op.create_index('ix_metrics_facts_kind_at', 'metrics_facts', ['kind', 'at'], unique=False)
    op.create_index(op.f('ix_metrics_facts_order_id'), 'metrics_facts', ['order_id'], unique=False)
    op.create_index('ix_metrics_facts_repeat', 'metrics_facts', ['kind', 'customer_id', 'category', 'at'], unique=False)
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
    sa.UniqueConstraint('cube', 'period_start', 'part', 'channel', 'province_code', 'city_code', 'area_type', 'tier', 'category', 'team_id', 'agent_id', name='uq_metrics_rollups_key')
    )
    op.create_table('metrics_subscribers',
    sa.Column('province_code', sa.String(length=12), nullable=False),
    sa.Column('city_code', sa.String(length=12), nullable=False),
    sa.Column('area_type', sa.String(length=8), nullable=False),
    sa.Column('tier', sa.String(length=10), nullable=False),
    sa.Column('subscribers', sa.Integer(), nullable=False),
    sa.Column('as_of', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('province_code', 'city_code', 'area_type', 'tier', name=op.f('pk_metrics_subscribers'))
    )
    op.create_table('survey_invitations',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('customer_id', sa.Integer(), nullable=False),
    sa.Column('trigger', sa.String(length=10), nullable=False),
    sa.Column('order_id', sa.BigInteger(), nullable=True),
    sa.Column('contact_id', sa.BigInteger(), nullable=True),
    sa.Column('agent_id', sa.Integer(), nullable=True),
    sa.Column('channel', sa.String(length=10), nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('sent_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('answered_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('dims', sa.Text(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.CheckConstraint("channel in ('sms','app_push')", name=op.f('ck_survey_invitations_channel')),
    sa.CheckConstraint("status in ('sent','answered','expired')", name=op.f('ck_survey_invitations_status')),
    sa.CheckConstraint("trigger in ('order','contact')", name=op.f('ck_survey_invitations_trigger')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_survey_invitations')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_survey_invitations_token_hash'))
    )
    op.create_index(op.f('ix_survey_invitations_contact_id'), 'survey_invitations', ['contact_id'], unique=False)
    op.create_index('ix_survey_invitations_customer_sent', 'survey_invitations', ['customer_id', 'sent_at'], unique=False)
    op.create_index(op.f('ix_survey_invitations_order_id'), 'survey_invitations', ['order_id'], unique=False)
    op.create_table('survey_order_customers',
    sa.Column('order_id', sa.BigInteger(), nullable=False),
    sa.Column('customer_id', sa.Integer(), nullable=True),
    sa.Column('order_type', sa.String(length=20), nullable=False),
    sa.PrimaryKeyConstraint('order_id', name=op.f('pk_survey_order_customers'))
    )
    op.create_table('survey_responses',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('invitation_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('csat', sa.Integer(), nullable=True),
    sa.Column('nps', sa.Integer(), nullable=True),
    sa.Column('resolved', sa.Boolean(), nullable=True),
    sa.Column('comment', sa.Text(), nullable=True),
    sa.Column('answered_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('csat is null or (csat between 1 and 5)', name=op.f('ck_survey_responses_csat')),
    sa.CheckConstraint('nps is null or (nps between 0 and 10)', name=op.f('ck_survey_responses_nps')),
    sa.ForeignKeyConstraint(['invitation_id'], ['survey_invitations.id'], name=op.f('fk_survey_responses_invitation_id_survey_invitations'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_survey_responses')),
    sa.UniqueConstraint('invitation_id', name=op.f('uq_survey_responses_invitation_id'))
    )


def downgrade() -> None:
    op.drop_table('survey_responses')
    op.drop_table('survey_order_customers')
    op.drop_index(op.f('ix_survey_invitations_order_id'), table_name='survey_invitations')
    op.drop_index('ix_survey_invitations_customer_sent', table_name='survey_invitations')
    op.drop_index(op.f('ix_survey_invitations_contact_id'), table_name='survey_invitations')
    op.drop_table('survey_invitations')
    op.drop_table('metrics_subscribers')
    op.drop_table('metrics_rollups')
    op.drop_index('ix_metrics_facts_repeat', table_name='metrics_facts')
    op.drop_index(op.f('ix_metrics_facts_order_id'), table_name='metrics_facts')
    op.drop_index('ix_metrics_facts_kind_at', table_name='metrics_facts')
    op.drop_index('ix_metrics_facts_burst', table_name='metrics_facts')
    op.drop_table('metrics_facts')
