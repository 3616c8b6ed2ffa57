"""audit entries record the key id of their HMAC (keyed chain)

Revision ID: 0005_audit
Revises: 0004
Create Date: 2027-01-10 09:00:00

From this revision on every new audit entry's hash is an HMAC-SHA256 under the first key of
TELQC_AUDIT_KEYS, and the entry names that key (`telqc.core.audit.entry_hash`). Rows chained before keep
their plain SHA-256 hash and get the key id "sha256": nothing is rewritten (the table is append-only, and
re-hashing history under a new key would bless whatever it held). They verify the old way only up to
TELQC_AUDIT_LEGACY_UNTIL, which the operator sets to the id this migration reports (an empty log: 0).
"""

from __future__ import annotations

import logging

import sqlalchemy as sa
from alembic import op

revision = '0005_audit'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column('audit_log', sa.Column('key_id', sa.String(length=32), nullable=False, server_default='sha256'))
    last = op.get_bind().execute(sa.text("SELECT max(id) FROM audit_log")).scalar()
    if last:
        logging.getLogger("alembic.runtime.migration").warning(
            "audit_log: rows 1..%s stay unkeyed (key id sha256); set TELQC_AUDIT_LEGACY_UNTIL=%s", last, last)


def downgrade() -> None:
    # Keyed rows no longer verify without their key id: the chain must be checked before downgrading.
    op.execute("ALTER TABLE audit_log DROP COLUMN key_id")
