"""Fast paths for the few statements metrics runs at volume (live batches, rebuilds, dashboard reads).

On PostgreSQL a long list travels as one array parameter rather than thousands of binds, and
bulk reads come back in binary (no float or timestamp formatted as text and parsed again; a
float8[] lands in numpy without a Python object per element); SQLite takes the plain
SQLAlchemy path. Statements are built by the caller; shapes that repeat are compiled once.
"""

from __future__ import annotations

import struct
from collections.abc import Iterator, Mapping, Sequence
from functools import lru_cache
from typing import Any

import numpy as np
import psycopg
from psycopg.abc import Buffer
from psycopg.adapt import Loader
from psycopg.pq import Format
from sqlalchemy import Dialect, Select, any_, bindparam, func, select, tuple_
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import Session


def is_pg(session: Session) -> bool:
    return session.get_bind().dialect.name == "postgresql"


def in_list(session: Session, col: Any, values: list[Any]) -> Any:
    """``col IN (values)``; on PostgreSQL one array parameter (``= ANY``) instead of thousands of binds."""
    if is_pg(session):
        return col == any_(bindparam(None, values, type_=ARRAY(col.type)))
    return col.in_(values)


def in_pairs(session: Session, a: Any, b: Any, pairs: list[tuple[Any, Any]]) -> Any:
    """``(a, b) IN (pairs)``; on PostgreSQL a semi-join with two unnested arrays (an index probe per pair)."""
    if is_pg(session):
        unnest = func.unnest(bindparam(None, [p[0] for p in pairs], type_=ARRAY(a.type)),
                             bindparam(None, [p[1] for p in pairs], type_=ARRAY(b.type)))
        u = unnest.table_valued("a", "b").render_derived()
        return tuple_(a, b).in_(select(u.c.a, u.c.b))
    return tuple_(a, b).in_(pairs)


def psycopg_connection(session: Session) -> psycopg.Connection[Any]:
    """The driver connection under the session's (PostgreSQL only: COPY and binary cursors)."""
    raw = session.connection().connection.dbapi_connection
    assert isinstance(raw, psycopg.Connection)
    return raw


@lru_cache(maxsize=256)
def _compiled(stmt: Select[*tuple[Any, ...]], dialect: Dialect) -> str:
    return str(stmt.compile(dialect=dialect))


def fetch(session: Session, stmt: Select[*tuple[Any, ...]], params: Mapping[str, Any]) -> Sequence[Sequence[Any]]:
    """All rows of a statement whose values are named bind parameters (binary on PostgreSQL).

    Rows come from the driver as they are: timestamps are aware, in the connection's zone, and a
    float8[] column arrives as a numpy array (a dashboard row packs its ~180 parts in one).
    """
    conn = session.connection()
    if conn.dialect.name != "postgresql":
        return session.execute(stmt, dict(params)).all()
    raw = psycopg_connection(session)
    with raw.cursor(binary=True) as cur:
        cur.adapters.register_loader(_FLOAT8_ARRAY, _Float8Array)
        cur.execute(_compiled(stmt, conn.dialect), params)
        return cur.fetchall()


_FLOAT8_ARRAY = 1022  # PostgreSQL's oid of float8[]
_ELEMENT = np.dtype([("len", ">i4"), ("value", ">f8")])


class _Float8Array(Loader):
    """Binary float8[] to numpy without a Python float per element: a one-dimensional array without
    NULLs is a 20-byte header, then (length, big-endian float8) pairs (PostgreSQL's array_send)."""

    format = Format.BINARY

    def load(self, data: Buffer) -> np.ndarray:
        ndim, has_null, _oid = struct.unpack_from(">iiI", data)
        if ndim == 0:
            return np.empty(0)
        if ndim != 1 or has_null:
            raise ValueError("expected a one-dimensional float8[] without NULLs")
        n = struct.unpack_from(">i", data, 12)[0]
        return np.frombuffer(data, dtype=_ELEMENT, count=n, offset=20)["value"].astype(float)


def stream(session: Session, stmt: Select[*tuple[Any, ...]], params: Mapping[str, Any],
           page: int = 20_000) -> Iterator[Sequence[Any]]:
    """Rows of a large read a page at a time (a binary server-side cursor on PostgreSQL); other
    statements may run on the session meanwhile."""
    conn = session.connection()
    if conn.dialect.name != "postgresql":
        for part in session.execute(stmt, dict(params), execution_options={"yield_per": page}).partitions():
            yield from part
        return
    raw = psycopg_connection(session)
    with raw.cursor(name=f"telqc_metrics_{id(stmt)}", binary=True) as cur:
        cur.itersize = page
        cur.execute(_compiled(stmt, conn.dialect), params)
        yield from cur
