"""A bench's own PostgreSQL database: dropped and recreated before a run, vacuumed after bulk loads."""

from __future__ import annotations

import psycopg


def reset_db(url: str) -> None:
    """Drop and recreate the database named at the end of `url` (a postgresql+psycopg URL)."""
    name = url.rsplit("/", 1)[1]
    admin = url.rsplit("/", 1)[0].replace("postgresql+psycopg://", "postgresql://") + "/postgres"
    with psycopg.connect(admin, autocommit=True) as c:
        c.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        c.execute(f"CREATE DATABASE {name}")


def vacuum(url: str) -> None:
    """VACUUM ANALYZE the database: the test server runs with autovacuum off, so do what it would do
    between a bulk load and the measurements (fresh statistics, dead index entries gone)."""
    with psycopg.connect(url.replace("postgresql+psycopg://", "postgresql://"), autocommit=True) as c:
        c.execute("VACUUM ANALYZE")
