"""Rows nobody reads back by id in the request (order history, outbox events, notifications, pauses, callback
tasks, links) queued in the session and written at COMMIT.

As ORM objects, such rows cost the unit of work an instance state, an identity-map entry and an INSERT … RETURNING
per flush. Queued as plain dicts they are written when the transaction commits, with its final flush, by the audit
writer (`telqc.core.audit`): on PostgreSQL as INSERTs in the one WITH that also appends the audit rows, carried by
the flush's UPDATE of the changed row (the rows they point at were written by earlier flushes), elsewhere as one
executemany per table. Until then a SELECT through the session writes them first, as autoflush does for added
objects, so the transaction always reads its own rows; a hot SELECT that reads no journaled table, or merges the
queued rows itself (`queued`), says so with the execution options `LEAVES_QUEUE` and the rows still go with the
commit. Savepoints are opened with `savepoint`, which writes the queue first, outside them (a plain
`begin_nested()` past queued rows is refused); inside one a row is written at once, so a rolled-back savepoint
takes it along as it would an added object. What is still queued when a transaction ends without committing is
dropped with it. A table declared `keyed` skips a row whose unique key exists already (ON CONFLICT DO NOTHING),
for rows that must be written once (notifications).
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from sqlalchemy import Table, event, text
from sqlalchemy.orm import ORMExecuteState, Session, SessionTransaction

_QUEUE = "telqc_journal"
LEAVES_QUEUE = {"telqc_leaves_journal": True}

Queued = dict[Table, list[dict[str, Any]]]
_KEYED: set[Table] = set()


def keyed(table: Table) -> Table:
    """Declare that a queued row repeating a unique key of `table` is skipped rather than refused."""
    _KEYED.add(table)
    return table


def add(session: Session, table: Table, row: dict[str, Any]) -> None:
    """Queue one row of an append-only table for this transaction (every row of a table has the same keys)."""
    if session.in_nested_transaction():
        session.execute(table.insert(), [row])
        return
    if not session.in_transaction():
        session.begin()  # so that a rollback, even before any statement, drops the row
    session.info.setdefault(_QUEUE, {}).setdefault(table, []).append(row)


def savepoint(session: Session) -> SessionTransaction:
    """`session.begin_nested()` where rows may be queued: they are written first, outside the savepoint, so
    rolling the savepoint back cannot take them along."""
    write(session)
    return session.begin_nested()


def take(session: Session) -> Queued | None:
    """The queued rows, now the caller's to write."""
    queued: Queued | None = session.info.pop(_QUEUE, None)
    return queued


def insert(session: Session, queued: Queued) -> None:
    """Write queued rows: on PostgreSQL in one statement, elsewhere one executemany per table."""
    if session.get_bind().dialect.name == "postgresql":
        ctes, params = pg_ctes(queued)
        session.execute(_pg_statement(tuple(ctes)), params)
        return
    from sqlalchemy.dialects.sqlite import insert as sqlite_insert

    for table, rows in queued.items():
        session.execute(sqlite_insert(table).on_conflict_do_nothing() if table in _KEYED else table.insert(), rows)


_PG_STATEMENTS: dict[tuple[str, ...], Any] = {}


def _pg_statement(ctes: tuple[str, ...]) -> Any:
    stmt = _PG_STATEMENTS.get(ctes)
    if stmt is None:
        stmt = _PG_STATEMENTS[ctes] = text("WITH " + ",".join(ctes) + "\nSELECT 1")
    return stmt


def pg_ctes(queued: Queued) -> tuple[list[str], dict[str, str]]:
    """PostgreSQL: the queued rows as data-modifying CTEs (``journal_0 AS (INSERT …)``) for a WITH, and their
    parameters, one JSON document per table; ids follow the order the rows were queued in."""
    ctes, params = [], {}
    for i, (table, rows) in enumerate(queued.items()):
        cols = ", ".join(f'"{c}"' for c in rows[0])  # quoted: a column may be named like a keyword ("end")
        ctes.append(f"""
journal_{i} AS (
    INSERT INTO {table.name} ({cols})
    SELECT {cols} FROM json_populate_recordset(NULL::{table.name}, CAST(:journal_{i} AS json)) WITH ORDINALITY
    ORDER BY ordinality{" ON CONFLICT DO NOTHING" if table in _KEYED else ""}
)""")
        params[f"journal_{i}"] = json.dumps(rows, ensure_ascii=False, default=_json_value)
    return ctes, params


def _json_value(v: object) -> str:
    if isinstance(v, datetime):
        if v.tzinfo is None:
            raise ValueError("naive datetime refused: use timezone-aware values")
        return v.isoformat()
    raise TypeError(f"{type(v).__name__} is not a journal value")


def queued(session: Session, table: Table) -> list[dict[str, Any]]:
    """Rows of `table` queued in this transaction and not yet written."""
    return list(session.info.get(_QUEUE, {}).get(table, ()))


def write(session: Session) -> None:
    """Write every queued row now (one statement per table)."""
    if queued := take(session):
        session.flush()
        insert(session, queued)


@event.listens_for(Session, "do_orm_execute")
def _before_read(state: ORMExecuteState) -> None:
    if state.is_select and _QUEUE in state.session.info and not state.execution_options.get(
            "telqc_leaves_journal"):
        write(state.session)


@event.listens_for(Session, "after_transaction_create")
def _no_queue_across_savepoints(session: Session, transaction: SessionTransaction) -> None:
    if transaction.nested and session.info.get(_QUEUE):
        raise RuntimeError("journal rows are queued: open the savepoint with journal.savepoint(session)")


@event.listens_for(Session, "after_transaction_end")
def _drop(session: Session, transaction: SessionTransaction) -> None:
    if transaction.parent is None:  # the outermost transaction: committed (queue written) or rolled back
        session.info.pop(_QUEUE, None)


from telqc.core import audit as _audit  # noqa: E402,F401  (its before_commit listener writes the queue)
