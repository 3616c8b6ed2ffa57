"""Loading usage months at a provincial operator's volume (issue 23 §1): the import's COPY path, one run.

    PYTHONPATH=src .venv/bin/python -m bench.insight_load_bench [--subscriptions 250000] [--months 4] [--db URL]

A scratch PostgreSQL database built by the real migrations (created, then dropped; default `LOAD_DB`) holds
`--subscriptions` customers with one plan each. One usage file per month (CSV as an operator sends it, a row
per subscription) goes through `insight.service.import_usage` in one job transaction, as `telqc insight
import usage` runs it: parse and check every row (pydantic, text policy, customers and plans referred to),
create the month's partition, COPY into a staging table, replace by key into the partition, audit. Printed
per month: the import's time, of which parsing and checking (timed alone first), and rows/s.

Then, on the last month: the same file imported again (every row replaces one: the DELETE pruned to the
month's partition, then the insert), and the same rows written into the emptied partition by executemany
(SQLAlchemy's insert of a list of rows: psycopg's batched INSERT … VALUES) and by a bare psycopg COPY into the
partitioned table (the floor: no parse, no staging, no replace); VACUUM ANALYZE between runs. Last, the
partitions a 3-month read plans (EXPLAIN) and the table's size. A 10M-subscription month is 10× a
1M-subscription file; the rates hold if the month's partition and its index fit the server's memory.
"""

from __future__ import annotations

import argparse
import io
import time
from datetime import UTC, date, datetime

import numpy as np
import psycopg
from bench.scratch_db import reset_db, vacuum
from sqlalchemy import text

from telqc.core import migrate
from telqc.core.clock import FrozenClock
from telqc.core.db import make_engine, make_sessionmaker
from telqc.core.settings import Settings
from telqc.demo import reference
from telqc.insight import partitions, repository, service
from telqc.jobs.dispatch import job_ctx

LOAD_DB = "postgresql+psycopg://postgres@127.0.0.1:5432/telqc_insight_load_bench"
AT = datetime(2026, 12, 8, 2, 0, tzinfo=UTC)
PLAN = "5G129"
HEAD = "customer_id,subscription,month,data_mb,voice_min,sms,roaming_mb,terminal_model\n"
MODELS = ("HUAWEI Mate 60", "iPhone 15", "小米 14", "OPPO Reno11", "vivo X100", "荣耀 Magic6")


