"""improvement: suggestions from the floor (合理化建议), adopted ones counted in evaluation

Revision ID: 0152
Revises: 0151
Create Date: 2026-12-07 21:20:00

Depends on 0130 for improvement_plans (an adopted suggestion may name the plan it went into).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0152'
down_revision = '0151'
branch_labels = None
depends_on = '0130'

BigId = sa.BigInteger().with_variant(sa.Integer(), 'sqlite')


def upgrade() -> None:
    op.create_table('improvement_suggestions',
    sa.Column('id', BigId, autoincrement=True, nullable=False),
    sa.Column('author_id', sa.Integer(), nullable=False),
    sa.Column('province_code', sa.String(length=6), nullable=True),
    sa.Column('title', sa.String(length=120), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('decision', sa.Text(), nullable=True),
    sa.Column('plan_id', BigId, nullable=True),
    sa.Column('decided_by', sa.Integer(), nullable=True),
    sa.Column('decided_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("status in ('submitted','adopted','rejected')", name=op.f('ck_improvement_suggestions_status')),
    sa.ForeignKeyConstraint(['author_id'], ['users.id'], name=op.f('fk_improvement_suggestions_author_id_users'),
                            ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['decided_by'], ['users.id'], name=op.f('fk_improvement_suggestions_decided_by_users'),
                            ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['plan_id'], ['improvement_plans.id'],
                            name=op.f('fk_improvement_suggestions_plan_id_improvement_plans'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_improvement_suggestions')),
    )
    with op.batch_alter_table('improvement_suggestions', schema=None) as batch_op:
        batch_op.create_index('ix_improvement_suggestions_author', ['author_id', 'status', 'decided_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_improvement_suggestions_province_code'), ['province_code'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('improvement_suggestions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_improvement_suggestions_province_code'))
        batch_op.drop_index('ix_improvement_suggestions_author')
    op.drop_table('improvement_suggestions')
