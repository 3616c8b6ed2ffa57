"""Append-only, hash-chained audit log.

Services call :func:`record`; the rows are chained as the transaction commits, under a lock on the
single ``audit_head`` row, so the chain order equals commit order and the lock is held only for the
final instant (on PostgreSQL inside the COMMIT itself, see ``_AUDIT_CTES``).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, Connection, Engine, Integer, String, Text, event, select, text
from sqlalchemy.orm import Mapped, Session, SessionTransaction, mapped_column

from telqc.core import journal
from telqc.core.db import Base, UTCDateTime

GENESIS = "0" * 64
_PENDING = "telqc_audit_pending"


class AuditEntry(Base):
    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime())
    actor_id: Mapped[int | None] = mapped_column(Integer)
    actor: Mapped[str] = mapped_column(String(80))
    action: Mapped[str] = mapped_column(String(80), index=True)
    entity_type: Mapped[str] = mapped_column(String(40))
    entity_id: Mapped[str] = mapped_column(String(64))
    data: Mapped[str] = mapped_column(Text)
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))


class AuditHead(Base):
    """The last link of the chain: deleting the newest rows is detected against it."""

    __tablename__ = "audit_head"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    last_id: Mapped[int] = mapped_column(BigInteger)
    last_hash: Mapped[str] = mapped_column(String(64))


@dataclass(frozen=True)
class Actor:
    id: int | None
    name: str

    @classmethod
    def system(cls) -> Actor:
        return cls(None, "system")


def canonical(data: dict[str, Any]) -> str:
    return json.dumps(data, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str)


def entry_hash(
    *, id: int, at: datetime, actor_id: int | None, actor: str, action: str,
    entity_type: str, entity_id: str, data: str, prev_hash: str,
) -> str:
    body = canonical(
        {
            "id": id, "at": at.isoformat(), "actor_id": actor_id, "actor": actor, "action": action,
            "entity_type": entity_type, "entity_id": entity_id, "data": data, "prev": prev_hash,
        }
    )
    return hashlib.sha256(body.encode()).hexdigest()


def record(
    session: Session, actor: Actor, action: str, entity_type: str, entity_id: object,
    at: datetime, data: dict[str, Any] | None = None,
) -> None:
    """Queue an audit row; it is written in the same transaction as the change it describes."""
    if not session.in_transaction():
        session.begin()  # so that a rollback, even before any statement, drops the row
    session.info.setdefault(_PENDING, []).append(
        (at, actor, action, entity_type, str(entity_id), canonical(data or {}))
    )


_ID_TAIL = '0,"prev":""}'


def hash_prefix(*, at: datetime, actor_id: int | None, actor: str, action: str, entity_type: str,
                entity_id: str, data: str) -> str:
    """The text `entry_hash` hashes, up to the id: the rest is ``<id>,"prev":"<prev_hash>"}``.

    "id" and "prev" sort after every other key, so a row's hash input is this prefix, its id and its
    predecessor's hash: what PostgreSQL needs to chain rows itself (see `_AUDIT_CTES`)."""
    body = canonical(
        {
            "id": 0, "at": at.isoformat(), "actor_id": actor_id, "actor": actor, "action": action,
            "entity_type": entity_type, "entity_id": entity_id, "data": data, "prev": "",
        }
    )
    assert body.endswith(_ID_TAIL), body
    return body[: -len(_ID_TAIL)]


