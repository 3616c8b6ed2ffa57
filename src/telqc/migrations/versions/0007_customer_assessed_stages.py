"""customers: the assessed lifecycle stages growing, mature and lapsed (insight tier and stage assessment)

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-07 02:10:00
"""

from __future__ import annotations

from alembic import op

revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None

OLD = "lifecycle in ('new','in_contract','contract_expiring','churn_risk')"
NEW = "lifecycle in ('new','in_contract','contract_expiring','churn_risk','growing','mature','lapsed')"


def upgrade() -> None:
    with op.batch_alter_table('customers', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_customers_lifecycle'), type_='check')
        batch_op.create_check_constraint(op.f('ck_customers_lifecycle'), NEW)


def downgrade() -> None:
    op.execute("UPDATE customers SET lifecycle = 'in_contract' WHERE lifecycle IN ('growing','mature','lapsed')")
    with op.batch_alter_table('customers', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_customers_lifecycle'), type_='check')
        batch_op.create_check_constraint(op.f('ck_customers_lifecycle'), OLD)
