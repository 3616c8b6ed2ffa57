"""Pooled connections: one broken while idle in the pool is replaced before a request uses it."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import psycopg
import pytest
from sqlalchemy import Connection, text

from telqc.core import db
from telqc.core.settings import Settings

if TYPE_CHECKING:
    from conftest import Database


def test_connection_killed_while_idle_is_replaced_on_checkout(database: Database, settings: Settings,
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    if database.kind != "postgresql":
        pytest.skip("SQLite connections are files: nothing to lose while idle")
    engine = db.make_engine(settings.database_url)
    try:
        with engine.connect() as conn:
            first = conn.execute(text("SELECT pg_backend_pid()")).scalar_one()
        # the server drops the pooled connection (restart, idle timeout, an admin's kill)
        admin = settings.database_url.replace("postgresql+psycopg://", "postgresql://")
        with psycopg.connect(admin, autocommit=True) as killer:
            killer.execute("SELECT pg_terminate_backend(%s)", (first,))
        monkeypatch.setattr(db, "IDLE_PING_SECONDS", 0.0)  # it has now been idle "long enough"
        with engine.connect() as conn:
            second = conn.execute(text("SELECT pg_backend_pid()")).scalar_one()
        assert second != first
    finally:
        engine.dispose()


def test_busy_connection_is_not_pinged(database: Database, settings: Settings) -> None:
    """A connection checked in moments ago goes straight back to work (no extra round trip per request)."""
    if database.kind != "postgresql":
        pytest.skip("only pooled server connections are pinged")
    engine = db.make_engine(settings.database_url)
    statements: list[str] = []
    try:
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
        from sqlalchemy import event

        @event.listens_for(engine, "before_cursor_execute")
        def _seen(_c: Connection, _cur: Any, statement: str, *_a: Any) -> None:
            statements.append(statement)

        with engine.connect() as conn:
            conn.execute(text("SELECT 2"))
    finally:
        engine.dispose()
    assert statements == ["SELECT 2"]
