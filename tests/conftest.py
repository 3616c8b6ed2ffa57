"""Shared fixtures: every database test runs on SQLite and on PostgreSQL, built by the real migrations.

PostgreSQL is mandatory when CI=true; elsewhere its variants skip with the reason when no
server answers on TELQC_TEST_PG (default 127.0.0.1:5432, trust auth).
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import psycopg
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.orm import Session

from telqc.api.app import create_app
from telqc.core import audit, migrate, pii
from telqc.core.audit_keys import keys_for
from telqc.core.clock import FrozenClock
from telqc.core.context import Ctx
from telqc.core.settings import Settings
from telqc.core.uow import UnitOfWork
from telqc.demo.reference import load_reference

pytest_plugins = ["browser_fixtures"]

PG_ADMIN = os.environ.get("TELQC_TEST_PG", "postgresql://postgres@127.0.0.1:5432/test")
IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")


def _pg_reachable() -> str | None:
    try:
        with psycopg.connect(PG_ADMIN, connect_timeout=3):
            return None
    except Exception as e:
        return str(e).strip().splitlines()[0]


def _worker() -> str:
    return os.environ.get("PYTEST_XDIST_WORKER", "main")


@dataclass
class Database:
    kind: str
    url: str
    template: Path | None = None
    engine: Engine | None = None
    reset_sql: str | None = None

    def reset(self, tmp: Path) -> str:
        """A clean, migrated database for one test; returns its URL."""
        if self.kind == "sqlite":
            assert self.template is not None
            target = tmp / "telqc.db"
            shutil.copy(self.template, target)
            return f"sqlite:///{target}"
        assert self.engine is not None
        with self.engine.begin() as conn:
            conn.exec_driver_sql(self._reset_sql(conn))
            conn.execute(text("INSERT INTO audit_head (id, last_id, last_hash) VALUES (1, 0, :h)"), {"h": "0" * 64})
        return self.url

    def _reset_sql(self, conn: Any) -> str:
        """Empty every table and restart every sequence, as TRUNCATE … RESTART IDENTITY would, in one batch.

        A test's requests commit on the app's own connections, so a test cannot be isolated by rolling its
        transaction back; DELETE with triggers and foreign-key checks off (``session_replication_role``, the
        test server's user is a superuser) is the fast way to a clean database: about 10 ms for the 51
        tables, against 120-350 ms for TRUNCATE, which creates new files for every table (measured on this
        machine's PostgreSQL 15, 20 resets each, while the suite ran)."""
        if self.reset_sql is None:
            tables = [r[0] for r in conn.execute(text(
                "SELECT tablename FROM pg_tables WHERE schemaname='public' AND tablename <> 'alembic_version'"))]
            sequences = [r[0] for r in conn.execute(text(
                "SELECT sequencename FROM pg_sequences WHERE schemaname='public'"))]
            self.reset_sql = "\n".join(["SET LOCAL session_replication_role = replica;",
                                        *(f'DELETE FROM "{t}";' for t in tables),
                                        *(f"SELECT setval('\"{q}\"', 1, false);" for q in sequences)])
        return self.reset_sql


@pytest.fixture(scope="session", params=["sqlite", "postgresql"])
def database(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Database]:
    yield from open_database(request.param, tmp_path_factory)


def open_database(kind: str, tmp_path_factory: pytest.TempPathFactory, owner: str = "") -> Iterator[Database]:
    """A migrated database of this kind for a test session (a folder's conftest may narrow the kinds).

    ``owner`` names a folder's own fixture: both session fixtures can be alive in one process, and the same
    database name would let one's ``DROP … WITH (FORCE)`` terminate the other's connections."""
    if kind == "sqlite":
        template = tmp_path_factory.mktemp("sqlite") / "template.db"
        migrate.upgrade(f"sqlite:///{template}")
        yield Database("sqlite", f"sqlite:///{template}", template=template)
        return
    problem = _pg_reachable()
    if problem:
        if IN_CI:
            pytest.fail(f"PostgreSQL is required in CI but not reachable at {PG_ADMIN}: {problem}")
        pytest.skip(f"PostgreSQL not reachable at {PG_ADMIN} ({problem}); its variants need a server")
    # One database per test process: parallel runs (xdist workers, or two developers' suites on one
    # server) never drop each other's database.
    name = f"telqc_test_{owner}{_worker()}_{os.getpid()}"
    with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        conn.execute(f"CREATE DATABASE {name}")
    base = PG_ADMIN.rsplit("/", 1)[0].replace("postgresql://", "postgresql+psycopg://")
    url = f"{base}/{name}"
    migrate.upgrade(url)
    engine = create_engine(url)
    yield Database("postgresql", url, engine=engine)
    engine.dispose()
    with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


@pytest.fixture
def settings(database: Database, tmp_path: Path) -> Settings:
    url = database.reset(tmp_path)
    s = Settings(env="test", database_url=url, data_dir=tmp_path)
    pii.configure(s)
    return s


@pytest.fixture
def clock() -> FrozenClock:
    return FrozenClock(datetime(2026, 11, 2, 2, 0, tzinfo=UTC))


@pytest.fixture
def app(settings: Settings, clock: FrozenClock, request: pytest.FixtureRequest) -> Iterator[FastAPI]:
    """The app on a clean database. After the test, every audit entry its writes left is chained and the
    whole chain verified, unless the test tampers with the log on purpose (marker `audit_tampered`)."""
    application = create_app(settings, clock)
    with application.state.sessionmaker() as session:
        uow = UnitOfWork(session)
        ctx = Ctx(uow=uow, clock=clock, settings=settings)
        load_reference(ctx)
        uow.commit()
    yield application
    if request.node.get_closest_marker("audit_tampered") is None:
        with application.state.sessionmaker() as session:
            audit.chain_all(session, keys_for(settings))
            result = audit.verify(session, keys_for(settings))
        assert result.ok, f"the test's writes left a broken audit chain: {result.reason}"
    application.state.engine.dispose()


@pytest.fixture
def client(app: FastAPI) -> Iterator[TestClient]:
    with TestClient(app, raise_server_exceptions=False) as c:
        yield c


@pytest.fixture
def session(app: FastAPI) -> Iterator[Session]:
    with app.state.sessionmaker() as s:
        yield s


