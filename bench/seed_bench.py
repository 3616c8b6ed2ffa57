"""Seeding throughput: `telqc seed` (generation + encryption + bulk load) vs a raw load of the same rows.

For each database (SQLite file, PostgreSQL), the project seeds N customers and D days of contacts
into a fresh migrated database; the reference then loads the very same stored rows (read back
raw, already encrypted) into another fresh database with the bare driver (executemany / COPY):
the ceiling for that database. Prints rows/s for both and the ratio.

    .venv/bin/python bench/seed_bench.py --customers 50000 --days 30
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import psycopg
from rich.console import Console
from rich.table import Table
from sqlalchemy import text
from sqlalchemy.orm import Session, sessionmaker

from telqc.core import migrate, pii
from telqc.core.clock import SystemClock
from telqc.core.context import Ctx
from telqc.core.db import make_engine, make_sessionmaker
from telqc.core.settings import Settings
from telqc.core.uow import UnitOfWork
from telqc.demo.reference import load_reference
from telqc.demo.seed import seed_contacts, seed_customers

TABLES = ("customers", "customer_phones", "customer_plans", "contacts")
PG_ADMIN = "postgresql://postgres@127.0.0.1:5432/test"


def fresh(kind: str, name: str, tmp: Path) -> str:
    if kind == "sqlite":
        return f"sqlite:///{tmp / (name + '.db')}"
    with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        conn.execute(f"CREATE DATABASE {name}")
    return f"postgresql+psycopg://postgres@127.0.0.1:5432/{name}"


def prepare(url: str) -> sessionmaker[Session]:
    migrate.upgrade(url)
    factory = make_sessionmaker(make_engine(url))
    with factory() as s:
        uow = UnitOfWork(s)
        load_reference(Ctx(uow, SystemClock(), Settings()))
        uow.commit()
    return factory


def run_project(url: str, customers: int, days: int) -> tuple[int, float]:
    factory = prepare(url)
    now = datetime.now(UTC)
    with factory() as s:
        t0 = time.perf_counter()
        res = seed_customers(s, customers, 42, now)
        n = seed_contacts(s, days, 42, now)
        s.commit()
        return res.rows + n, time.perf_counter() - t0


def _raw(v: object) -> object:
    return json.dumps(v, ensure_ascii=False) if isinstance(v, list | dict) else v


def run_reference(src_url: str, dst_url: str) -> tuple[int, float]:
    """Raw driver load of the rows the project stored (same bytes, no generation, no ORM)."""
    src = make_engine(src_url)
    dumps = {}
    with src.connect() as conn:
        for table in TABLES:
            result = conn.execute(text(f"SELECT * FROM {table} ORDER BY id"))
            dumps[table] = (list(result.keys()), [tuple(_raw(v) for v in r) for r in result])
    prepare(dst_url)
    dst = make_engine(dst_url)
    rows = sum(len(v[1]) for v in dumps.values())
    with dst.connect() as conn:
        t0 = time.perf_counter()
        trans = conn.begin()  # one transaction, as the project's seed uses
        raw: Any = conn.connection.dbapi_connection  # sqlite3's or psycopg's connection
        assert raw is not None
        for table, (cols, data) in dumps.items():
            if dst_url.startswith("sqlite"):
                marks = ", ".join("?" * len(cols))
                raw.cursor().executemany(f"INSERT INTO {table} ({', '.join(cols)}) VALUES ({marks})", data)
            else:
                with raw.cursor() as cur, cur.copy(f"COPY {table} ({', '.join(cols)}) FROM STDIN") as copy:
                    for row in data:
                        copy.write_row(row)
        trans.commit()
        return rows, time.perf_counter() - t0


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--customers", type=int, default=50_000)
    ap.add_argument("--days", type=int, default=30)
    ap.add_argument("--only", choices=["sqlite", "postgresql"], default=None)
    args = ap.parse_args()
    pii.configure(Settings())
    table = Table(title=f"seed: {args.customers:,} customers, {args.days} days of contacts")
    for col in ("database", "rows", "telqc s", "telqc rows/s", "raw load s", "raw rows/s", "telqc / raw"):
        table.add_column(col, justify="right")
    with tempfile.TemporaryDirectory() as tmpdir:
        tmp = Path(tmpdir)
        for kind in ("sqlite", "postgresql"):
            if args.only and kind != args.only:
                continue
            src = fresh(kind, "telqc_seedbench", tmp)
            rows, secs = run_project(src, args.customers, args.days)
            ref_rows, ref_secs = run_reference(src, fresh(kind, "telqc_seedbench_raw", tmp))
            assert ref_rows == rows
            table.add_row(kind, f"{rows:,}", f"{secs:.1f}", f"{rows / secs:,.0f}", f"{ref_secs:.1f}",
                          f"{ref_rows / ref_secs:,.0f}", f"{(rows / secs) / (ref_rows / ref_secs):.2f}")
    Console(width=150).print(table)


if __name__ == "__main__":
    main()
