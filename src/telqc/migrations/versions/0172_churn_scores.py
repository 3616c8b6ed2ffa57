"""stored churn scores with reason codes; retention members carry the score's reasons, model and the ARPU
measured for the saved-revenue figure

Revision ID: 0172
Revises: 0171
Create Date: 2026-12-07 08:40:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0172'
down_revision = '0171'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('insight_churn_scores',
    sa.Column('customer_id', sa.Integer(), nullable=False),
    sa.Column('score', sa.Float(), nullable=False),
    sa.Column('model_version', sa.String(length=80), nullable=False),
    sa.Column('scored_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('reasons', sa.JSON(), nullable=False),
    sa.CheckConstraint('score >= 0 and score <= 1', name=op.f('ck_insight_churn_scores_score')),
    sa.ForeignKeyConstraint(['customer_id'], ['customers.id'], name=op.f('fk_insight_churn_scores_customer_id_customers'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('customer_id', name=op.f('pk_insight_churn_scores'))
    )
    op.add_column('retention_members', sa.Column('churn_reasons', sa.JSON(), nullable=True))
    op.add_column('retention_members', sa.Column('model_version', sa.String(length=80), nullable=True))
    op.add_column('retention_members', sa.Column('arpu_fen', sa.Integer(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('retention_members') as b:
        b.drop_column('arpu_fen')
        b.drop_column('model_version')
        b.drop_column('churn_reasons')
    op.drop_table('insight_churn_scores')