# On PostgreSQL the rows are not chained by the transaction's statements: they wait in audit_pending
# (migration 0003), and a deferred constraint trigger chains them into audit_log inside the COMMIT, under
# a lock on audit_head (sha256 over prefix || id || prev, exactly `entry_hash`). The lock that orders
# every audited write in the installation is then held from that trigger to the end of the commit. Taken
# by a statement, it was held across the client's round trip to its COMMIT as well (with the GIL to win
# back in a busy API process): under load every audited write waited on the one before. The CTE names
# start with audit_ so that, prefixed to another statement (`_carry`), they shadow none of its tables.
_AUDIT_CTES = ("""
audit_queued AS (
    INSERT INTO audit_pending (prefix, at, actor_id, actor, action, entity_type, entity_id, data)
    SELECT prefix, at, actor_id, actor, action, entity_type, entity_id, data
    FROM json_to_recordset(CAST(:audit_rows AS json))
        AS t(n int, prefix text, at timestamptz, actor_id int, actor text, action text, entity_type text,
             entity_id text, data text)
    ORDER BY n
)""",)
"""The rows travel as one JSON document: one text parameter costs the driver far less to send than nine
arrays, and ISO timestamps read back as the same instants `entry_hash` saw. The transaction's queued
journal rows (`telqc.core.journal`) ride along as further INSERTs in the same WITH."""

_CARRY = "telqc_commit_carry"  # Connection.info: the commit's CTEs, waiting for the final flush's first UPDATE
_DRIVER_SQL: dict[tuple[str, ...], str] = {}


def _driver_sql(ctes: tuple[str, ...], dialect: Any) -> str:
    """The CTE list with the driver's placeholders (compiled once per shape)."""
    sql = _DRIVER_SQL.get(ctes)
    if sql is None:
        sql = _DRIVER_SQL[ctes] = "WITH " + text(",".join(ctes)).compile(dialect=dialect).string
    return sql


@event.listens_for(Session, "before_commit")
def _write_pending(session: Session) -> None:
    """The transaction's last writes: queued journal rows, then the audit rows that chain it.

    On PostgreSQL they are one WITH of INSERTs (the audit rows into audit_pending, chained by the COMMIT).
    The final flush usually UPDATEs the changed row (an order's new status): that UPDATE carries the WITH
    (`_carry`), so the commit costs one statement; a flush with no UPDATE leaves it to run alone."""
    pending = session.info.pop(_PENDING, None)
    queued = journal.take(session)
    if not pending and not queued:
        return
    connection = session.connection()
    if connection.dialect.name != "postgresql":
        session.flush()
        if queued:
            journal.insert(session, queued)
        if pending:
            _append(session, pending)
        return
    ctes, params = journal.pg_ctes(queued or {})
    if pending:
        ctes = [*_AUDIT_CTES, *ctes]
        params["audit_rows"] = _pg_rows(pending)
    sql = _driver_sql(tuple(ctes), connection.dialect)
    connection.info[_CARRY] = (sql, params)
    try:
        session.flush()
    finally:
        left = connection.info.pop(_CARRY, None)
    if left is not None:
        connection.exec_driver_sql(sql + "\nSELECT 1", params)


@event.listens_for(Engine, "before_cursor_execute", retval=True)
def _carry(conn: Connection, cursor: Any, statement: str, parameters: Any, context: Any,
           executemany: bool) -> tuple[str, Any]:
    """Prefix the commit's WITH to the first single-row UPDATE of the final flush (see `_write_pending`).

    The UPDATE stays the statement proper: its row count, which the ORM's version check reads, is its own."""
    if executemany or not statement.startswith("UPDATE ") or not isinstance(parameters, dict):
        return statement, parameters
    carry = conn.info.pop(_CARRY, None)
    if carry is None:
        return statement, parameters
    sql, params = carry
    return f"{sql}\n{statement}", {**parameters, **params}


def _pg_rows(pending: list[tuple[Any, ...]]) -> str:
    rows = []
    for n, (at, actor, action, etype, eid, data) in enumerate(pending, 1):
        if at.tzinfo is None:
            raise ValueError("naive datetime refused: use timezone-aware values")
        values = {"at": at, "actor_id": actor.id, "actor": actor.name, "action": action, "entity_type": etype,
                  "entity_id": eid, "data": data}
        rows.append({**values, "n": n, "at": at.isoformat(), "prefix": hash_prefix(**values)})
    return json.dumps(rows, ensure_ascii=False)


