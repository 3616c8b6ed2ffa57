"""The unit of work: one transaction of a request, a job or a command, and the rows it only appends.

A service changes ORM objects through ``uow.session`` as SQLAlchemy documents it: ``add``, ``flush``,
``begin_nested`` and autoflush behave as usual, and nothing here reacts to them. Rows the transaction
appends and does not read back (order history, outbox events, notifications, audit entries) are
collected by explicit calls, ``uow.add(table, row)``, and written by ``commit()``:

- on PostgreSQL as one statement, a WITH of one ``INSERT … SELECT … FROM json_to_recordset(…)`` per
  table with the rows of each table as one JSON parameter;
- elsewhere (SQLite) as one executemany per table.

Why collect them: as ORM objects such rows would cost an instance state, an identity-map entry and an
``INSERT … RETURNING`` each. A status change writes history, audit and outbox rows; collected, they
cost the commit one statement. (Session 5: 33 → 24 statements and 60 → 49 M instructions per order,
docs/BENCHMARKS.md.)

What a reader can rely on:

- collected rows are written by ``commit()`` or by an explicit ``flush()`` — never by a read. A
  transaction that must read such a row back merges ``pending(table)`` or calls ``flush()`` first;
- inside a savepoint (``session.begin_nested()``) ``add`` writes the row at once, so rolling the
  savepoint back takes the row along, exactly as it takes added objects along;
- ``rollback()`` drops what is collected, and so does closing without a commit;
- ``commit()`` answers the tables it wrote rows to, so the caller can wake the relay after the commit,
  and then calls what was registered with ``on_commit``.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import (
    Executable,
    Integer,
    Select,
    Table,
    Text,
    bindparam,
    cast,
    column,
    func,
    insert,
    literal_column,
    select,
)
from sqlalchemy.dialects.postgresql import JSON
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import Session, sessionmaker

Row = dict[str, Any]


@dataclass
class _Rows:
    """The collected rows of one table; `once`: a row repeating a unique key of the table is skipped."""

    once: bool
    rows: list[Row] = field(default_factory=list)


class UnitOfWork:
    """One transaction: the session, the rows it appends, and one commit."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self._collected: dict[Table, _Rows] = {}
        self._on_commit: list[Callable[[], None]] = []
        self.closed = False

    def add(self, table: Table, row: Row) -> None:
        """Append one row to `table` with the commit (every row of a table has the same keys)."""
        self._add(table, row, once=False)

    def add_once(self, table: Table, row: Row) -> None:
        """Like `add`, but a row whose unique key is already in the table is skipped (ON CONFLICT DO
        NOTHING): for rows that must exist once however often their cause is replayed (notifications)."""
        self._add(table, row, once=True)

    def _add(self, table: Table, row: Row, *, once: bool) -> None:
        if self.session.in_nested_transaction():
            self.session.flush()  # the rows it points at
            self.session.execute(_insert(self.session, table, once), [row])
            return
        rows = self._collected.setdefault(table, _Rows(once))
        if rows.once != once:
            raise ValueError(f"{table.name}: rows are added with add() or with add_once(), not both")
        rows.rows.append(row)

    def on_commit(self, fn: Callable[[], None]) -> None:
        """Call `fn` after the next successful commit (e.g. to forget a process cache of what was written)."""
        self._on_commit.append(fn)

    def pending(self, table: Table) -> list[Row]:
        """The rows of `table` collected and not yet written: the rows themselves, which the transaction may
        still change before they are written (a pause opened and closed in one transaction)."""
        rows = self._collected.get(table)
        return list(rows.rows) if rows else []

    def flush(self) -> frozenset[str]:
        """Flush the session, then write the collected rows (they point at rows the flush writes)."""
        self.session.flush()
        if self._collected and self.session.in_nested_transaction():
            # they belong to the enclosing transaction: written here, a rollback of the savepoint would lose them
            raise RuntimeError("rows were collected before this savepoint: call uow.flush() before begin_nested()")
        collected, self._collected = self._collected, {}
        if collected:
            dialect = self.session.get_bind().dialect
            if dialect.name == "postgresql":
                sql, params = _pg_statement(collected, dialect)
                self.session.connection().exec_driver_sql(sql, params)
            else:
                for table, rows in collected.items():
                    self.session.execute(_insert(self.session, table, rows.once), rows.rows)
        return frozenset(t.name for t in collected)

    def commit(self) -> frozenset[str]:
        """Write everything and commit; answers the names of the tables that got collected rows."""
        written = self.flush()
        self.session.commit()
        done, self._on_commit = self._on_commit, []
        for fn in done:
            fn()
        return written

    def rollback(self) -> None:
        self._collected, self._on_commit = {}, []
        self.session.rollback()

    def close(self) -> None:
        """End the unit: what was not committed is rolled back with the session."""
        self._collected, self._on_commit = {}, []
        self.session.close()
        self.closed = True


