"""orders: the severity the reporter gave (TMF621 ``severity``), else the category's default

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-07 12:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('orders', schema=None) as batch_op:
        batch_op.add_column(sa.Column('severity', sa.Integer(), server_default='3', nullable=False))
        batch_op.create_check_constraint(op.f('ck_orders_severity'), 'severity between 1 and 4')
    # existing orders were opened at their category's severity
    op.execute("UPDATE orders SET severity = (SELECT c.severity FROM order_categories c"
               " WHERE c.code = orders.category_code)")


def downgrade() -> None:
    with op.batch_alter_table('orders', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_orders_severity'), type_='check')
        batch_op.drop_column('severity')
