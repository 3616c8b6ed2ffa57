"""Manager dashboard from rollups versus DuckDB scanning the raw facts, and rollup maintenance throughput.

  1. generates N contacts and M orders (each order: created, first response, resolved, closed and,
     for complaints, a callback) plus surveys, as raw facts in ``metrics_facts`` (contract payloads);
  2. folds them into rollups with the rebuild path (``ingest.rebuild``) -> facts/s (batch);
  3. pushes --live more contacts one by one through the live handler path (``ingest.ingest``,
     one commit per fact as the event relay does) -> facts/s (one worker);
  4. answers the full dashboard (every KPI, --days days, by day x channel x province where the KPI
     allows it) from rollups, and again with DuckDB scanning the same raw rows exported to Parquet,
     computing the same rollup parts with SQL and the same registry formulas; numbers must match.

Run:  .venv/bin/python bench/metrics_bench.py --contacts 200000 --orders 20000 [--days 90] [--live 2000]
          [--db postgresql+psycopg://postgres@127.0.0.1:5432/telqc_metrics_bench] [--json out.json]
The database named in --db is dropped and recreated. Percentile KPIs are compared via the same
fixed-bin histogram; mass complaints are not recomputed in DuckDB (reported as skipped).
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import psycopg
from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from telqc.core import migrate
from telqc.core.db import make_engine, make_sessionmaker
from telqc.metrics import ingest, registry, service, sketch
from telqc.metrics.models import MetricFact

TZ = ZoneInfo("Asia/Shanghai")
CHANNELS = ["hotline", "app", "web", "wechat", "store", "social"]
PROVINCES = [f"{11 + i}0000" for i in range(31)]
CATEGORIES = ["billing", "signal", "broadband", "plan", "roaming", "device", "service", "other"]
SKIP = {"mass_complaint"}


def _flat():  # type: ignore[no-untyped-def]
    import pyarrow as pa

    num, flag = pa.float64, pa.bool_
    return {"queue_wait_s": num, "talk_s": num, "hold_s": num, "acw_s": num, "abandoned": flag, "transferred": flag,
            "regulator": flag, "business_s": num, "resolution_business_s": num, "within_deadline": flag,
            "reopened": flag, "closed_loop": flag, "outcome": pa.string, "csat": num, "nps": num, "resolved": flag}


FLAT = _flat()


def reset_db(url: str) -> None:
    name = url.rsplit("/", 1)[1]
    admin = url.rsplit("/", 1)[0].replace("postgresql+psycopg://", "postgresql://") + "/postgres"
    with psycopg.connect(admin, autocommit=True) as c:
        c.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        c.execute(f"CREATE DATABASE {name}")
    migrate.upgrade(url)


def _dims(rnd: random.Random, category: str | None) -> dict:
    prov = rnd.choice(PROVINCES)
    return {"province_code": prov, "city_code": prov[:2] + f"{rnd.randint(1, 3):02d}00", "district_code": None,
            "area_type": rnd.choice(["urban", "urban", "rural"]), "tier": rnd.choice(["vip", "gold", "silver",
                                                                                   "regular", "regular"]),
            "channel": rnd.choice(CHANNELS), "team_id": rnd.randint(1, 20), "agent_id": rnd.randint(100, 499),
            "category": category}


def contact_payload(rnd: random.Random, cid: int, start: datetime, days: int, customers: int) -> dict:
    at = start + timedelta(seconds=rnd.randrange(days * 86400))
    ab = rnd.random() < 0.06
    wait = int(rnd.expovariate(1 / 18))
    return {"contact_id": cid, "customer_id": rnd.randint(1, customers), "started_at": at.isoformat(),
            "queue_wait_s": wait, "talk_s": 0 if ab else int(rnd.expovariate(1 / 240)),
            "hold_s": 0 if ab else rnd.choice([0, 0, 30]), "acw_s": 0 if ab else rnd.randint(10, 90),
            "abandoned": ab, "transferred": rnd.random() < 0.08, "answered_within_s": None if ab else wait,
            "dims": _dims(rnd, rnd.choice(CATEGORIES))}


def order_payloads(rnd: random.Random, oid: int, start: datetime, days: int, customers: int) -> list[tuple[str, dict]]:
    at = start + timedelta(seconds=rnd.randrange(days * 86400))
    typ = rnd.choice(["consultation", "business", "repair", "complaint"])
    d = _dims(rnd, rnd.choice(CATEGORIES))
    base = {"order_id": oid, "type": typ, "dims": d}
    out = [("order.created", {**base, "priority": "P3", "customer_id": rnd.randint(1, customers),
                              "created_at": at.isoformat(), "escalation_risk": False,
                              "regulator": typ == "complaint" and rnd.random() < 0.03})]
    t1 = at + timedelta(minutes=rnd.randint(5, 300))
    out.append(("order.first_response", {**base, "at": t1.isoformat(), "business_s": rnd.randint(60, 20000)}))
    t2 = t1 + timedelta(hours=rnd.randint(1, 72))
    out.append(("order.resolved", {**base, "at": t2.isoformat(), "resolution_business_s": rnd.randint(600, 300000),
                                   "within_deadline": rnd.random() < 0.9, "reopened": rnd.random() < 0.04,
                                   "solution_code": "x"}))
    out.append(("order.closed", {**base, "at": (t2 + timedelta(hours=1)).isoformat(),
                                 "within_deadline": rnd.random() < 0.95, "closed_loop": rnd.random() < 0.97}))
    if typ == "complaint":
        out.append(("order.callback_recorded", {**base, "at": (t2 + timedelta(hours=2)).isoformat(),
                                                "outcome": rnd.choice(["satisfied"] * 8 + ["unsatisfied",
                                                                                           "unreachable"]),
                                                "reason": None}))
        out.append(("survey.answered", {"survey_id": oid, "order_id": oid, "contact_id": None, "agent_id": None,
                                        "csat": rnd.randint(1, 5), "nps": rnd.randint(0, 10),
                                        "resolved": rnd.random() < 0.8, "at": t2.isoformat(), "dims": d}))
    return out


def load_facts(factory, args) -> tuple[int, datetime, datetime]:  # type: ignore[no-untyped-def]
    rnd = random.Random(42)
    end = datetime.combine(date(2026, 10, 31), datetime.min.time(), TZ).astimezone(UTC)
    start = end - timedelta(days=args.days)
    customers = max(1, args.contacts // 5)
    now = datetime.now(UTC)
    n, batch, eid = 0, [], 0

    def flush(session: Session) -> None:
        nonlocal batch
        if batch:
            session.execute(insert(MetricFact), [
                {c.key: getattr(f, c.key) for c in MetricFact.__table__.columns if c.key != "id"} for f in batch])
            batch = []

    with factory() as s:
        for cid in range(1, args.contacts + 1):
            batch.append(ingest.make_fact("contact.closed", contact_payload(rnd, cid, start, args.days, customers),
                                          None, now))
            n += 1
            if len(batch) >= 10000:
                flush(s)
        for oid in range(1, args.orders + 1):
            for kind, p in order_payloads(rnd, oid, start, args.days, customers):
                eid += 1
                batch.append(ingest.make_fact(kind, p, eid, now))
                n += 1
            if len(batch) >= 10000:
                flush(s)
        flush(s)
        s.commit()
    return n, start, end


def dashboard_from_rollups(factory, start, end) -> tuple[float, dict]:  # type: ignore[no-untyped-def]
    """One read per cut: every KPI that allows channel x province, then the rest by day only."""
    wide = [k for k in registry.KPIS if {"channel", "province"} <= k.dims and k.name not in SKIP]
    narrow = [k for k in registry.KPIS if k not in wide and k.name not in SKIP]
    with factory() as s:
        t = time.perf_counter()
        out = service.evaluate(s, wide, start, end, period="day", group_by=["channel", "province"], filters={}, tz=TZ)
        out |= service.evaluate(s, narrow, start, end, period="day", group_by=[], filters={}, tz=TZ)
        return time.perf_counter() - t, out


def export_parquet(factory, path: Path) -> None:  # type: ignore[no-untyped-def]
    import pyarrow as pa
    import pyarrow.parquet as pq

    fixed = ("id", "kind", "ts", "order_type", "customer_id", "channel", "province_code", "category")
    cols: dict[str, list] = {k: [] for k in (*fixed, *FLAT)}
    with factory() as s:
        for f in s.execute(select(MetricFact.id, MetricFact.kind, MetricFact.at, MetricFact.order_type,
                                  MetricFact.customer_id, MetricFact.channel, MetricFact.province_code,
                                  MetricFact.category, MetricFact.payload)).yield_per(20000):
            for k, v in zip(fixed, f[:-1], strict=True):
                cols[k].append(v.replace(tzinfo=None) if k == "ts" else v)
            p = json.loads(f[-1])
            for k in FLAT:
                cols[k].append(p.get(k))
    pq.write_table(pa.table(cols, schema=pa.schema(
        [(k, t) for k, t in zip(fixed, (pa.int64(), pa.string(), pa.timestamp("us"), pa.string(), pa.int64(),
                                        pa.string(), pa.string(), pa.string()), strict=True)]
        + [(k, FLAT[k]()) for k in FLAT])), path)


def _bins(expr: str) -> str:
    cases = " ".join(f"WHEN {expr} <= {e} THEN {i}" for i, e in enumerate(sketch.EDGES[:-1]))
    return f"(CASE {cases} ELSE {len(sketch.EDGES) - 1} END)"


def dashboard_from_duckdb(path: Path, start: datetime, end: datetime) -> tuple[float, dict]:
    """The same parts by day x channel x province with SQL over the raw rows, then the registry formulas."""
    import duckdb

    con = duckdb.connect()
    j = "{}"
    num = "{}"
    cb = "kind='order.callback_recorded' AND order_type='complaint'"
    parts = {
        "offered": "kind='contact.closed'",
        "abandoned_short": f"kind='contact.closed' AND abandoned AND {num.format('queue_wait_s')}<=5",
        "abandoned_late": f"kind='contact.closed' AND abandoned AND {num.format('queue_wait_s')}>5",
        "handled": "h", "answered_20": f"h AND {num.format('queue_wait_s')}<=20",
        "answered_15": f"h AND {num.format('queue_wait_s')}<=15", "transferred": "h AND transferred",
        "complaints": "kind='order.created' AND order_type='complaint'",
        "complaints_regulator": "kind='order.created' AND order_type='complaint' AND regulator",
        "frt_n": "kind='order.first_response'", "field_n": "kind='order.first_response' AND order_type='repair'",
        "resolved": "kind='order.resolved'",
        "resolved_in_time": "kind='order.resolved' AND within_deadline",
        "biz_completed": "kind='order.resolved' AND order_type='business'",
        "biz_accurate": "kind='order.resolved' AND order_type='business' AND reopened IS FALSE",
        "cmp_closed": "kind='order.closed' AND order_type='complaint'",
        "cmp_closed_in_time": "kind='order.closed' AND order_type='complaint' AND within_deadline",
        "cmp_closed_loop": "kind='order.closed' AND order_type='complaint' AND closed_loop",
        "cb_answers": f"{cb} AND outcome IN ('satisfied','unsatisfied')",
        "cb_satisfied": f"{cb} AND outcome='satisfied'",
        "survey_answered": "kind='survey.answered'",
        "csat_n": f"kind='survey.answered' AND {j.format('csat')} IS NOT NULL",
        "csat_good": f"kind='survey.answered' AND {num.format('csat')}>=4",
        "nps_n": f"kind='survey.answered' AND {j.format('nps')} IS NOT NULL",
        "nps_pro": f"kind='survey.answered' AND {num.format('nps')}>=9",
        "nps_det": f"kind='survey.answered' AND {num.format('nps')}<=6",
        "fcrs_n": f"kind='survey.answered' AND {j.format('resolved')} IS NOT NULL",
        "fcrs_yes": "kind='survey.answered' AND resolved",
        "fcr_repeat": "h AND NOT tr AND nxt IS NOT NULL AND nxt - ts <= INTERVAL 7 DAY",
        "cmp_repeat": "kind='order.created' AND order_type='complaint' AND prv IS NOT NULL"
                      " AND ts - prv <= INTERVAL 30 DAY",
    }
    sums = {
        "wait_sum": ("h", num.format("queue_wait_s")),
        "handle_sum": ("h", f"{num.format('talk_s')}+{num.format('hold_s')}+{num.format('acw_s')}"),
        "frt_sum": ("kind='order.first_response'", num.format("business_s")),
        "field_sum": ("kind='order.first_response' AND order_type='repair'", num.format("business_s")),
        "res_sum": ("kind='order.resolved'", num.format("resolution_business_s")),
        "csat_sum": ("kind='survey.answered'", num.format("csat")),
    }
    hists = {"asa": ("h", num.format("queue_wait_s")),
             "aht": ("h", f"{num.format('talk_s')}+{num.format('hold_s')}+{num.format('acw_s')}"),
             "frt": ("kind='order.first_response'", num.format("business_s")),
             "res": ("kind='order.resolved'", num.format("resolution_business_s"))}
    sel = [f'SUM(CASE WHEN {c} THEN 1 ELSE 0 END) AS "{p}"' for p, c in parts.items()]
    sel += [f'SUM(CASE WHEN {c} THEN {e} ELSE 0 END) AS "{p}"' for p, (c, e) in sums.items()]
    for m, (c, _) in hists.items():
        sel += [f'SUM(CASE WHEN {c} AND b_{m} = {i} THEN 1 ELSE 0 END) AS "{sketch.part(m, i)}"'
                for i in range(len(sketch.EDGES))]
    base = f"""
      WITH raw AS (SELECT * FROM read_parquet('{path}')),
      f AS (
        SELECT *, kind='contact.closed' AND abandoned IS FALSE AS h,
               transferred AS tr,
               CASE WHEN kind='contact.closed' AND customer_id IS NOT NULL AND category <> '' THEN
                 LEAD(ts) OVER (PARTITION BY kind, customer_id, category ORDER BY ts, id) END AS nxt,
               CASE WHEN kind='order.created' AND order_type='complaint' AND customer_id IS NOT NULL AND category <> ''
                 THEN LAG(ts) OVER (PARTITION BY kind, order_type, customer_id, category ORDER BY ts, id) END AS prv
        FROM raw)
      SELECT CAST(ts + INTERVAL 8 HOUR AS DATE) AS day, channel, province_code, {{sel}}
      FROM (SELECT *, {', '.join(f'{_bins(e)} AS b_{m}' for m, (_, e) in hists.items())} FROM f)
      WHERE ts >= TIMESTAMP '{start.replace(tzinfo=None)}' AND ts < TIMESTAMP '{end.replace(tzinfo=None)}'
      GROUP BY GROUPING SETS ((day, channel, province_code), (day))"""
    t = time.perf_counter()
    # cmp_repeat's LAG partition must include order_type: ok because of the CASE filter above.
    rows = con.execute(base.replace("{sel}", ", ".join(sel))).fetchall()
    names = [d[0] for d in con.description]
    cells = {}
    for r in rows:
        key = (r[0].isoformat(), r[1], r[2])
        cells[key] = {n: float(v or 0) for n, v in zip(names[3:], r[3:], strict=True) if v}
    out: dict[str, dict] = {}
    for k in registry.KPIS:
        if k.name in SKIP:
            continue
        wide = {"channel", "province"} <= k.dims
        out[k.name] = {((day, (ch, pr)) if wide else (day, ())): k.value(p) for (day, ch, pr), p in cells.items()
                       if (ch is not None) == wide and any(x in p for x in k.parts)}
    return time.perf_counter() - t, out


def compare(a: dict, b: dict) -> list[str]:
    bad = []
    for name in b:
        av = a.get(name, {})
        empty = registry.BY_NAME[name].value({})  # a cell without this KPI's parts
        for key in set(av) | set(b[name]):
            x, y = av.get(key, empty), b[name].get(key, empty)
            if x is None and y is None:
                continue
            if x is None or y is None or abs(x - y) > 1e-9 * max(1.0, abs(x)):
                bad.append(f"{name} {key}: rollup {x} duckdb {y}")
    return bad


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--contacts", type=int, default=200_000)
    ap.add_argument("--orders", type=int, default=20_000)
    ap.add_argument("--days", type=int, default=90)
    ap.add_argument("--live", type=int, default=2000)
    ap.add_argument("--db", default="postgresql+psycopg://postgres@127.0.0.1:5432/telqc_metrics_bench")
    ap.add_argument("--json")
    args = ap.parse_args()
    reset_db(args.db)
    factory = make_sessionmaker(make_engine(args.db))
    t = time.perf_counter()
    n, start, end = load_facts(factory, args)
    load_s = time.perf_counter() - t
    print(f"loaded {n} facts in {load_s:.1f}s", flush=True)
    with factory() as s:
        t = time.perf_counter()
        folded = ingest.rebuild(s, start, end, TZ)
        s.commit()
        rebuild_s = time.perf_counter() - t
    print(f"rebuilt rollups from {folded} facts in {rebuild_s:.1f}s", flush=True)
    rnd = random.Random(7)
    t = time.perf_counter()
    for i in range(args.live):
        with factory() as s:
            p = contact_payload(rnd, 10_000_000 + i, start, args.days, max(1, args.contacts // 5))
            ingest.ingest(s, "contact.closed", p, None, datetime.now(UTC), TZ)
            s.commit()
    live_s = time.perf_counter() - t
    rollup_times, res = [], {}
    for _ in range(3):
        dt, res = dashboard_from_rollups(factory, start, end)
        rollup_times.append(dt)
    with tempfile.TemporaryDirectory() as tmp:
        pq = Path(tmp) / "facts.parquet"
        export_parquet(factory, pq)
        duck_times, duck = [], {}
        for _ in range(3):
            dt, duck = dashboard_from_duckdb(pq, start, end)
            duck_times.append(dt)
    bad = compare(res, duck)
    out = {
        "contacts": args.contacts, "orders": args.orders, "facts": n + args.live, "days": args.days,
        "load_s": round(load_s, 2), "rebuild_facts_per_s": round(folded / rebuild_s),
        "live_facts_per_s": round(args.live / live_s, 1),
        "dashboard_rollups_s": round(statistics.median(rollup_times), 4),
        "dashboard_duckdb_s": round(statistics.median(duck_times), 4),
        "speedup": round(statistics.median(duck_times) / statistics.median(rollup_times), 2),
        "kpis_compared": len(duck), "cells": sum(len(v) for v in duck.values()), "mismatches": len(bad),
    }
    print(json.dumps(out, indent=2))
    for line in bad[:10]:
        print("MISMATCH", line)
    if args.json:
        Path(args.json).write_text(json.dumps(out, indent=2))
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
