"""metrics: rollup columns for the network incidents' KPIs (incidents opened, major ones, time to detect,
time to restore, orders linked); derived data, filled from new events (``metrics backfill`` refolds old facts)

Revision ID: 0032
Revises: 0031
Create Date: 2026-12-06 00:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0032'
down_revision = '0031'
branch_labels = None
depends_on = None

PARTS = ('inc_opened', 'inc_grave', 'inc_detect_n', 'inc_detect_sum', 'inc_restored', 'inc_restore_sum',
         'inc_linked')


def upgrade() -> None:
    with op.batch_alter_table('metrics_rollups') as b:
        for name in PARTS:
            b.add_column(sa.Column(name, sa.Float(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('metrics_rollups') as b:
        for name in PARTS:
            b.drop_column(name)
