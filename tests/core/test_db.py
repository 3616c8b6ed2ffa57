"""Pooled connections: one broken while idle in the pool is replaced before a request uses it."""

from __future__ import annotations

import psycopg
import pytest
from sqlalchemy import text

from telqc.core import db


def test_connection_killed_while_idle_is_replaced_on_checkout(database, settings, monkeypatch) -> None:  # type: ignore[no-untyped-def]
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


def test_busy_connection_is_not_pinged(database, settings) -> None:  # type: ignore[no-untyped-def]
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
        def _seen(_c, _cur, statement, *_a) -> None:  # type: ignore[no-untyped-def]
            statements.append(statement)

        with engine.connect() as conn:
            conn.execute(text("SELECT 2"))
    finally:
        engine.dispose()
    assert statements == ["SELECT 2"]
