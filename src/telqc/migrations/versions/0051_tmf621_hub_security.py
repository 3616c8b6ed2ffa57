"""tmf621 hub security: per-subscription signing secret, ids never reused, dead letters

Revision ID: 0051
Revises: 0050
Create Date: 2026-12-04 21:00:00

On SQLite a table gets AUTOINCREMENT (ids never reused) only by being recreated. Recreating
``tmf_subscriptions`` drops the old table, and with foreign keys on (they are, and a migration's
transaction cannot turn them off) that deletes every delivery by ON DELETE CASCADE: the deliveries are
kept aside and put back. PostgreSQL's sequences never reuse an id already.
"""

from __future__ import annotations

from typing import Literal

import sqlalchemy as sa
from alembic import op

revision = '0051'
down_revision = '0050'
branch_labels = None
depends_on = None

_KEEP = "_tmf_deliveries_0051"
_COLUMNS = ("id, subscription_id, event_id, event_type, body, status, attempts, next_attempt_at, delivered_at, "
            "last_error")


def _sqlite() -> bool:
    return op.get_bind().dialect.name == "sqlite"


def _recreate(sqlite: bool) -> Literal["always", "auto"]:
    return "always" if sqlite else "auto"


def upgrade() -> None:
    sqlite = _sqlite()
    recreate = _recreate(sqlite)
    if sqlite:
        op.execute(f"CREATE TABLE {_KEEP} AS SELECT * FROM tmf_deliveries")
    with op.batch_alter_table("tmf_subscriptions", recreate=recreate,
                              table_kwargs={"sqlite_autoincrement": True}) as batch_op:
        batch_op.add_column(sa.Column("secret", sa.Text(), nullable=True))
    if sqlite:
        op.execute("DELETE FROM tmf_deliveries")
    else:
        op.execute("UPDATE tmf_deliveries SET status = 'dead' WHERE status = 'failed'")
    with op.batch_alter_table("tmf_deliveries", recreate=recreate,
                              table_kwargs={"sqlite_autoincrement": True}) as batch_op:
        batch_op.add_column(sa.Column("last_attempt_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.create_check_constraint(op.f("ck_tmf_deliveries_status"), "status IN ('pending', 'delivered', 'dead')")
    if sqlite:
        dead = _COLUMNS.replace("status", "CASE status WHEN 'failed' THEN 'dead' ELSE status END")
        op.execute(f"INSERT INTO tmf_deliveries ({_COLUMNS}) SELECT {dead} FROM {_KEEP}")
        op.execute(f"DROP TABLE {_KEEP}")


def downgrade() -> None:
    sqlite = _sqlite()
    recreate = _recreate(sqlite)
    if sqlite:
        op.execute(f"CREATE TABLE {_KEEP} AS SELECT * FROM tmf_deliveries")
        op.execute("DELETE FROM tmf_deliveries")
    with op.batch_alter_table("tmf_deliveries", recreate=recreate) as batch_op:
        batch_op.drop_constraint(op.f("ck_tmf_deliveries_status"), type_="check")
        batch_op.drop_column("last_attempt_at")
    with op.batch_alter_table("tmf_subscriptions", recreate=recreate) as batch_op:
        batch_op.drop_column("secret")
    if sqlite:
        op.execute(f"INSERT INTO tmf_deliveries ({_COLUMNS}) SELECT {_COLUMNS} FROM {_KEEP}")
        op.execute(f"DROP TABLE {_KEEP}")
    op.execute("UPDATE tmf_deliveries SET status = 'failed' WHERE status = 'dead'")
