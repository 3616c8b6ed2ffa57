"""Insight queries, and the one bulk write: rows replacing the stored rows of the same keys.

The bulk path is the only place insight saves round trips, for an operator's monthly file (a million
subscriptions) and the weekly churn scores of every customer: the rows go into a temporary staging table, by
COPY on PostgreSQL (psycopg's `cursor.copy`) and by `executemany` in batches on SQLite, and then two set
statements replace the stored rows with the same key and insert the new ones, inside the caller's transaction
(all or nothing). Writing 1M scores this way against DELETE by id lists and executemany: docs/BENCHMARKS.md.

Usage rows go into a table range-partitioned by month on PostgreSQL (`partitions`, migration 0175): the
import first creates the partitions of its file's months, and its replace and the reads below name the
months they want, so only those months' partitions are touched. Loading usage by COPY against executemany:
`bench/insight_load_bench.py`.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import date
from typing import Any

import psycopg
from sqlalchemy import JSON, Column, Engine, MetaData, Table, and_, delete, func, insert, literal, select, tuple_
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from telqc.customers.read import CUSTOMER_PLANS, CUSTOMERS
from telqc.insight import partitions
from telqc.insight.models import (
    InsightBill,
    InsightChurnEvent,
    InsightChurnScore,
    InsightHousehold,
    InsightPlan,
    InsightUsageMonth,
    RetentionCampaign,
    RetentionMember,
)

CHUNK = 5000  # ids per IN list; rows per executemany batch
COPY_PROGRESS = 20_000  # rows between progress reports during a COPY
USAGE = InsightUsageMonth.__table__
BILLS = InsightBill.__table__
HOUSEHOLDS = InsightHousehold.__table__
TABLES: dict[str, Table] = {"usage": USAGE, "bills": BILLS, "households": HOUSEHOLDS,
                            "churn_events": InsightChurnEvent.__table__, "churn_scores": InsightChurnScore.__table__}


def catalogue(session: Session) -> list[InsightPlan]:
    return list(session.scalars(select(InsightPlan).order_by(InsightPlan.code)))


def plan(session: Session, code: str) -> InsightPlan | None:
    return session.get(InsightPlan, code)


def household(session: Session, customer_id: int) -> InsightHousehold | None:
    return session.get(InsightHousehold, customer_id)


def recent_usage(session: Session, customer_id: int, months: int = 3) -> list[tuple[date, int, int]]:
    """(month, data MB, voice minutes) of the household, all its subscriptions summed, for the stored months
    among the `months` months ending at its latest stored month, oldest first.

    Two reads so that PostgreSQL touches only the months wanted: the latest month (partitions walked newest
    first along the key's index, stopping at the first with a row) and then that window by its bounds."""
    u = USAGE.c
    latest = session.scalar(select(u.month).where(u.customer_id == customer_id).order_by(u.month.desc()).limit(1))
    if latest is None:
        return []
    index = latest.year * 12 + latest.month - 1 - (months - 1)
    first = date(index // 12, index % 12 + 1, 1)
    rows = session.execute(select(u.month, func.sum(u.data_mb), func.sum(u.voice_min))
                           .where(u.customer_id == customer_id, u.month >= first, u.month <= latest)
                           .group_by(u.month).order_by(u.month)).all()
    return [(m, int(d), int(v)) for m, d, v in rows]


def existing_customers(session: Session, ids: Iterable[int]) -> set[int]:
    wanted, found = sorted(set(ids)), set[int]()
    for i in range(0, len(wanted), CHUNK):
        found.update(session.scalars(select(CUSTOMERS.c.id).where(CUSTOMERS.c.id.in_(wanted[i:i + CHUNK]))))
    return found


def subscriptions(session: Session, ids: Iterable[int]) -> set[tuple[int, str]]:
    """(customer, plan code) of every plan the customers hold or held: what a usage row may refer to."""
    wanted, found = sorted(set(ids)), set[tuple[int, str]]()
    cp = CUSTOMER_PLANS.c
    for i in range(0, len(wanted), CHUNK):
        found.update((int(c), str(p)) for c, p in session.execute(
            select(cp.customer_id, cp.plan_code).where(cp.customer_id.in_(wanted[i:i + CHUNK]))))
    return found


def _staging(target: Table, columns: Sequence[str]) -> Table:
    return Table(f"{target.name}_import", MetaData(), *(Column(c, target.c[c].type) for c in columns),
                 prefixes=["TEMPORARY"])


def _drop(session: Session, staging: Table) -> None:
    schema = "pg_temp" if _is_pg(session) else "temp"
    session.connection().exec_driver_sql(f'DROP TABLE IF EXISTS {schema}."{staging.name}"')


def _is_pg(session: Session) -> bool:
    return session.get_bind().dialect.name == "postgresql"


def ensure_partitions(session: Session, months: Iterable[date]) -> list[str]:
    """Create the usage partitions of `months` that are missing (PostgreSQL; nothing on SQLite); their names.

    In a short transaction of its own with a lock timeout (`partitions`: creating one locks out the table's
    readers until commit, and an import's transaction lasts as long as its COPY), unless this session already
    holds a lock on the table or has no engine of its own; then in the session's transaction."""
    conn = session.connection()
    wanted = partitions.missing(conn, months)
    if not wanted:
        return []
    bind = session.get_bind()
    if isinstance(bind, Engine) and not partitions.holds_lock(conn):
        try:
            with bind.begin() as own:
                own.exec_driver_sql(f"SET LOCAL lock_timeout = '{partitions.LOCK_TIMEOUT}'")
                return partitions.create(own, wanted)
        except OperationalError:
            pass  # a long reader holds the table: wait in the import's own transaction instead
    return partitions.create(conn, wanted)


def add_usage(session: Session, rows: Sequence[Mapping[str, Any]]) -> int:
    """Insert usage rows (column name to value), creating the partitions of their months first; how many.

    The one plain insert of usage, for seeding and fixtures (imports replace through `replace_rows`, which
    does the same): on PostgreSQL a row of a month without a partition is refused, so no writer may go around
    `ensure_partitions` (tests/insight/test_usage_writers.py keeps the others out)."""
    if not rows:
        return 0
    ensure_partitions(session, {r["month"] for r in rows})
    session.execute(insert(USAGE), list(rows))
    return len(rows)


def replace_rows(session: Session, kind: str, columns: Sequence[str], key: Sequence[str],
                 rows: Sequence[Sequence[Any]], constants: Mapping[str, Any],
                 progress: Callable[[int], None] | None = None) -> tuple[int, int]:
    """Store `rows` (values of `columns`, and `constants` for every row) in the `kind` table, each replacing a
    stored row with the same `key`; (rows inserted, stored rows replaced). `progress` is told how many rows
    are loaded, as they are."""
    target = TABLES[kind]
    months: list[date] = []
    if target is USAGE:
        at = list(columns).index("month")
        months = sorted({r[at] for r in rows})
        ensure_partitions(session, months)
    staging = _staging(target, columns)
    if _is_pg(session):
        # two imports at once would both delete a key and both insert it (a unique violation for one): they
        # take turns; readers are not blocked (SQLite serialises writers anyway)
        session.connection().exec_driver_sql(f'LOCK TABLE "{target.name}" IN SHARE ROW EXCLUSIVE MODE')
    _drop(session, staging)
    staging.create(session.connection())
    if _is_pg(session):
        _copy(session, staging, columns, rows, progress)
    else:
        for i in range(0, len(rows), CHUNK):
            batch = rows[i:i + CHUNK]
            session.execute(insert(staging), [dict(zip(columns, r, strict=True)) for r in batch])
            if progress:
                progress(len(batch))
    replaced = session.connection().execute(_replaced(session, target, staging, key, months)).rowcount
    # every staged row goes in: the parser refuses a key repeated in a file, and the stored ones are gone
    session.execute(insert(target).from_select(
        [*columns, *constants],
        select(*staging.c, *(literal(v, target.c[c].type) for c, v in constants.items()))))
    _drop(session, staging)
    return len(rows), int(replaced)


def _replaced(session: Session, target: Table, staging: Table, key: Sequence[str], months: Sequence[date]) -> Any:
    """The DELETE of the stored rows that staged rows replace."""
    if len(target.primary_key.columns) == 1:
        (pk,) = target.primary_key.columns
        same_key = and_(*(target.c[k] == staging.c[k] for k in key))
        # driven by the staging rows, each probing the key's unique index (not the stored table scanned)
        return delete(target).where(pk.in_(select(pk).select_from(staging.join(target, same_key))))
    # the usage table's key is its primary key; on PostgreSQL the file's months as constants keep the delete
    # to their partitions (the join alone would plan every partition)
    stmt = delete(target).where(tuple_(*(target.c[k] for k in key)).in_(select(*(staging.c[k] for k in key))))
    return stmt.where(target.c.month.in_(months)) if months and _is_pg(session) else stmt


def _copy(session: Session, staging: Table, columns: Sequence[str], rows: Sequence[Sequence[Any]],
          progress: Callable[[int], None] | None) -> None:
    raw = session.connection().connection.dbapi_connection
    assert isinstance(raw, psycopg.Connection)
    cols = ", ".join(f'"{c}"' for c in columns)
    # COPY takes a JSON value as its text (a Python list would be written as an array); SQLite's executemany
    # goes through the column type, which serialises it
    as_json = [i for i, c in enumerate(columns) if isinstance(staging.c[c].type, JSON)]
    with raw.cursor() as cur, cur.copy(f'COPY "{staging.name}" ({cols}) FROM STDIN') as copy:
        pending = 0
        for r in rows:
            if as_json:
                r = [json.dumps(v, ensure_ascii=False) if i in as_json else v for i, v in enumerate(r)]
            copy.write_row(r)
            pending += 1
            if progress and pending == COPY_PROGRESS:
                progress(pending)
                pending = 0
        if progress and pending:
            progress(pending)


Partition = partitions.Partition


def usage_partitioned(session: Session) -> bool:
    return partitions.is_partitioned(session.connection())


def usage_partition_list(session: Session) -> list[Partition]:
    return partitions.listing(session.connection())


def usage_count(session: Session, customer_id: int | None = None) -> int:
    stmt = select(func.count()).select_from(USAGE)
    if customer_id is not None:
        stmt = stmt.where(USAGE.c.customer_id == customer_id)
    return int(session.scalar(stmt) or 0)


def usage_rows(session: Session, customer_id: int) -> list[InsightUsageMonth]:
    return list(session.scalars(select(InsightUsageMonth).where(InsightUsageMonth.customer_id == customer_id)
                                .order_by(InsightUsageMonth.month, InsightUsageMonth.subscription)))


def bills(session: Session, customer_id: int) -> list[InsightBill]:
    return list(session.scalars(select(InsightBill).where(InsightBill.customer_id == customer_id)
                                .order_by(InsightBill.month)))


def bill_amounts(session: Session, customer_id: int, since: date) -> dict[date, int]:
    """The customer's billed amount (fen) per month from `since` on."""
    return {m: int(a) for m, a in session.execute(select(InsightBill.month, InsightBill.amount_fen).where(
        InsightBill.customer_id == customer_id, InsightBill.month >= since))}


def latest_terminal(session: Session, customer_id: int) -> str | None:
    """The terminal model of the customer's latest usage month that names one."""
    u = InsightUsageMonth
    return session.scalar(select(u.terminal_model).where(u.customer_id == customer_id, u.terminal_model.is_not(None))
                          .order_by(u.month.desc(), u.subscription).limit(1))


def open_tasks(session: Session, customer_id: int) -> list[tuple[RetentionMember, str]]:
    """The customer's open retention tasks (treated members only: a holdout member has no task, and telling
    an agent who is held out would let the holdout be treated) with their campaign's name, newest first."""
    m = RetentionMember
    rows = session.execute(select(m, RetentionCampaign.name).join(RetentionCampaign).where(
        m.customer_id == customer_id, m.status == "open", m.holdout.is_(False)).order_by(m.id.desc()))
    return [(r[0], str(r[1])) for r in rows]
