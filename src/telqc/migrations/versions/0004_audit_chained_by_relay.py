"""audit entries chained after the commit by the relay, on every database

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-04 09:00:00

An entry is written to ``audit_pending`` with the change it describes and moved into the hash chain
(``audit_log``) after the commit by `telqc.core.audit.chain`, which the relay runs before each pass. So the
hash is computed in one place (Python, `entry_hash`) and no trigger of revision 0003 is needed; the table
must now survive a crash (LOGGED): it holds committed entries until they are chained.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER audit_pending_seal ON audit_pending")
        op.execute("DROP FUNCTION telqc_audit_seal()")
        op.execute("DROP INDEX ix_audit_pending_xact")
        op.execute("ALTER TABLE audit_pending DROP COLUMN xact, DROP COLUMN prefix")
        op.execute("ALTER TABLE audit_pending SET LOGGED")
        op.execute("ALTER TABLE audit_pending RENAME CONSTRAINT audit_pending_pkey TO pk_audit_pending")
        return
    op.create_table(
        'audit_pending',
        sa.Column('seq', sa.Integer(), nullable=False),
        sa.Column('at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('actor_id', sa.Integer(), nullable=True),
        sa.Column('actor', sa.String(length=80), nullable=False),
        sa.Column('action', sa.String(length=80), nullable=False),
        sa.Column('entity_type', sa.String(length=40), nullable=False),
        sa.Column('entity_id', sa.String(length=64), nullable=False),
        sa.Column('data', sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint('seq', name=op.f('pk_audit_pending')),
    )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        raise NotImplementedError("chain the pending entries (telqc audit verify), then restore revision 0003 by hand")
    op.drop_table('audit_pending')
