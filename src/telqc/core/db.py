"""Engine, sessions and the declarative base shared by every domain's tables."""

from __future__ import annotations

import asyncio
import time
import weakref
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from typing import Any, ClassVar

from sqlalchemy import DateTime, Engine, MetaData, Table, create_engine, event
from sqlalchemy.exc import DisconnectionError
from sqlalchemy.orm import DeclarativeBase, Session, sessionmaker
from sqlalchemy.types import TypeDecorator

from telqc.core import pii
from telqc.core.settings import Settings

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UTCDateTime(TypeDecorator[datetime]):
    """Timezone-aware UTC timestamps on both SQLite (which stores naive text) and PostgreSQL."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime refused: use timezone-aware values")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)
    # Every class maps a Table (DeclarativeBase types it as any FromClause): `Model.__table__.insert()` types.
    __table__: ClassVar[Table]


def make_engine(url: str, **kw: Any) -> Engine:
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30}, **kw)

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA foreign_keys=ON")
            cur.execute("PRAGMA synchronous=NORMAL")
            cur.close()
            # Transactions are opened explicitly below, as BEGIN IMMEDIATE.
            dbapi_conn.isolation_level = None

        @event.listens_for(engine, "begin")
        def _sqlite_begin(conn: Any) -> None:
            # A read-then-write transaction must hold the write lock from the start, or a
            # concurrent writer makes it fail instead of wait (SQLITE_BUSY_SNAPSHOT).
            conn.exec_driver_sql("BEGIN IMMEDIATE")

        return engine
    if "poolclass" not in kw:
        kw.setdefault("pool_size", 10)
        kw.setdefault("max_overflow", 20)
    engine = create_engine(url, **kw)
    if "poolclass" not in kw and not kw.get("pool_pre_ping"):
        _ping_when_idle(engine)
    return engine


IDLE_PING_SECONDS = 5.0


def _ping_when_idle(engine: Engine) -> None:
    """Test a pooled connection before use only if it sat idle: a server restart or an idle timeout is
    caught before the request uses it, while a busy API process (a checkout per request) skips the extra
    round trip that ``pool_pre_ping`` would pay every time. A connection that breaks in between fails
    that one request, and SQLAlchemy then replaces the whole pool."""

    @event.listens_for(engine, "checkin")
    def _checked_in(_dbapi_conn: Any, record: Any) -> None:
        record.info["telqc_idle_since"] = time.monotonic()

    @event.listens_for(engine, "checkout")
    def _checkout(dbapi_conn: Any, record: Any, _proxy: Any) -> None:
        since = record.info.get("telqc_idle_since")
        if since is not None and time.monotonic() - since < IDLE_PING_SECONDS:
            return
        try:
            alive = engine.dialect.do_ping(dbapi_conn)
        except Exception as e:
            raise DisconnectionError() from e
        if not alive:
            raise DisconnectionError()


class WriteGate:
    """One request's unit of work at a time per process on SQLite, waited for on the event loop.

    SQLite has one writer, and every transaction takes the write lock first (BEGIN IMMEDIATE above). A
    request's transaction spans several worker-thread hops (the caller's lookup, the route, the commit), so
    when requests waiting in SQLite's busy handler held every worker thread, the request holding the lock
    could not get a thread to commit; the waiters answered 500 "database is locked" after the busy timeout
    (seen on `telqc demo` when several users signed in at once). Waiting here costs no thread, and requests
    are served in arrival order. It serializes nothing the lock did not already serialize; PostgreSQL has
    no gate. One lock per event loop (a server has one; test clients may run several)."""

    def __init__(self) -> None:
        self._locks: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, asyncio.Lock] = weakref.WeakKeyDictionary()

    @asynccontextmanager
    async def hold(self) -> AsyncIterator[None]:
        loop = asyncio.get_running_loop()
        lock = self._locks.get(loop) or self._locks.setdefault(loop, asyncio.Lock())
        async with lock:
            yield


def write_gate(engine: Engine) -> WriteGate | None:
    """The gate a request's unit of work passes on this engine: SQLite only."""
    return WriteGate() if engine.dialect.name == "sqlite" else None


def make_sessionmaker(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(engine, expire_on_commit=False, autoflush=True)


def sessionmaker_for(settings: Settings) -> sessionmaker[Session]:
    """Sessions on the configured database, with these settings' personal-data keys (commands, workers)."""
    pii.configure(settings)
    return make_sessionmaker(make_engine(settings.effective_database_url))
