"""workforce: short breaks (小休) in shift templates and rostered shifts

Revision ID: 0087
Revises: 0086
Create Date: 2026-12-08 00:30:00

`wfm_shift_templates.break_min` with its placement window (`break_earliest_min`..`break_latest_min` after the
shift's start, on the 30-minute grid; existing templates get no break) and, per rostered shift, where the
optimiser put it (`wfm_roster_shifts.break_start_min`, null on shifts without one, and `break_min`).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0087'
down_revision = '0086'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('wfm_shift_templates', schema=None) as batch_op:
        batch_op.add_column(sa.Column('break_min', sa.Integer(), nullable=False, server_default='0'))
        batch_op.add_column(sa.Column('break_earliest_min', sa.Integer(), nullable=False, server_default='0'))
        batch_op.add_column(sa.Column('break_latest_min', sa.Integer(), nullable=False, server_default='0'))
        batch_op.create_check_constraint(
            op.f('ck_wfm_shift_templates_break'),
            'break_min between 0 and 30 and break_earliest_min % 30 = 0 and break_latest_min % 30 = 0 '
            'and break_earliest_min <= break_latest_min')
    with op.batch_alter_table('wfm_roster_shifts', schema=None) as batch_op:
        batch_op.add_column(sa.Column('break_start_min', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('break_min', sa.Integer(), nullable=False, server_default='0'))


def downgrade() -> None:
    with op.batch_alter_table('wfm_roster_shifts', schema=None) as batch_op:
        batch_op.drop_column('break_min')
        batch_op.drop_column('break_start_min')
    with op.batch_alter_table('wfm_shift_templates', schema=None) as batch_op:
        batch_op.drop_constraint('ck_wfm_shift_templates_break', type_='check')
        batch_op.drop_column('break_latest_min')
        batch_op.drop_column('break_earliest_min')
        batch_op.drop_column('break_min')
