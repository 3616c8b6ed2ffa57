"""churn events observed by the operator (port-out requests, port-outs, cancellations) and the churn models
trained on them

Revision ID: 0173
Revises: 0172
Create Date: 2026-12-07 22:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0173'
down_revision = '0172'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('insight_churn_events',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
    sa.Column('customer_id', sa.Integer(), nullable=False),
    sa.Column('month', sa.Date(), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('count', sa.Integer(), nullable=False),
    sa.Column('imported_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("kind in ('port_out_request', 'port_out', 'cancelled')",
                       name=op.f('ck_insight_churn_events_kind')),
    sa.CheckConstraint('count >= 1', name=op.f('ck_insight_churn_events_count')),
    sa.ForeignKeyConstraint(['customer_id'], ['customers.id'],
                            name=op.f('fk_insight_churn_events_customer_id_customers'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_insight_churn_events')),
    sa.UniqueConstraint('customer_id', 'month', 'kind', name='uq_insight_churn_events_key')
    )
    op.create_table('insight_churn_models',
    sa.Column('version', sa.String(length=80), nullable=False),
    sa.Column('trained_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('first_month', sa.Date(), nullable=False),
    sa.Column('last_month', sa.Date(), nullable=False),
    sa.Column('test_first', sa.Date(), nullable=False),
    sa.Column('test_last', sa.Date(), nullable=False),
    sa.Column('rows', sa.Integer(), nullable=False),
    sa.Column('auc', sa.Float(), nullable=False),
    sa.Column('brier', sa.Float(), nullable=False),
    sa.Column('base_rate', sa.Float(), nullable=False),
    sa.Column('params', sa.JSON(), nullable=False),
    sa.PrimaryKeyConstraint('version', name=op.f('pk_insight_churn_models'))
    )
    op.create_index(op.f('ix_insight_churn_models_trained_at'), 'insight_churn_models', ['trained_at'])


def downgrade() -> None:
    op.drop_index(op.f('ix_insight_churn_models_trained_at'), table_name='insight_churn_models')
    op.drop_table('insight_churn_models')
    op.drop_table('insight_churn_events')
