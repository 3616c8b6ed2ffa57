"""evaluation: runs, results per agent, objections

Revision ID: 0150
Revises: 0001
Create Date: 2026-12-04 23:27:31

A branch of its own from 0001 (it needs only users): `telqc db upgrade` runs every head.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0150'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('evaluation_runs',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
    sa.Column('name', sa.String(length=80), nullable=False),
    sa.Column('period_start', sa.Date(), nullable=False),
    sa.Column('period_end', sa.Date(), nullable=False),
    sa.Column('province_code', sa.String(length=6), nullable=True),
    sa.Column('scheme', sa.JSON(), nullable=False),
    sa.Column('agents', sa.Integer(), nullable=False),
    sa.Column('created_by', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('period_start <= period_end', name=op.f('ck_evaluation_runs_period')),
    sa.ForeignKeyConstraint(['created_by'], ['users.id'], name=op.f('fk_evaluation_runs_created_by_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_evaluation_runs'))
    )
    with op.batch_alter_table('evaluation_runs', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_evaluation_runs_province_code'), ['province_code'], unique=False)
    op.create_table('evaluation_results',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
    sa.Column('run_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('agent_id', sa.Integer(), nullable=False),
    sa.Column('team_id', sa.Integer(), nullable=True),
    sa.Column('total', sa.Float(), nullable=False),
    sa.Column('grade', sa.String(length=4), nullable=False),
    sa.Column('tier', sa.String(length=10), nullable=False),
    sa.Column('rank_in_team', sa.Integer(), nullable=False),
    sa.Column('team_size', sa.Integer(), nullable=False),
    sa.Column('parts', sa.JSON(), nullable=False),
    sa.Column('capped_by', sa.JSON(), nullable=False),
    sa.Column('adjusted', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['agent_id'], ['users.id'], name=op.f('fk_evaluation_results_agent_id_users'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['run_id'], ['evaluation_runs.id'], name=op.f('fk_evaluation_results_run_id_evaluation_runs'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_evaluation_results')),
    sa.UniqueConstraint('run_id', 'agent_id', name='uq_evaluation_results_run_agent')
    )
    with op.batch_alter_table('evaluation_results', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_evaluation_results_agent_id'), ['agent_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_evaluation_results_run_id'), ['run_id'], unique=False)
    op.create_table('evaluation_objections',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
    sa.Column('result_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('agent_id', sa.Integer(), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('reviewer_id', sa.Integer(), nullable=True),
    sa.Column('decision', sa.Text(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('decided_at', sa.DateTime(timezone=True), nullable=True),
    sa.CheckConstraint("status in ('open','upheld','rejected')", name=op.f('ck_evaluation_objections_status')),
    sa.ForeignKeyConstraint(['agent_id'], ['users.id'], name=op.f('fk_evaluation_objections_agent_id_users'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['result_id'], ['evaluation_results.id'], name=op.f('fk_evaluation_objections_result_id_evaluation_results'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['reviewer_id'], ['users.id'], name=op.f('fk_evaluation_objections_reviewer_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_evaluation_objections'))
    )
    with op.batch_alter_table('evaluation_objections', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_evaluation_objections_result_id'), ['result_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_evaluation_objections_status'), ['status'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('evaluation_objections', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_evaluation_objections_status'))
        batch_op.drop_index(batch_op.f('ix_evaluation_objections_result_id'))
    op.drop_table('evaluation_objections')
    with op.batch_alter_table('evaluation_results', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_evaluation_results_run_id'))
        batch_op.drop_index(batch_op.f('ix_evaluation_results_agent_id'))
    op.drop_table('evaluation_results')
    with op.batch_alter_table('evaluation_runs', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_evaluation_runs_province_code'))
    op.drop_table('evaluation_runs')