def _append(session: Session, pending: list[tuple[Any, ...]]) -> None:
    """Chain in Python: three statements under the lock (SQLite: the whole database is already locked)."""
    head = AuditHead.__table__
    last_id, last_hash = session.execute(
        head.update().where(head.c.id == 1).values(last_id=head.c.last_id + len(pending))
        .returning(head.c.last_id, head.c.last_hash)
    ).one()
    last_id -= len(pending)
    rows = []
    for at, actor, action, etype, eid, data in pending:
        last_id += 1
        h = entry_hash(
            id=last_id, at=at, actor_id=actor.id, actor=actor.name, action=action,
            entity_type=etype, entity_id=eid, data=data, prev_hash=last_hash,
        )
        rows.append(
            {"id": last_id, "at": at, "actor_id": actor.id, "actor": actor.name, "action": action,
             "entity_type": etype, "entity_id": eid, "data": data, "prev_hash": last_hash, "hash": h}
        )
        last_hash = h
    session.execute(AuditEntry.__table__.insert(), rows)
    session.execute(head.update().where(head.c.id == 1).values(last_hash=last_hash))


_MARKS = "telqc_audit_savepoints"  # session.info: savepoint -> how many rows were pending when it began


@event.listens_for(Session, "after_transaction_create")
def _mark_savepoint(session: Session, transaction: SessionTransaction) -> None:
    if transaction.nested:
        session.info.setdefault(_MARKS, {})[transaction] = len(session.info.get(_PENDING, ()))


@event.listens_for(Session, "after_soft_rollback")
def _drop_pending(session: Session, previous_transaction: SessionTransaction) -> None:
    """A rolled-back savepoint drops the rows recorded inside it; a rolled-back transaction drops them all."""
    if previous_transaction.nested:
        mark = session.info.get(_MARKS, {}).pop(previous_transaction, None)
        if mark is not None and _PENDING in session.info:
            del session.info[_PENDING][mark:]
    elif previous_transaction.parent is None:
        session.info.pop(_PENDING, None)


@event.listens_for(Session, "after_transaction_end")
def _forget_savepoints(session: Session, transaction: SessionTransaction) -> None:
    if transaction.parent is None:
        session.info.pop(_MARKS, None)


@dataclass(frozen=True)
class VerifyResult:
    ok: bool
    checked: int
    bad_id: int | None = None
    reason: str = ""


def _rows(session: Session, batch: int = 5000) -> Iterator[AuditEntry]:
    after = 0
    while True:
        chunk = session.scalars(
            select(AuditEntry).where(AuditEntry.id > after).order_by(AuditEntry.id).limit(batch)
        ).all()
        if not chunk:
            return
        yield from chunk
        after = chunk[-1].id


def verify(session: Session) -> VerifyResult:
    """Walk the chain; name the first row whose content, link or position is wrong."""
    prev_id, prev_hash, n = 0, GENESIS, 0
    for row in _rows(session):
        n += 1
        if row.id != prev_id + 1:
            return VerifyResult(False, n, row.id, f"row(s) {prev_id + 1}..{row.id - 1} missing before row {row.id}")
        if row.prev_hash != prev_hash:
            return VerifyResult(False, n, row.id, f"row {row.id} does not link to row {prev_id}")
        expected = entry_hash(
            id=row.id, at=row.at, actor_id=row.actor_id, actor=row.actor, action=row.action,
            entity_type=row.entity_type, entity_id=row.entity_id, data=row.data, prev_hash=row.prev_hash,
        )
        if expected != row.hash:
            return VerifyResult(False, n, row.id, f"row {row.id} content does not match its hash")
        prev_id, prev_hash = row.id, row.hash
    head = session.get(AuditHead, 1)
    if head is not None and (head.last_id != prev_id or head.last_hash != prev_hash):
        return VerifyResult(False, n, prev_id + 1, f"rows after {prev_id} missing (head is at {head.last_id})")
    return VerifyResult(True, n)
