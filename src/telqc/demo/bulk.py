"""Bulk loading for generated data: COPY on PostgreSQL, executemany on SQLite.

The ORM's per-row parameter processing costs more than the database itself at this
volume, so values are converted once here, using the same column types' rules:
personal data is encrypted, timestamps are UTC, JSON is serialized.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, date, datetime
from typing import Any

import psycopg
from psycopg.copy import QueuedLibpqWriter
from sqlalchemy import JSON, Boolean, Date, Table
from sqlalchemy.orm import Session

from telqc.core import pii
from telqc.core.db import UTCDateTime
from telqc.core.pii import EncryptedText

Convert = Callable[[Any], Any]


def _identity(v: Any) -> Any:
    return v


def _converter(col_type: Any, sqlite: bool) -> Convert:
    if isinstance(col_type, EncryptedText):
        return lambda v: None if v is None else pii.encrypt(v)
    if isinstance(col_type, JSON):
        return lambda v: None if v is None else json.dumps(v, ensure_ascii=False)
    if sqlite:
        if isinstance(col_type, UTCDateTime):
            return lambda v: None if v is None else v.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")
        if isinstance(col_type, Date):
            return lambda v: None if v is None else (v.isoformat() if isinstance(v, date) else v)
        if isinstance(col_type, Boolean):
            return lambda v: None if v is None else int(v)
    elif isinstance(col_type, UTCDateTime):
        return lambda v: None if v is None else (v if isinstance(v, datetime) and v.tzinfo else None)
    return _identity


class BulkWriter:
    """Writes rows (dicts keyed by column name) into one table as fast as the driver allows."""

    def __init__(self, session: Session, table: Table, columns: Sequence[str]) -> None:
        self.session = session
        self.table = table
        self.columns = list(columns)
        self.sqlite = session.get_bind().dialect.name == "sqlite"
        convert = [(name, _converter(table.c[name].type, self.sqlite)) for name in self.columns]
        self.convert = [(name, f) for name, f in convert if f is not _identity]

    def write(self, rows: Sequence[dict[str, Any]]) -> None:
        if not rows:
            return
        cols, convert = self.columns, self.convert
        tuples = []
        for r in rows:
            for name, f in convert:
                r[name] = f(r[name])
            tuples.append(tuple(map(r.__getitem__, cols)))
        self.write_tuples(tuples)

    @contextmanager
    def stream(self) -> Iterator[Callable[[Sequence[dict[str, Any]]], None]]:
        """One COPY across many batches: on PostgreSQL a background thread sends what is written, so the
        server loads one batch while the next is generated (two cores at work instead of one)."""
        if self.sqlite:
            yield self.write
            return
        raw = self._pg_connection()
        cols, convert = self.columns, self.convert
        with raw.cursor() as cur, cur.copy(f"COPY {self.table.name} ({', '.join(cols)}) FROM STDIN",
                                           writer=QueuedLibpqWriter(cur)) as copy:
            def put(rows: Sequence[dict[str, Any]]) -> None:
                for r in rows:
                    for name, f in convert:
                        r[name] = f(r[name])
                    copy.write_row(tuple(map(r.__getitem__, cols)))

            yield put

    def _pg_connection(self) -> psycopg.Connection[Any]:
        raw = self.session.connection().connection.dbapi_connection
        assert isinstance(raw, psycopg.Connection)
        return raw

    def write_tuples(self, tuples: Sequence[tuple[Any, ...]]) -> None:
        raw = self.session.connection().connection.dbapi_connection
        assert raw is not None
        cols = ", ".join(self.columns)
        if self.sqlite:
            marks = ", ".join("?" * len(self.columns))
            raw.cursor().executemany(f"INSERT INTO {self.table.name} ({cols}) VALUES ({marks})", tuples)
            return
        with self._pg_connection().cursor() as cur, cur.copy(f"COPY {self.table.name} ({cols}) FROM STDIN") as copy:
            for t in tuples:
                copy.write_row(t)