def month_of(first: date, i: int) -> date:
    index = first.year * 12 + first.month - 1 + i
    return date(index // 12, index % 12 + 1, 1)


def usage_file(n: int, month: date, rng: np.random.Generator) -> bytes:
    """A month's file for customers 1..n, one subscription each; usage drawn as a heavy-tailed mix."""
    data = rng.lognormal(9.5, 1.0, n).astype(np.int64)
    voice = rng.poisson(300, n)
    sms = rng.poisson(8, n)
    roam = np.where(rng.random(n) < 0.03, rng.integers(1, 5000, n), 0)
    model = rng.integers(0, len(MODELS), n)
    out = io.StringIO()
    out.write(HEAD)
    m = month.strftime("%Y-%m")
    for i in range(n):
        out.write(f"{i + 1},{PLAN},{m},{data[i]},{voice[i]},{sms[i]},{roam[i]},{MODELS[model[i]]}\n")
    return out.getvalue().encode()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--subscriptions", type=int, default=250_000, help="rows per monthly file")
    parser.add_argument("--months", type=int, default=4, help="monthly files imported one after another")
    parser.add_argument("--first", default="2026-08", help="the first file's month (YYYY-MM)")
    parser.add_argument("--db", default=LOAD_DB, help=f"scratch PostgreSQL database, created and dropped "
                        f"(default {LOAD_DB})")
    parser.add_argument("--seed", type=int, default=42)
    a = parser.parse_args()
    first = datetime.strptime(a.first, "%Y-%m").date()
    months = [month_of(first, i) for i in range(a.months)]
    rng = np.random.default_rng(a.seed)
    url, n = a.db, a.subscriptions
    pg = url.replace("postgresql+psycopg://", "postgresql://")
    reset_db(url)
    try:
        migrate.upgrade(url)
        settings = Settings(database_url=url)
        engine = make_engine(url)
        factory = make_sessionmaker(engine)
        clock = FrozenClock(AT)
        with job_ctx(factory, clock, settings) as ctx:
            reference.load_reference(ctx)
        t0 = time.perf_counter()
        with factory() as s, s.begin():  # bare customers, each holding one plan (the import checks both)
            s.execute(text(
                "INSERT INTO customers (id, name, id_number, address, province_code, city_code, district_code, "
                "area_type, tier, tags, lifecycle, joined_on, verify_failures, created_at, updated_at, version) "
                "SELECT i, 'bench', 'x', 'x', '440000', '440100', '440106', 'urban', 'regular', '[]', 'mature', "
                "date '2020-01-01', 0, now(), now(), 1 FROM generate_series(1, :n) AS i"), {"n": n})
            s.execute(text("INSERT INTO customer_plans (customer_id, plan_code, monthly_fee, started_on) "
                           "SELECT i, :plan, 129, date '2020-01-01' FROM generate_series(1, :n) AS i"),
                      {"n": n, "plan": PLAN})
        vacuum(url)
        print(f"setup: {n:,} customers with plan {PLAN}: {time.perf_counter() - t0:.1f} s")
        files = {m: usage_file(n, m, rng) for m in months}
        print(f"files: {len(months)} × {n:,} rows, {sum(map(len, files.values())) / 2**20:,.1f} MB of CSV")

        total_rows, total_time = 0, 0.0
        for m in months:
            name = f"usage_{m:%Y%m}.csv"
            t0 = time.perf_counter()
            with job_ctx(factory, clock, settings) as ctx:
                parsed = service.parse(ctx, "usage", files[m], name)
                ctx.session.rollback()
            t_parse = time.perf_counter() - t0
            del parsed
            t0 = time.perf_counter()
            with job_ctx(factory, clock, settings) as ctx:
                out = service.import_usage(ctx, files[m], name)
            took = time.perf_counter() - t0
            assert out.rows == n and out.replaced == 0, out
            total_rows += n
            total_time += took
            print(f"import {m:%Y-%m}: {n:,} rows in {took:6.1f} s ({n / took:9,.0f} rows/s), of which parse "
                  f"and check {t_parse:5.1f} s")
            vacuum(url)
        print(f"import total: {total_rows:,} rows in {total_time:.1f} s ({total_rows / total_time:,.0f} rows/s)")

        last = months[-1]
        t0 = time.perf_counter()
        with job_ctx(factory, clock, settings) as ctx:
            out = service.import_usage(ctx, files[last], f"usage_{last:%Y%m}_again.csv")
        again = time.perf_counter() - t0
        assert out.replaced == n, out
        vacuum(url)

        with job_ctx(factory, clock, settings) as ctx:
            rows = service.parse(ctx, "usage", files[last], "rows.csv")
            ctx.session.rollback()
        dicts = [dict(zip(rows.columns, r, strict=True)) | {"imported_at": AT} for r in rows.rows]
        part = partitions.name(last)

        def empty() -> None:
            with psycopg.connect(pg, autocommit=True) as c:
                c.execute(f"TRUNCATE {part}")
            vacuum(url)

        def count() -> int:
            with psycopg.connect(pg) as c:
                got = c.execute(f"SELECT count(*) FROM {part}").fetchone()
            return int(got[0]) if got else 0

        empty()
        t0 = time.perf_counter()
        with factory() as s, s.begin():
            repository.add_usage(s, dicts)  # the partition exists: one INSERT … VALUES per batch
        t_many = time.perf_counter() - t0
        assert count() == n
        empty()
        cols = (*rows.columns, "imported_at")
        t0 = time.perf_counter()
        with psycopg.connect(pg) as c, c.cursor() as cur, \
                cur.copy(f"COPY {partitions.TABLE} ({', '.join(cols)}) FROM STDIN") as cp:
            for r in rows.rows:
                cp.write_row((*r, AT))
        t_copy = time.perf_counter() - t0
        assert count() == n
        vacuum(url)
        print(f"month {last:%Y-%m} again through the import (every row replaced): {again:6.1f} s "
              f"({n / again:9,.0f} rows/s)")
        print(f"the same {n:,} rows into the emptied partition: executemany {t_many:6.1f} s "
              f"({n / t_many:9,.0f} rows/s); bare COPY {t_copy:6.1f} s ({n / t_copy:9,.0f} rows/s)")

        window = months[-3:]
        with engine.connect() as conn:
            plan = conn.exec_driver_sql(
                f"EXPLAIN (FORMAT JSON) SELECT customer_id, sum(data_mb) FROM {partitions.TABLE} "
                f"WHERE month >= '{window[0]}' AND month <= '{window[-1]}' GROUP BY customer_id").scalar_one()[0]
            size = conn.scalar(text("SELECT sum(pg_total_relation_size(i.inhrelid)) FROM pg_inherits i "
                                 "WHERE i.inhparent = to_regclass(:t)"), {"t": partitions.TABLE})
            every = partitions.existing(conn)
        scanned: set[str] = set()

        def walk(node: dict[str, object]) -> None:
            if isinstance(node.get("Relation Name"), str):
                scanned.add(str(node["Relation Name"]))
            children = node.get("Plans")
            for child in children if isinstance(children, list) else []:
                walk(child)

        walk(plan["Plan"])
        print(f"a 3-month read plans {len(scanned)} of {len(every)} partitions: {', '.join(sorted(scanned))}")
        print(f"stored: {total_rows:,} rows, {int(size or 0) / 2**20:,.0f} MB with the key's index "
              f"({int(size or 0) / total_rows:.0f} bytes a row)")
        engine.dispose()
    finally:
        name = url.rsplit("/", 1)[1]
        admin = url.rsplit("/", 1)[0].replace("postgresql+psycopg://", "postgresql://") + "/postgres"
        with psycopg.connect(admin, autocommit=True) as c:
            c.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


if __name__ == "__main__":
    main()
