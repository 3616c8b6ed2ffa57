"""Quality inspection: interactions (transcripts), scorecards, automatic hits, inspections, appeals, calibration.

Revision ID: 0020
Revises: 0002
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0020"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('qa_scorecards',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=80), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('pass_mark', sa.Float(), nullable=False),
    sa.Column('definition', sa.Text(), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('created_by', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['created_by'], ['users.id'], name=op.f('fk_qa_scorecards_created_by_users'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_qa_scorecards')),
    sa.UniqueConstraint('name', 'version', name='name_version')
    )

    op.create_table('interactions',
    sa.Column('contact_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('external_id', sa.String(length=64), nullable=True),
    sa.Column('source', sa.String(length=8), nullable=False),
    sa.Column('turns', sa.JSON(), nullable=False),
    sa.Column('turn_count', sa.Integer(), nullable=False),
    sa.Column('duration_ms', sa.Integer(), nullable=False),
    sa.Column('complaint', sa.Boolean(), nullable=False),
    sa.Column('csat', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("source in ('import','api','asr','live')", name=op.f('ck_interactions_source')),
    sa.CheckConstraint('csat is null or (csat >= 1 and csat <= 5)', name=op.f('ck_interactions_csat')),
    sa.ForeignKeyConstraint(['contact_id'], ['contacts.id'], name=op.f('fk_interactions_contact_id_contacts'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('contact_id', name=op.f('pk_interactions')),
    sa.UniqueConstraint('external_id', name=op.f('uq_interactions_external_id'))
    )

    op.create_table('qa_auto_hits',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('contact_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('scorecard_id', sa.Integer(), nullable=False),
    sa.Column('rule_id', sa.String(length=64), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('severity', sa.String(length=10), nullable=False),
    sa.Column('item', sa.String(length=64), nullable=True),
    sa.Column('turn_index', sa.Integer(), nullable=True),
    sa.Column('start_ms', sa.Integer(), nullable=False),
    sa.Column('span_start', sa.Integer(), nullable=False),
    sa.Column('span_end', sa.Integer(), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('value', sa.Float(), nullable=True),
    sa.Column('review', sa.String(length=10), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("review in ('pending','confirmed','rejected','none')", name=op.f('ck_qa_auto_hits_review')),
    sa.ForeignKeyConstraint(['contact_id'], ['contacts.id'], name=op.f('fk_qa_auto_hits_contact_id_contacts'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['scorecard_id'], ['qa_scorecards.id'], name=op.f('fk_qa_auto_hits_scorecard_id_qa_scorecards'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_qa_auto_hits'))
    )
    with op.batch_alter_table('qa_auto_hits', schema=None) as batch_op:
        batch_op.create_index('ix_qa_auto_hits_contact', ['contact_id', 'scorecard_id'], unique=False)

    op.create_table('qa_calibration_sessions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=80), nullable=False),
    sa.Column('scorecard_id', sa.Integer(), nullable=False),
    sa.Column('contact_ids', sa.JSON(), nullable=False),
    sa.Column('inspector_ids', sa.JSON(), nullable=False),
    sa.Column('created_by', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('closed_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['created_by'], ['users.id'], name=op.f('fk_qa_calibration_sessions_created_by_users'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['scorecard_id'], ['qa_scorecards.id'], name=op.f('fk_qa_calibration_sessions_scorecard_id_qa_scorecards'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_qa_calibration_sessions'))
    )

    op.create_table('qa_inspections',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('contact_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('scorecard_id', sa.Integer(), nullable=False),
    sa.Column('agent_id', sa.Integer(), nullable=True),
    sa.Column('inspector_id', sa.Integer(), nullable=True),
    sa.Column('kind', sa.String(length=12), nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('reason', sa.String(length=40), nullable=False),
    sa.Column('group_key', sa.String(length=40), nullable=True),
    sa.Column('blind', sa.Boolean(), nullable=False),
    sa.Column('items', sa.JSON(), nullable=False),
    sa.Column('comments', sa.JSON(), nullable=False),
    sa.Column('score', sa.Float(), nullable=True),
    sa.Column('passed', sa.Boolean(), nullable=True),
    sa.Column('fatal', sa.Boolean(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('scored_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.CheckConstraint("kind in ('auto','manual','double','calibration')", name=op.f('ck_qa_inspections_kind')),
    sa.CheckConstraint("status in ('assigned','scored','appealed','final')", name=op.f('ck_qa_inspections_status')),
    sa.CheckConstraint('score is null or (score >= 0 and score <= 100)', name=op.f('ck_qa_inspections_score')),
    sa.ForeignKeyConstraint(['agent_id'], ['users.id'], name=op.f('fk_qa_inspections_agent_id_users'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['contact_id'], ['contacts.id'], name=op.f('fk_qa_inspections_contact_id_contacts'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['inspector_id'], ['users.id'], name=op.f('fk_qa_inspections_inspector_id_users'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['scorecard_id'], ['qa_scorecards.id'], name=op.f('fk_qa_inspections_scorecard_id_qa_scorecards'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_qa_inspections'))
    )
    with op.batch_alter_table('qa_inspections', schema=None) as batch_op:
        batch_op.create_index('ix_qa_inspections_agent', ['agent_id', 'scored_at'], unique=False)
        batch_op.create_index('ix_qa_inspections_contact', ['contact_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_qa_inspections_group_key'), ['group_key'], unique=False)
        batch_op.create_index('ix_qa_inspections_inspector_status', ['inspector_id', 'status'], unique=False)

    op.create_table('qa_appeals',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('inspection_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('agent_id', sa.Integer(), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('filed_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('ruled_by', sa.Integer(), nullable=True),
    sa.Column('ruled_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('ruling', sa.Text(), nullable=True),
    sa.Column('score_before', sa.Float(), nullable=True),
    sa.Column('score_after', sa.Float(), nullable=True),
    sa.CheckConstraint("status in ('open','upheld','overturned')", name=op.f('ck_qa_appeals_status')),
    sa.ForeignKeyConstraint(['agent_id'], ['users.id'], name=op.f('fk_qa_appeals_agent_id_users'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['inspection_id'], ['qa_inspections.id'], name=op.f('fk_qa_appeals_inspection_id_qa_inspections'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['ruled_by'], ['users.id'], name=op.f('fk_qa_appeals_ruled_by_users'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_qa_appeals'))
    )
    with op.batch_alter_table('qa_appeals', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_qa_appeals_inspection_id'), ['inspection_id'], unique=False)


def downgrade() -> None:
    op.drop_table('qa_appeals')
    op.drop_table('qa_inspections')
    op.drop_table('qa_calibration_sessions')
    op.drop_table('qa_auto_hits')
    op.drop_table('interactions')
    op.drop_table('qa_scorecards')
