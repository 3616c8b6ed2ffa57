"""Audit chain throughput: rows per second that `audit.chain_all` moves from audit_pending into the chain.

The relay runs `chain_all` before every pass, so its cost per row is the audit log's share of every audited
write. Two numbers per run:

1. the hash alone (no database): plain SHA-256 over the canonical row (the chain before issue 17) against
   HMAC-SHA256 with a 32-byte key (the keyed chain), same rows;
2. `chain_all` end to end on a migrated scratch database: N pending entries written in bulk, then chained
   (read, hash, insert into audit_log, delete from audit_pending, move the head), best of three rounds.

    PYTHONPATH=src .venv/bin/python bench/audit_chain_bench.py                 # SQLite, 20,000 rows
    PYTHONPATH=src .venv/bin/python bench/audit_chain_bench.py --pg --rows 50000
"""

from __future__ import annotations

import argparse
import hashlib
import hmac
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import psycopg
from sqlalchemy import delete

from telqc.core import audit, migrate
from telqc.core.db import make_engine, make_sessionmaker

PG = "postgresql://postgres@127.0.0.1:5432/test"
DB = "telqc_bench_audit_chain"
AT = datetime(2026, 11, 4, 2, 0, tzinfo=UTC)
KEY = b"k" * 32


def _body(i: int, prev: str) -> bytes:
    return audit.canonical({
        "id": i, "at": (AT + timedelta(seconds=i)).isoformat(), "actor_id": 7, "actor": "agent7",
        "action": "order.transitioned", "entity_type": "order", "entity_id": str(i),
        "data": audit.canonical({"from": "assigned", "to": "in_progress", "note": "客户来电催办"}), "prev": prev,
    }).encode()


def hash_only(rows: int) -> tuple[float, float, float]:
    """Rows per second over the same canonical rows (best of three): plain SHA-256, HMAC-SHA256 keyed per row,
    and HMAC-SHA256 copied from an object keyed once (what `audit_keys.AuditKeys.sign` does)."""
    prepared = hmac.new(KEY, digestmod=hashlib.sha256)

    def per_row(body: bytes) -> str:
        return hmac.new(KEY, body, hashlib.sha256).hexdigest()

    def copied(body: bytes) -> str:
        mac = prepared.copy()
        mac.update(body)
        return mac.hexdigest()

    def plain(body: bytes) -> str:
        return hashlib.sha256(body).hexdigest()

    def run(digest: Callable[[bytes], str]) -> float:
        best = 0.0
        for _ in range(3):
            prev, start = audit.GENESIS, time.perf_counter()
            for i in range(1, rows + 1):
                prev = digest(_body(i, prev))
            best = max(best, rows / (time.perf_counter() - start))
        return best
    return run(plain), run(per_row), run(copied)


def chain_db(url: str, rows: int) -> float:
    """Rows per second of `chain_all` over `rows` pending entries (best of three rounds)."""
    migrate.upgrade(url)
    engine = make_engine(url)
    factory = make_sessionmaker(engine)
    pending = [{"at": AT + timedelta(seconds=i), "actor_id": 7, "actor": "agent7", "action": "order.transitioned",
                "entity_type": "order", "entity_id": str(i),
                "data": audit.canonical({"from": "assigned", "to": "in_progress", "note": "客户来电催办"})}
               for i in range(rows)]
    best = 0.0
    try:
        for _ in range(3):
            with factory() as s:
                s.execute(delete(audit.PendingEntry))
                s.execute(audit.PendingEntry.__table__.insert(), pending)
                s.commit()
                start = time.perf_counter()
                done = audit.chain_all(s)
                best = max(best, done / (time.perf_counter() - start))
    finally:
        engine.dispose()
    return best


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--rows", type=int, default=20000)
    p.add_argument("--pg", action="store_true", help="chain on PostgreSQL (scratch database) instead of SQLite")
    a = p.parse_args()
    plain, keyed, copied = hash_only(a.rows)
    print(f"hash only (canonical JSON included), {a.rows} rows: sha256 {plain:,.0f} rows/s, hmac-sha256 keyed per "
          f"row {keyed:,.0f} ({keyed / plain:.2f}x), hmac-sha256 keyed once {copied:,.0f} ({copied / plain:.2f}x)")
    if a.pg:
        with psycopg.connect(PG, autocommit=True) as conn:
            conn.execute(f"DROP DATABASE IF EXISTS {DB} WITH (FORCE)")
            conn.execute(f"CREATE DATABASE {DB}")
        try:
            url = PG.rsplit("/", 1)[0].replace("postgresql://", "postgresql+psycopg://") + f"/{DB}"
            rate = chain_db(url, a.rows)
        finally:
            with psycopg.connect(PG, autocommit=True) as conn:
                conn.execute(f"DROP DATABASE IF EXISTS {DB} WITH (FORCE)")
    else:
        with tempfile.TemporaryDirectory() as tmp:
            rate = chain_db(f"sqlite:///{Path(tmp) / 'bench.db'}", a.rows)
    print(f"chain_all on {'PostgreSQL' if a.pg else 'SQLite'}, {a.rows} pending rows: {rate:,.0f} rows/s")


if __name__ == "__main__":
    main()
