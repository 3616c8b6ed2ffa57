"""Insight queries, and the one bulk write: rows replacing the stored rows of the same keys.

The bulk path is the only place insight saves round trips, for an operator's monthly file (a million
subscriptions) and the weekly churn scores of every customer: the rows go into a temporary staging table, by
COPY on PostgreSQL (psycopg's `cursor.copy`) and by `executemany` in batches on SQLite, and then two set
statements replace the stored rows with the same key and insert the new ones, inside the caller's transaction
(all or nothing). Writing 1M scores this way against DELETE by id lists and executemany: docs/BENCHMARKS.md.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import date
from typing import Any

import psycopg
from sqlalchemy import JSON, Column, MetaData, Table, and_, delete, func, insert, literal, select
from sqlalchemy.orm import Session

from telqc.customers.read import CUSTOMER_PLANS, CUSTOMERS
from telqc.insight.models import (
    InsightBill,
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
                            "churn_scores": InsightChurnScore.__table__}


def catalogue(session: Session) -> list[InsightPlan]:
    return list(session.scalars(select(InsightPlan).order_by(InsightPlan.code)))


def plan(session: Session, code: str) -> InsightPlan | None:
    return session.get(InsightPlan, code)


def household(session: Session, customer_id: int) -> InsightHousehold | None:
    return session.get(InsightHousehold, customer_id)


def recent_usage(session: Session, customer_id: int, months: int = 3) -> list[tuple[date, int, int]]:
    """(month, data MB, voice minutes) of the household, all its subscriptions summed, for the stored months
    among the `months` months ending at its latest stored month, oldest first."""
    u = InsightUsageMonth
    rows = session.execute(select(u.month, func.sum(u.data_mb), func.sum(u.voice_min))
                           .where(u.customer_id == customer_id).group_by(u.month)
                           .order_by(u.month.desc()).limit(months)).all()
    if not rows:
        return []
    latest = rows[0][0]
    first = (latest.year * 12 + latest.month - 1) - (months - 1)
    return [(m, int(d), int(v)) for m, d, v in reversed(rows) if m.year * 12 + m.month - 1 >= first]


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


def replace_rows(session: Session, kind: str, columns: Sequence[str], key: Sequence[str],
                 rows: Sequence[Sequence[Any]], constants: Mapping[str, Any],
                 progress: Callable[[int], None] | None = None) -> tuple[int, int]:
    """Store `rows` (values of `columns`, and `constants` for every row) in the `kind` table, each replacing a
    stored row with the same `key`; (rows inserted, stored rows replaced). `progress` is told how many rows
    are loaded, as they are."""
    target = TABLES[kind]
    (pk,) = target.primary_key.columns
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
    same_key = and_(*(target.c[k] == staging.c[k] for k in key))
    # driven by the staging rows, each probing the key's unique index (not the stored table scanned)
    stored = select(pk).select_from(staging.join(target, same_key))
    replaced = session.connection().execute(delete(target).where(pk.in_(stored))).rowcount
    # every staged row goes in: the parser refuses a key repeated in a file, and the stored ones are gone
    session.execute(insert(target).from_select(
        [*columns, *constants],
        select(*staging.c, *(literal(v, target.c[c].type) for c, v in constants.items()))))
    _drop(session, staging)
    return len(rows), int(replaced)


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
