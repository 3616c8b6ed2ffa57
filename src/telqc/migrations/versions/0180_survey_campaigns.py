"""surveys: periodic satisfaction campaigns, their sampled invitations and per-dimension answers

Revision ID: 0180
Revises: 0001
Create Date: 2026-12-06 12:48:00

A branch of its own from 0001 (it needs only users; no key to the transactional survey tables of 0030):
`telqc db upgrade` runs every head.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0180'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('survey_campaigns',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
    sa.Column('name', sa.String(length=80), nullable=False),
    sa.Column('period_kind', sa.String(length=8), nullable=False),
    sa.Column('period_label', sa.String(length=8), nullable=False),
    sa.Column('strata', sa.JSON(), nullable=False),
    sa.Column('sample_size', sa.Integer(), nullable=False),
    sa.Column('min_per_stratum', sa.Integer(), nullable=False),
    sa.Column('seed', sa.BigInteger(), nullable=False),
    sa.Column('validity_days', sa.Integer(), nullable=False),
    sa.Column('province_code', sa.String(length=6), nullable=True),
    sa.Column('min_cell_n', sa.Integer(), nullable=False),
    sa.Column('low_mean', sa.Float(), nullable=False),
    sa.Column('low_share', sa.Float(), nullable=False),
    sa.Column('status', sa.String(length=8), nullable=False),
    sa.Column('population', sa.JSON(), nullable=False),
    sa.Column('sampled', sa.Integer(), nullable=False),
    sa.Column('created_by', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('sent_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('closed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.CheckConstraint("period_kind in ('quarter','half')", name=op.f('ck_survey_campaigns_period_kind')),
    sa.CheckConstraint("status in ('draft','sent','closed')", name=op.f('ck_survey_campaigns_status')),
    sa.CheckConstraint('sample_size > 0 and min_per_stratum >= 0 and validity_days > 0 and min_cell_n > 0', name=op.f('ck_survey_campaigns_sizes')),
    sa.ForeignKeyConstraint(['created_by'], ['users.id'], name=op.f('fk_survey_campaigns_created_by_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_survey_campaigns'))
    )
    with op.batch_alter_table('survey_campaigns', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_survey_campaigns_province_code'), ['province_code'], unique=False)

    op.create_table('survey_campaign_invitations',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
    sa.Column('campaign_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('customer_id', sa.Integer(), nullable=False),
    sa.Column('stratum', sa.String(length=60), nullable=False),
    sa.Column('province_code', sa.String(length=6), nullable=False),
    sa.Column('tier', sa.String(length=10), nullable=False),
    sa.Column('service_channel', sa.String(length=10), nullable=False),
    sa.Column('channel', sa.String(length=10), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('sent_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('answered_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.CheckConstraint("channel in ('sms','app_push')", name=op.f('ck_survey_campaign_invitations_channel')),
    sa.CheckConstraint("status in ('sent','answered','expired')", name=op.f('ck_survey_campaign_invitations_status')),
    sa.ForeignKeyConstraint(['campaign_id'], ['survey_campaigns.id'], name=op.f('fk_survey_campaign_invitations_campaign_id_survey_campaigns'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_survey_campaign_invitations')),
    sa.UniqueConstraint('campaign_id', 'customer_id', name='uq_survey_campaign_invitations_customer'),
    sa.UniqueConstraint('token_hash', name=op.f('uq_survey_campaign_invitations_token_hash'))
    )
    with op.batch_alter_table('survey_campaign_invitations', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_survey_campaign_invitations_campaign_id'), ['campaign_id'], unique=False)

    op.create_table('survey_campaign_answers',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
    sa.Column('invitation_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('campaign_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('dimension', sa.String(length=12), nullable=False),
    sa.Column('score', sa.Integer(), nullable=True),
    sa.Column('comment', sa.Text(), nullable=True),
    sa.CheckConstraint("(dimension in ('attitude','efficiency','quality','etiquette') and score between 1 and 5 and comment is null) or (dimension = 'comment' and score is null and comment is not null)", name=op.f('ck_survey_campaign_answers_score')),
    sa.ForeignKeyConstraint(['campaign_id'], ['survey_campaigns.id'], name=op.f('fk_survey_campaign_answers_campaign_id_survey_campaigns'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['invitation_id'], ['survey_campaign_invitations.id'], name=op.f('fk_survey_campaign_answers_invitation_id_survey_campaign_invitations'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_survey_campaign_answers')),
    sa.UniqueConstraint('invitation_id', 'dimension', name='uq_survey_campaign_answers_dimension')
    )
    with op.batch_alter_table('survey_campaign_answers', schema=None) as batch_op:
        batch_op.create_index('ix_survey_campaign_answers_campaign', ['campaign_id', 'dimension'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('survey_campaign_answers', schema=None) as batch_op:
        batch_op.drop_index('ix_survey_campaign_answers_campaign')

    op.drop_table('survey_campaign_answers')
    with op.batch_alter_table('survey_campaign_invitations', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_survey_campaign_invitations_campaign_id'))

    op.drop_table('survey_campaign_invitations')
    with op.batch_alter_table('survey_campaigns', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_survey_campaigns_province_code'))

    op.drop_table('survey_campaigns')
