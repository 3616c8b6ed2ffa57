"""The monthly partitions of `insight_usage_months` on PostgreSQL (migration 0175); SQLite has a plain table.

A partition per month, `insight_usage_months_YYYYMM`, holding [first of the month, first of the next). There is
no default partition on purpose: a row of a month without a partition is refused rather than parked where
every later CREATE … PARTITION OF would have to scan it under its exclusive lock (and fail while it holds
that month's rows, so the loader would have to detach it and move them out), and where every read open-ended
upwards (`month >= since`) would look too. A safety net is not needed because there is no way around the
creation: the only writers are `repository.replace_rows` (imports, demo seeding) and `repository.add_usage`
(fixtures), both calling `repository.ensure_partitions` for the months they write, and
tests/insight/test_usage_writers.py fails on any other insert of the table in src or tests. The maintenance
command `telqc insight partitions --ahead N` creates the coming months beforehand.

Creating a partition takes an ACCESS EXCLUSIVE lock on the parent, which queues every reader behind it; the
loader therefore creates missing partitions in a short transaction of its own, with a lock timeout, before its
load (an empty partition left by a failed import is harmless), and only falls back to its own transaction when
it already holds a lock on the table (a second import in one unit of work), where waiting for itself would
never end.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from sqlalchemy import Connection, text

TABLE = "insight_usage_months"
LOCK_TIMEOUT = "5s"


def first_of(d: date) -> date:
    return d.replace(day=1)


def next_month(d: date) -> date:
    return date(d.year + d.month // 12, d.month % 12 + 1, 1)


def name(month: date) -> str:
    return f"{TABLE}_{month:%Y%m}"


def is_partitioned(conn: Connection) -> bool:
    if conn.dialect.name != "postgresql":
        return False
    return bool(conn.scalar(text("SELECT c.relkind = 'p' FROM pg_class c WHERE c.oid = to_regclass(:t)"),
                            {"t": TABLE}))


def existing(conn: Connection) -> set[str]:
    """The names of the attached partitions (reading the catalogue takes no lock on the table)."""
    return set(conn.scalars(text("SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid "
                                 "WHERE i.inhparent = to_regclass(:t)"), {"t": TABLE}))


def missing(conn: Connection, months: Iterable[date]) -> list[date]:
    """The months among `months` (any day of them) that have no partition yet, oldest first; none on SQLite."""
    if not is_partitioned(conn):
        return []
    have = existing(conn)
    return sorted({first_of(m) for m in months if name(first_of(m)) not in have})


def create(conn: Connection, months: Iterable[date]) -> list[str]:
    """Create the partitions of `months` (first-of-month dates) that do not exist; their names."""
    made = []
    for m in months:
        conn.exec_driver_sql(f"CREATE TABLE IF NOT EXISTS {name(m)} PARTITION OF {TABLE} "
                             f"FOR VALUES FROM ('{m.isoformat()}') TO ('{next_month(m).isoformat()}')")
        made.append(name(m))
    return made


def holds_lock(conn: Connection) -> bool:
    """Whether this connection's transaction holds a lock another one creating a partition would wait for:
    any lock on the table, or a write lock on `customers` (a new partition gets the foreign key's triggers,
    which lock the referenced table in SHARE ROW EXCLUSIVE mode)."""
    return bool(conn.scalar(text(
        "SELECT EXISTS (SELECT 1 FROM pg_locks WHERE pid = pg_backend_pid() AND granted AND "
        "(relation = to_regclass(:t) OR (relation = to_regclass('customers') AND mode <> 'AccessShareLock')))"),
        {"t": TABLE}))


@dataclass(frozen=True)
class Partition:
    month: date
    name: str
    rows: int  # the planner's estimate (pg_class.reltuples, -1 before the first ANALYZE: shown as 0)
    bytes: int


def listing(conn: Connection) -> list[Partition]:
    """Every month partition, oldest first, with its estimated rows and size on disk."""
    out = []
    for relname, rows, size in conn.execute(text(
            "SELECT c.relname, c.reltuples, pg_total_relation_size(c.oid) FROM pg_inherits i "
            "JOIN pg_class c ON c.oid = i.inhrelid WHERE i.inhparent = to_regclass(:t) ORDER BY c.relname"),
            {"t": TABLE}):
        suffix = str(relname).removeprefix(f"{TABLE}_")
        if len(suffix) == 6 and suffix.isdigit():
            out.append(Partition(date(int(suffix[:4]), int(suffix[4:]), 1), str(relname), max(int(rows), 0),
                                 int(size)))
    return out
