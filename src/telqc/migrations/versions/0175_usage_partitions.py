"""insight_usage_months keyed by (customer, month, subscription), range-partitioned by month on PostgreSQL

Revision ID: 0175
Revises: 0173
Create Date: 2026-12-07 21:20:00

Issue 23 §1 asks for a provincial operator's volume: 10M subscriptions, one row each a month. On PostgreSQL the
table becomes a declaratively partitioned table, one partition per month (`insight_usage_months_YYYYMM`,
created for the stored months here and for new months by the loader, `insight.partitions`), so the churn and
profile queries, which ask for a few months, scan only those months' partitions, and an old month can be
detached or dropped as a whole. The surrogate id goes: a primary key of a partitioned table must contain the
partition key, and the natural key (customer, month, subscription) is the one every read and the import's
replace use, so a second 8-byte column and index per row bought nothing. SQLite keeps a plain table with the
same columns and key. The stored rows are copied over on both.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0175'
down_revision = '0173'
branch_labels = None
depends_on = None

TABLE = 'insight_usage_months'
VALUES = ['customer_id', 'subscription', 'month', 'data_mb', 'voice_min', 'sms', 'roaming_mb', 'broadband_mbps',
          'broadband_gb', 'home_devices', 'terminal_model', 'imported_at']


def _columns() -> list[sa.Column]:  # type: ignore[type-arg]
    return [
        sa.Column('customer_id', sa.Integer(), nullable=False),
        sa.Column('subscription', sa.String(length=20), nullable=False),
        sa.Column('month', sa.Date(), nullable=False),
        sa.Column('data_mb', sa.Integer(), nullable=False),
        sa.Column('voice_min', sa.Integer(), nullable=False),
        sa.Column('sms', sa.Integer(), nullable=False),
        sa.Column('roaming_mb', sa.Integer(), nullable=False),
        sa.Column('broadband_mbps', sa.Integer(), nullable=True),
        sa.Column('broadband_gb', sa.Integer(), nullable=True),
        sa.Column('home_devices', sa.Integer(), nullable=True),
        sa.Column('terminal_model', sa.String(length=60), nullable=True),
        sa.Column('imported_at', sa.DateTime(timezone=True), nullable=False),
    ]


def _checks() -> list[sa.Constraint]:
    return [
        sa.CheckConstraint('(broadband_mbps is null or broadband_mbps >= 0) and (broadband_gb is null or broadband_gb >= 0) and (home_devices is null or home_devices >= 0)', name=op.f('ck_insight_usage_months_home')),
        sa.CheckConstraint('data_mb >= 0 and voice_min >= 0 and sms >= 0 and roaming_mb >= 0', name=op.f('ck_insight_usage_months_usage')),
        sa.ForeignKeyConstraint(['customer_id'], ['customers.id'], name=op.f('fk_insight_usage_months_customer_id_customers'), ondelete='RESTRICT'),
    ]


def _is_pg() -> bool:
    return bool(op.get_bind().dialect.name == 'postgresql')


def _set_aside(suffix: str, constraints: list[str]) -> str:
    """Rename the table (and on PostgreSQL its index-backed constraints, whose index names are schema-wide)."""
    old = f'{TABLE}_{suffix}'
    op.rename_table(TABLE, old)
    if _is_pg():
        for name in constraints:
            op.execute(f'ALTER TABLE {old} RENAME CONSTRAINT {name} TO {name}_{suffix}')
    return old


def _copy(source: str, columns: list[str]) -> None:
    cols = ', '.join(columns)
    op.execute(f'INSERT INTO {TABLE} ({cols}) SELECT {cols} FROM {source}')
    op.drop_table(source)


def upgrade() -> None:
    old = _set_aside('0170', ['pk_insight_usage_months', 'uq_insight_usage_months_key'])
    op.create_table(TABLE, *_columns(), *_checks(),
                    sa.PrimaryKeyConstraint('customer_id', 'month', 'subscription', name=op.f('pk_insight_usage_months')),
                    postgresql_partition_by='RANGE (month)')
    if _is_pg():
        # the months already stored get their partitions (the same DDL as `insight.partitions.ensure`, frozen here)
        for (first,) in op.get_bind().execute(sa.text(
                f"SELECT DISTINCT date_trunc('month', month)::date FROM {old} ORDER BY 1")):
            after = first.replace(year=first.year + first.month // 12, month=first.month % 12 + 1)
            op.execute(f"CREATE TABLE {TABLE}_{first:%Y%m} PARTITION OF {TABLE} "
                       f"FOR VALUES FROM ('{first.isoformat()}') TO ('{after.isoformat()}')")
    _copy(old, VALUES)


def downgrade() -> None:
    new = _set_aside('0175', ['pk_insight_usage_months'])
    op.create_table(TABLE,
                    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
                    *_columns(), *_checks(),
                    sa.PrimaryKeyConstraint('id', name=op.f('pk_insight_usage_months')),
                    sa.UniqueConstraint('customer_id', 'subscription', 'month', name='uq_insight_usage_months_key'))
    _copy(new, VALUES)  # dropping the partitioned table drops its partitions
