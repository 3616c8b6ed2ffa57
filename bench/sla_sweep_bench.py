"""SLA sweep cost with 100k vs 1M open orders and the same number due: the two must be within 2×.

The sweep reads `orders.next_due_at <= now` through its index, so its cost should follow the
orders that are due, not the open orders.  One run, on PostgreSQL:

1. creates a scratch database, migrates it, writes the default order configuration and one customer;
2. bulk-loads 100k open repair orders (COPY) whose next SLA change lies in the future;
3. three rounds: marks a fresh random set of DUE orders breached-and-due (created 1.2 × the 24-hour
   7×24 target ago), then times `sweep` + commit (warning/breach, escalation to the team lead with a
   raised priority, history, audit, notification row, outbox event for each due order);
4. loads 900k more orders (1M in all) and repeats step 3;
5. prints the median times and the ratio (1M / 100k; target ≤ 2).

    .venv/bin/python bench/sla_sweep_bench.py                   # 100k vs 1M, 1,000 due
    .venv/bin/python bench/sla_sweep_bench.py --small 10000 --large 100000 --due 500   # quicker
"""

from __future__ import annotations

import argparse
import statistics
import time
from datetime import UTC, datetime, timedelta
from datetime import date as date_

import psycopg
from sqlalchemy import select, text
from sqlalchemy.orm import Session, sessionmaker

from telqc.core import migrate, pii
from telqc.core.clock import FrozenClock
from telqc.core.context import Ctx
from telqc.core.db import make_engine, make_sessionmaker
from telqc.core.settings import Settings
from telqc.core.uow import UnitOfWork
from telqc.customers.models import Customer
from telqc.demo.reference import load_reference
from telqc.orders import config
from telqc.orders.models import OrderSlaPolicy
from telqc.orders.sweep import sweep

PG = "postgresql://postgres@127.0.0.1:5432/test"
DB = "telqc_bench_sla_sweep"
NOW = datetime(2026, 11, 4, 2, 0, tzinfo=UTC)
COLUMNS = ("type", "category_code", "priority", "status", "customer_id", "channel", "title", "description",
           "department", "province_code", "city_code", "district_code", "area_type", "tier", "escalation_level",
           "escalation_risk", "regulator_risk", "risk_terms", "is_repeat", "sla_policy_id", "first_response_due",
           "resolution_due", "sla_status", "next_due_at", "created_at", "updated_at", "first_response_at",
           "reopen_count", "version")


def _setup() -> tuple[Settings, sessionmaker[Session], int, int]:
    with psycopg.connect(PG, autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {DB} WITH (FORCE)")
        conn.execute(f"CREATE DATABASE {DB}")
    url = PG.rsplit("/", 1)[0].replace("postgresql://", "postgresql+psycopg://") + f"/{DB}"
    migrate.upgrade(url)
    settings = Settings(env="test", database_url=url)
    pii.configure(settings)
    factory = make_sessionmaker(make_engine(url))
    clock = FrozenClock(NOW)
    with factory() as s:
        uow = UnitOfWork(s)
        ctx = Ctx(uow=uow, clock=clock, settings=settings)
        load_reference(ctx)
        config.ensure_defaults(ctx)
        c = Customer(name="基准客户", id_number="440106198805121234", address="广州市天河区体育西路100号",
                     province_code="440000", city_code="440100", district_code="440106", area_type="urban",
                     tier="regular", tags=[], lifecycle="in_contract", joined_on=date_(2020, 1, 1),
                     verify_failures=0, created_at=NOW, updated_at=NOW)
        s.add(c)
        s.flush()
        policy = s.scalar(select(OrderSlaPolicy.id).where(OrderSlaPolicy.name == "报修-城市"))
        uow.commit()
        assert policy is not None
        return settings, factory, c.id, policy


def _load(n: int, customer_id: int, policy_id: int) -> None:
    """COPY n open orders whose next SLA change is 17 hours away (not due)."""
    created = NOW - timedelta(hours=1)
    row = ("repair", "repair.broadband", "P2", "in_progress", customer_id, "hotline", "宽带断网", "光猫红灯",
           "装维中心", "440000", "440100", "440106", "urban", "regular", "none", False, False, "[]", False,
           policy_id, created + timedelta(hours=2), created + timedelta(hours=24), "ok",
           created + timedelta(hours=18), created, created, created + timedelta(minutes=10), 0, 1)
    with psycopg.connect(PG.rsplit("/", 1)[0] + f"/{DB}") as conn:
        with conn.cursor().copy(f"COPY orders ({', '.join(COLUMNS)}) FROM STDIN") as cp:
            for _ in range(n):
                cp.write_row(row)
        conn.commit()
        conn.autocommit = True
        conn.execute("VACUUM ANALYZE orders")


def _mark_due(factory: sessionmaker[Session], due: int, round_no: int) -> None:
    """A fresh random set becomes due: created 28.8 h ago (1.2 × the 24 h target), next change passed."""
    created = NOW - timedelta(minutes=1440 * 1.2)
    with factory() as s:
        s.execute(text(
            "UPDATE orders SET created_at = :c, first_response_at = :fr, next_due_at = :due, sla_status = 'ok', "
            "escalation_level = 'none', priority = 'P2' WHERE id IN (SELECT id FROM orders "
            "WHERE next_due_at > :now ORDER BY md5(id::text || :r) LIMIT :n)"),
            {"c": created, "fr": created + timedelta(minutes=10), "due": NOW - timedelta(minutes=1), "now": NOW,
             "r": str(round_no), "n": due})
        s.commit()


def _time_sweeps(settings: Settings, factory: sessionmaker[Session], due: int, rounds: int, label: str) -> float:
    times = []
    for r in range(rounds):
        _mark_due(factory, due, hash((label, r)) % 10_000)
        with factory() as s:
            uow = UnitOfWork(s)
            ctx = Ctx(uow=uow, clock=FrozenClock(NOW), settings=settings)
            t0 = time.perf_counter()
            res = sweep(ctx, NOW, batch=due)
            uow.commit()
            times.append(time.perf_counter() - t0)
        assert res.due == due and res.breached == due and res.escalated == due, res
    med = statistics.median(times)
    print(f"  {label}: sweep of {due:,} due orders: " + ", ".join(f"{t:.3f}s" for t in times)
          + f" (median {med:.3f}s)")
    return med


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--small", type=int, default=100_000)
    ap.add_argument("--large", type=int, default=1_000_000)
    ap.add_argument("--due", type=int, default=1_000)
    ap.add_argument("--rounds", type=int, default=3)
    a = ap.parse_args()
    settings, factory, customer_id, policy_id = _setup()
    t0 = time.perf_counter()
    _load(a.small, customer_id, policy_id)
    print(f"loaded {a.small:,} open orders in {time.perf_counter() - t0:.1f}s")
    small = _time_sweeps(settings, factory, a.due, a.rounds, f"{a.small:,} open")
    t0 = time.perf_counter()
    _load(a.large - a.small, customer_id, policy_id)
    print(f"loaded {a.large - a.small:,} more ({a.large:,} open) in {time.perf_counter() - t0:.1f}s")
    large = _time_sweeps(settings, factory, a.due, a.rounds, f"{a.large:,} open")
    ratio = large / small
    print(f"SLA sweep, {a.due:,} due: {a.small:,} open {small:.3f}s · {a.large:,} open {large:.3f}s · "
          f"ratio {ratio:.2f} (target ≤ 2.00) {'OK' if ratio <= 2 else 'FAIL'}")
    with psycopg.connect(PG, autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {DB} WITH (FORCE)")


if __name__ == "__main__":
    main()
