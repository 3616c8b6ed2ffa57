"""quality inspection: saved sampling plans (抽检计划) and the batches they and ad-hoc runs created

Revision ID: 0026
Revises: 0020
Create Date: 2026-12-06 19:40:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0026'
down_revision = '0020'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('qa_sampling_plans',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=60), nullable=False),
    sa.Column('period', sa.String(length=8), nullable=False),
    sa.Column('rules', sa.JSON(), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('created_by', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.CheckConstraint("period in ('daily','weekly')", name=op.f('ck_qa_sampling_plans_period')),
    sa.ForeignKeyConstraint(['created_by'], ['users.id'], name=op.f('fk_qa_sampling_plans_created_by_users'),
                            ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_qa_sampling_plans')),
    sa.UniqueConstraint('name', name=op.f('uq_qa_sampling_plans_name'))
    )
    op.create_table('qa_sampling_batches',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('plan_id', sa.Integer(), nullable=True),
    sa.Column('since', sa.DateTime(timezone=True), nullable=False),
    sa.Column('until', sa.DateTime(timezone=True), nullable=False),
    sa.Column('created', sa.Integer(), nullable=False),
    sa.Column('double', sa.Integer(), nullable=False),
    sa.Column('by_reason', sa.JSON(), nullable=False),
    sa.Column('by_inspector', sa.JSON(), nullable=False),
    sa.Column('run_by', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['plan_id'], ['qa_sampling_plans.id'],
                            name=op.f('fk_qa_sampling_batches_plan_id_qa_sampling_plans'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['run_by'], ['users.id'], name=op.f('fk_qa_sampling_batches_run_by_users'),
                            ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_qa_sampling_batches')),
    sa.UniqueConstraint('plan_id', 'since', name='uq_qa_sampling_batches_plan_period')
    )
    with op.batch_alter_table('qa_sampling_batches', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_qa_sampling_batches_plan_id'), ['plan_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_qa_sampling_batches_created_at'), ['created_at'], unique=False)


def downgrade() -> None:
    op.drop_table('qa_sampling_batches')
    op.drop_table('qa_sampling_plans')
