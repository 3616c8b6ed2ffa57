"""evaluation: schemes per role and period (versioned), teamwork ratings, the scheme a run used

Revision ID: 0151
Revises: 0150
Create Date: 2026-12-07 21:20:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0151'
down_revision = '0150'
branch_labels = None
depends_on = None

BigId = sa.BigInteger().with_variant(sa.Integer(), 'sqlite')


def upgrade() -> None:
    op.create_table('evaluation_schemes',
    sa.Column('id', BigId, autoincrement=True, nullable=False),
    sa.Column('role', sa.String(length=12), nullable=False),
    sa.Column('period_kind', sa.String(length=8), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=80), nullable=False),
    sa.Column('body', sa.JSON(), nullable=False),
    sa.Column('created_by', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("period_kind in ('month','quarter')", name=op.f('ck_evaluation_schemes_period_kind')),
    sa.CheckConstraint('version > 0', name=op.f('ck_evaluation_schemes_version')),
    sa.ForeignKeyConstraint(['created_by'], ['users.id'], name=op.f('fk_evaluation_schemes_created_by_users'),
                            ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_evaluation_schemes')),
    sa.UniqueConstraint('role', 'period_kind', 'version', name='uq_evaluation_schemes_role_period_version'),
    )
    op.create_table('evaluation_teamwork_ratings',
    sa.Column('id', BigId, autoincrement=True, nullable=False),
    sa.Column('ratee_id', sa.Integer(), nullable=False),
    sa.Column('rater_id', sa.Integer(), nullable=False),
    sa.Column('rater_kind', sa.String(length=10), nullable=False),
    sa.Column('month', sa.Date(), nullable=False),
    sa.Column('score', sa.Integer(), nullable=False),
    sa.Column('comment', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('score >= 1 and score <= 5', name=op.f('ck_evaluation_teamwork_ratings_score')),
    sa.CheckConstraint("rater_kind in ('peer','supervisor')", name=op.f('ck_evaluation_teamwork_ratings_rater_kind')),
    sa.CheckConstraint('rater_id <> ratee_id', name=op.f('ck_evaluation_teamwork_ratings_not_self')),
    sa.ForeignKeyConstraint(['ratee_id'], ['users.id'], name=op.f('fk_evaluation_teamwork_ratings_ratee_id_users'),
                            ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['rater_id'], ['users.id'], name=op.f('fk_evaluation_teamwork_ratings_rater_id_users'),
                            ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_evaluation_teamwork_ratings')),
    sa.UniqueConstraint('rater_id', 'ratee_id', 'month', name='uq_evaluation_teamwork_rater_ratee_month'),
    )
    with op.batch_alter_table('evaluation_teamwork_ratings', schema=None) as batch_op:
        batch_op.create_index('ix_evaluation_teamwork_ratee_month', ['ratee_id', 'month'], unique=False)
    with op.batch_alter_table('evaluation_runs', schema=None) as batch_op:
        batch_op.add_column(sa.Column('role', sa.String(length=12), nullable=False, server_default='agent'))
        batch_op.add_column(sa.Column('period_kind', sa.String(length=8), nullable=False, server_default='month'))
        batch_op.add_column(sa.Column('scheme_id', BigId, nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_evaluation_runs_scheme_id_evaluation_schemes'),
                                    'evaluation_schemes', ['scheme_id'], ['id'], ondelete='RESTRICT')


def downgrade() -> None:
    with op.batch_alter_table('evaluation_runs', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_evaluation_runs_scheme_id_evaluation_schemes'), type_='foreignkey')
        batch_op.drop_column('scheme_id')
        batch_op.drop_column('period_kind')
        batch_op.drop_column('role')
    with op.batch_alter_table('evaluation_teamwork_ratings', schema=None) as batch_op:
        batch_op.drop_index('ix_evaluation_teamwork_ratee_month')
    op.drop_table('evaluation_teamwork_ratings')
    op.drop_table('evaluation_schemes')
