"""incidents: the site (cell or broadband access point) of a subscription and of a complaint signal, so an
incident that lists sites reaches the customers on them rather than their whole district

Revision ID: 0072
Revises: 0071
Create Date: 2026-12-08 00:30:00.000000
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0072'
down_revision = '0071'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('customer_plans', schema=None) as batch_op:
        batch_op.add_column(sa.Column('site_id', sa.String(length=40), nullable=True))
        batch_op.create_index(batch_op.f('ix_customer_plans_site_id'), ['site_id'], unique=False)
    with op.batch_alter_table('incident_signals', schema=None) as batch_op:
        batch_op.add_column(sa.Column('site_id', sa.String(length=40), nullable=True))
        batch_op.create_index(batch_op.f('ix_incident_signals_site_id'), ['site_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('incident_signals', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_incident_signals_site_id'))
        batch_op.drop_column('site_id')
    with op.batch_alter_table('customer_plans', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_customer_plans_site_id'))
        batch_op.drop_column('site_id')
