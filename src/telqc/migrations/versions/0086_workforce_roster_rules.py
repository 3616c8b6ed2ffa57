"""workforce: days in a row per person, a roster's dropped and re-timed shifts

Revision ID: 0086
Revises: 0085
Create Date: 2026-12-07 12:00:00

`wfm_staff.max_consecutive_days` (the labour rule of at most 6 days worked in a row, per person like the weekly
allowance; existing staff get 6) and `wfm_rosters.unplaced` (the shifts the optimiser planned but could not
give anyone as planned: null on rosters built before).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0086'
down_revision = '0085'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('wfm_staff', schema=None) as batch_op:
        batch_op.add_column(sa.Column('max_consecutive_days', sa.Integer(), nullable=False, server_default='6'))
        batch_op.create_check_constraint(op.f('ck_wfm_staff_max_consecutive'), 'max_consecutive_days between 1 and 13')
    with op.batch_alter_table('wfm_rosters', schema=None) as batch_op:
        batch_op.add_column(sa.Column('unplaced', sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('wfm_rosters', schema=None) as batch_op:
        batch_op.drop_column('unplaced')
    with op.batch_alter_table('wfm_staff', schema=None) as batch_op:
        batch_op.drop_constraint('ck_wfm_staff_max_consecutive', type_='check')
        batch_op.drop_column('max_consecutive_days')