@contextmanager
def transaction(factory: sessionmaker[Session]) -> Iterator[UnitOfWork]:
    """The commit boundary of a command or a job: commit on success, roll back on any error."""
    uow = UnitOfWork(factory())
    try:
        yield uow
        uow.commit()
    except BaseException:
        uow.rollback()
        raise
    finally:
        uow.close()


def _insert(session: Session, table: Table, once: bool) -> Executable:
    if not once:
        return insert(table)
    if session.get_bind().dialect.name == "postgresql":
        return pg_insert(table).on_conflict_do_nothing()
    return sqlite_insert(table).on_conflict_do_nothing()


# One statement per shape (which tables, which columns, which skip duplicates), built with SQLAlchemy Core
# and compiled once; its SQL is then run as is. Executed as a Core statement, SQLAlchemy would compute the
# WITH's cache key on every commit: 178 against 134 µs per commit of three tables (`exec_driver_sql`,
# measured on this machine's PostgreSQL 15, 500 runs each).
_PG_SQL: dict[tuple[tuple[str, tuple[str, ...], bool], ...], str] = {}


def _pg_statement(collected: dict[Table, _Rows], dialect: Dialect) -> tuple[str, dict[str, str]]:
    """PostgreSQL: the collected rows as one WITH of INSERTs, and its parameters (one JSON text per table).

    Each table's rows carry their position `n` and are inserted in that order, so ids follow the order the
    rows were added in (history rows of the same instant keep their order on the timeline)."""
    shape = tuple((t.name, tuple(r.rows[0]), r.once) for t, r in collected.items())
    params = {f"rows_{i}": json.dumps([{**row, "n": n} for n, row in enumerate(r.rows)], ensure_ascii=False,
                                      default=_json_value)
              for i, r in enumerate(collected.values())}
    sql = _PG_SQL.get(shape)
    if sql is None:
        ctes = []
        for i, (table, rows) in enumerate(collected.items()):
            names = list(rows.rows[0])
            source = (func.json_to_recordset(cast(bindparam(f"rows_{i}", type_=Text), JSON))
                      .table_valued(*(column(n, table.c[n].type) for n in names), column("n", Integer))
                      .render_derived(name=f"src_{i}", with_types=True))
            ins = pg_insert(table).from_select(names, select(*(source.c[n] for n in names)).order_by(source.c.n))
            ctes.append((ins.on_conflict_do_nothing() if rows.once else ins).cte(f"rows_{i}"))
        statement: Select[Any] = select(literal_column("1")).add_cte(*ctes)
        sql = _PG_SQL[shape] = str(statement.compile(dialect=dialect))
    return sql, params


def _json_value(v: object) -> str:
    if isinstance(v, datetime):
        if v.tzinfo is None:
            raise ValueError("naive datetime refused: use timezone-aware values")
        return v.isoformat()
    raise TypeError(f"{type(v).__name__} is not a value of a collected row")
