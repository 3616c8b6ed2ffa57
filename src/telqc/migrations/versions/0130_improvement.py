"""improvement plans, actions and history

Revision ID: 0130
Revises: 0001
Create Date: 2026-12-04 22:28:05

A branch of its own from 0001 (it needs only users): `telqc db upgrade` runs every head.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0130'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('improvement_plans',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
    sa.Column('title', sa.String(length=120), nullable=False),
    sa.Column('problem', sa.Text(), nullable=False),
    sa.Column('source', sa.String(length=12), nullable=False),
    sa.Column('source_ref', sa.String(length=120), nullable=True),
    sa.Column('kpi', sa.String(length=40), nullable=False),
    sa.Column('target', sa.Float(), nullable=True),
    sa.Column('scope', sa.JSON(), nullable=False),
    sa.Column('comparison', sa.JSON(), nullable=True),
    sa.Column('root_cause', sa.String(length=10), nullable=True),
    sa.Column('why', sa.JSON(), nullable=False),
    sa.Column('fishbone', sa.JSON(), nullable=False),
    sa.Column('owner_id', sa.Integer(), nullable=False),
    sa.Column('province_code', sa.String(length=6), nullable=True),
    sa.Column('state', sa.String(length=14), nullable=False),
    sa.Column('baseline_start', sa.Date(), nullable=False),
    sa.Column('baseline_end', sa.Date(), nullable=False),
    sa.Column('after_start', sa.Date(), nullable=True),
    sa.Column('after_end', sa.Date(), nullable=True),
    sa.Column('effect', sa.JSON(), nullable=True),
    sa.Column('verdict', sa.String(length=10), nullable=True),
    sa.Column('parent_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=True),
    sa.Column('created_by', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.CheckConstraint("root_cause is null or root_cause in ('people','process','system','network','product','policy')", name=op.f('ck_improvement_plans_root_cause')),
    sa.CheckConstraint("source in ('kpi','hotspot','survey','incident','manual','rollout','adjustment')", name=op.f('ck_improvement_plans_source')),
    sa.CheckConstraint("state in ('planning','doing','checking','standardised','adjusting','closed','cancelled')", name=op.f('ck_improvement_plans_state')),
    sa.CheckConstraint('after_start is null or after_end is null or after_start <= after_end', name=op.f('ck_improvement_plans_after')),
    sa.CheckConstraint('baseline_start <= baseline_end', name=op.f('ck_improvement_plans_baseline')),
    sa.ForeignKeyConstraint(['created_by'], ['users.id'], name=op.f('fk_improvement_plans_created_by_users'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['owner_id'], ['users.id'], name=op.f('fk_improvement_plans_owner_id_users'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['parent_id'], ['improvement_plans.id'], name=op.f('fk_improvement_plans_parent_id_improvement_plans'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_improvement_plans'))
    )
    with op.batch_alter_table('improvement_plans', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_improvement_plans_parent_id'), ['parent_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_improvement_plans_province_code'), ['province_code'], unique=False)
        batch_op.create_index('ix_improvement_plans_state', ['state', 'id'], unique=False)
    op.create_table('improvement_actions',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
    sa.Column('plan_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('owner_id', sa.Integer(), nullable=False),
    sa.Column('due_on', sa.Date(), nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('note', sa.Text(), nullable=True),
    sa.Column('done_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('reminded_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('escalated_at', sa.DateTime(timezone=True), nullable=True),
    sa.CheckConstraint("status in ('open','done','cancelled')", name=op.f('ck_improvement_actions_status')),
    sa.ForeignKeyConstraint(['owner_id'], ['users.id'], name=op.f('fk_improvement_actions_owner_id_users'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['plan_id'], ['improvement_plans.id'], name=op.f('fk_improvement_actions_plan_id_improvement_plans'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_improvement_actions'))
    )
    with op.batch_alter_table('improvement_actions', schema=None) as batch_op:
        batch_op.create_index('ix_improvement_actions_due', ['status', 'due_on'], unique=False)
        batch_op.create_index(batch_op.f('ix_improvement_actions_plan_id'), ['plan_id'], unique=False)
    op.create_table('improvement_history',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
    sa.Column('plan_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('actor_id', sa.Integer(), nullable=True),
    sa.Column('event', sa.String(length=30), nullable=False),
    sa.Column('from_state', sa.String(length=14), nullable=True),
    sa.Column('to_state', sa.String(length=14), nullable=True),
    sa.Column('note', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['actor_id'], ['users.id'], name=op.f('fk_improvement_history_actor_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['plan_id'], ['improvement_plans.id'], name=op.f('fk_improvement_history_plan_id_improvement_plans'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_improvement_history'))
    )
    with op.batch_alter_table('improvement_history', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_improvement_history_plan_id'), ['plan_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('improvement_history', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_improvement_history_plan_id'))
    op.drop_table('improvement_history')
    with op.batch_alter_table('improvement_actions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_improvement_actions_plan_id'))
        batch_op.drop_index('ix_improvement_actions_due')
    op.drop_table('improvement_actions')
    with op.batch_alter_table('improvement_plans', schema=None) as batch_op:
        batch_op.drop_index('ix_improvement_plans_state')
        batch_op.drop_index(batch_op.f('ix_improvement_plans_province_code'))
        batch_op.drop_index(batch_op.f('ix_improvement_plans_parent_id'))
    op.drop_table('improvement_plans')
