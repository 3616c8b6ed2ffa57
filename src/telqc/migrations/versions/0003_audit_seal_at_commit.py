"""audit rows chained at commit (PostgreSQL)

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-03 07:30:00

A transaction's audit rows wait in ``audit_pending`` (UNLOGGED: they never outlive their transaction, so a
crash loses nothing committed) and a deferred constraint trigger chains them into ``audit_log`` inside
the COMMIT. The lock on ``audit_head`` that orders the chain is then held from that trigger to the end
of the commit, no longer across the client's round trip from its last statement to its COMMIT, which
under load had every audited write waiting on the one before (see ``telqc.core.audit``). SQLite is
untouched: the whole database is locked for a write transaction there, and the chain is built in Python.
"""

from __future__ import annotations

from alembic import op

revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None

# The hash is exactly `telqc.core.audit.entry_hash`: sha256 over prefix || id || ',"prev":"' || prev || '"}'
# (the prefix is the canonical JSON of the row up to its id, computed by the application).
_SEAL = """
CREATE FUNCTION telqc_audit_seal() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    head_id bigint;
    head_hash text;
BEGIN
    -- one firing per pending row: the first chains all of its transaction's rows, the others find theirs gone
    PERFORM 1 FROM audit_pending WHERE seq = NEW.seq;
    IF NOT FOUND THEN
        RETURN NULL;
    END IF;
    -- a statement of its own: the wait for the lock, and the re-check after it, involve this row only
    SELECT last_id, last_hash INTO head_id, head_hash FROM audit_head WHERE id = 1 FOR UPDATE;
    -- a new statement, so a new snapshot: the head read above is the latest, and nothing else can move it
    WITH RECURSIVE input AS (
        SELECT row_number() OVER (ORDER BY p.seq) AS n, p.*
        FROM audit_pending p WHERE p.xact = NEW.xact
    ), chain AS (
        SELECT i.n, head_id + 1 AS id, head_hash AS prev_hash,
               encode(sha256(convert_to(i.prefix || (head_id + 1) || ',"prev":"' || head_hash || '"}', 'UTF8')),
                      'hex') AS hash
        FROM input i WHERE i.n = 1
        UNION ALL
        SELECT i.n, c.id + 1, c.hash,
               encode(sha256(convert_to(i.prefix || (c.id + 1) || ',"prev":"' || c.hash || '"}', 'UTF8')), 'hex')
        FROM chain c JOIN input i ON i.n = c.n + 1
    ), appended AS (
        INSERT INTO audit_log (id, at, actor_id, actor, action, entity_type, entity_id, data, prev_hash, hash)
        SELECT c.id, i.at, i.actor_id, i.actor, i.action, i.entity_type, i.entity_id, i.data, c.prev_hash, c.hash
        FROM chain c JOIN input i USING (n)
    ), cleared AS (
        DELETE FROM audit_pending WHERE xact = NEW.xact
    )
    UPDATE audit_head SET last_id = last.id, last_hash = last.hash
    FROM (SELECT id, hash FROM chain ORDER BY n DESC LIMIT 1) AS last
    WHERE audit_head.id = 1;
    RETURN NULL;
END $$
"""


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("""
        CREATE UNLOGGED TABLE audit_pending (
            seq bigserial PRIMARY KEY,
            xact xid8 NOT NULL DEFAULT pg_current_xact_id(),
            prefix text NOT NULL,
            at timestamptz NOT NULL,
            actor_id integer,
            actor varchar(80) NOT NULL,
            action varchar(80) NOT NULL,
            entity_type varchar(40) NOT NULL,
            entity_id varchar(64) NOT NULL,
            data text NOT NULL
        )""")
    op.execute("CREATE INDEX ix_audit_pending_xact ON audit_pending (xact)")
    op.execute(_SEAL)
    op.execute("CREATE CONSTRAINT TRIGGER audit_pending_seal AFTER INSERT ON audit_pending "
               "DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION telqc_audit_seal()")


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("DROP TABLE audit_pending")
    op.execute("DROP FUNCTION telqc_audit_seal()")
