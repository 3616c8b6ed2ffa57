"""Manager dashboard from rollups versus DuckDB scanning the raw facts, and rollup maintenance throughput.

  1. seed: a fresh PostgreSQL database filled by the real `telqc seed` command (customers, ~--contacts
     contacts over --days days, --orders work orders: the first few hundred through the order services,
     the rest bulk-generated, see telqc.demo.orders_bulk; the command ends with `metrics backfill`);
  2. rebuild: every rollup of the seeded days recomputed from the stored facts (``ingest.rebuild``)
     -> facts/s;
  3. live: --live new contract events (contacts and orders of existing customers, times within the
     last hour) written to the outbox and drained by ``events.drain`` with the metrics handler in
     batches of --batch (one transaction per batch), in this process -> facts/s on one worker (after
     --warmup events drained untimed; their rate, the cold first pass, is reported too);
  4. dashboard: every KPI in the registry, the last --days days, by day x channel x province (or the
     part of channel x province the KPI allows), answered from rollups (``service.compute``), and by
     DuckDB scanning the same raw facts exported to Parquet, computing the same parts with SQL; both
     sides then go through the same registry formulas; every cell must be identical.

Run:  .venv/bin/python -m bench.metrics_bench --contacts 1000000 --orders 100000 [--days 90] [--live 20000]
          [--batch 1000] [--warmup 5000] [--db postgresql+psycopg://postgres@127.0.0.1:5432/telqc_metrics_bench]
          [--reuse [--skip-rebuild] [--live 0]] [--json out.json]
The database named in --db is dropped and recreated unless --reuse (then the seed is skipped and the
database is used as it is, e.g. to re-measure after a long seed). The test server runs with autovacuum
off: the bench runs VACUUM ANALYZE after the seed, the rebuild and the live phase, as autovacuum would.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import numpy as np
from bench.scratch_db import reset_db, vacuum
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from telqc.core import events
from telqc.core.clock import SystemClock
from telqc.core.context import Ctx
from telqc.core.db import make_engine, make_sessionmaker
from telqc.core.settings import Settings
from telqc.core.uow import UnitOfWork
from telqc.metrics import ingest, registry, rollup, service, sketch
from telqc.metrics.models import MetricFact

TZ = ZoneInfo("Asia/Shanghai")
CUTS = (("channel", "province"), ("channel",), ("province",), ())


def log(msg: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {msg}", flush=True)


def seed(args: argparse.Namespace) -> float:
    """`telqc seed` itself, in a subprocess; each line it prints is stamped with the time since the start."""
    customers = args.customers or max(1000, args.contacts // 10)
    per_day = args.contacts / (customers * args.days)
    cmd = [str(Path(sys.executable).parent / "telqc"), "seed", "--customers", str(customers), "--days",
           str(args.days), "--contacts-per-day", f"{per_day:.6f}", "--orders", str(args.orders)]
    log(f"seed: {' '.join(cmd[1:])}")
    t = time.perf_counter()
    with subprocess.Popen(cmd, env={**os.environ, "TELQC_DATABASE_URL": args.db}, stdout=subprocess.PIPE,
                          stderr=subprocess.STDOUT, text=True) as p:
        assert p.stdout is not None
        for line in p.stdout:  # each stage's last line, stamped: the seed's own timings
            if line.strip():
                log(f"  seed +{time.perf_counter() - t:.0f}s | {line.rstrip()}")
    if p.returncode:
        raise subprocess.CalledProcessError(p.returncode, cmd)
    return time.perf_counter() - t


def window(days: int) -> tuple[datetime, datetime, datetime]:
    """(start of everything seeded, start of the dashboard's days, end of today), local midnights."""
    today = datetime.now(TZ).date()
    return (rollup.local_midnight(today - timedelta(days=days + 1), TZ),
            rollup.local_midnight(today - timedelta(days=days - 1), TZ),
            rollup.local_midnight(today + timedelta(days=1), TZ))


def rebuild(factory: sessionmaker[Session], start: datetime, end: datetime) -> tuple[int, float]:
    with factory() as s:
        total = s.scalar(select(func.count()).select_from(MetricFact).where(MetricFact.at >= start,
                                                                            MetricFact.at < end))
        t = time.perf_counter()
        last = [t]

        def progress(n: int) -> None:
            if time.perf_counter() - last[0] > 10:
                last[0] = time.perf_counter()
                log(f"  rebuild: {n:,} / {total:,} facts")

        folded = ingest.rebuild(s, start, end, TZ, progress=progress)
        s.commit()
        return folded, time.perf_counter() - t


def live_events(factory: sessionmaker[Session], n: int, now: datetime,
                seed: int = 7) -> list[tuple[str, str, int, dict[str, Any]]]:
    """Contacts (85 %) and new orders (15 %) of existing customers, within the last hour."""
    from telqc.contacts.models import Contact
    from telqc.core.models import User
    from telqc.customers.models import Customer
    from telqc.orders.models import Order

    rnd = random.Random(seed)
    with factory() as s:
        custs = s.execute(select(Customer.id, Customer.province_code, Customer.city_code, Customer.district_code,
                                 Customer.area_type, Customer.tier).order_by(Customer.id).limit(200_000)).all()
        agents = s.execute(select(User.id, User.team_id, User.region_scope).where(User.role == "agent")).all()
        contact_id = max(int(s.scalar(select(func.max(Contact.id))) or 0),
                         int(s.scalar(select(func.max(MetricFact.contact_id))) or 0))
        order_id = max(int(s.scalar(select(func.max(Order.id))) or 0),
                       int(s.scalar(select(func.max(MetricFact.order_id))) or 0))
    by_province = {p: (a, t) for a, t, scope in agents for p in scope or []}
    cats = ["账单查询", "套餐变更", "宽带故障", "网络信号", "流量咨询"]
    out = []
    for _ in range(n):
        cid, prov, city, district, area, tier = rnd.choice(custs)
        agent, team = by_province.get(prov, (None, None))
        at = now - timedelta(seconds=rnd.randrange(3600))
        d = {"province_code": prov, "city_code": city, "district_code": district, "area_type": area, "tier": tier,
             "channel": rnd.choice(["hotline", "hotline", "app", "wechat"]), "team_id": team, "agent_id": agent,
             "category": rnd.choice(cats)}
        if rnd.random() < 0.85:
            contact_id += 1
            ab = rnd.random() < 0.06
            wait = int(rnd.expovariate(1 / 18))
            out.append(("contact.closed", "contact", contact_id, {
                "contact_id": contact_id, "customer_id": cid, "started_at": at.isoformat(), "queue_wait_s": wait,
                "talk_s": 0 if ab else int(rnd.expovariate(1 / 240)), "hold_s": 0, "acw_s": 0 if ab else 30,
                "abandoned": ab, "transferred": rnd.random() < 0.08, "answered_within_s": None if ab else wait,
                "dims": d}))
        else:
            order_id += 1
            typ = rnd.choice(["consultation", "business", "repair", "complaint"])
            out.append(("order.created", "order", order_id, {
                "order_id": order_id, "type": typ, "priority": "P3", "customer_id": cid, "created_at": at.isoformat(),
                "escalation_risk": False, "regulator": False, "dims": {**d, "category": f"{typ}.billing"}}))
    return out


def live(factory: sessionmaker[Session], settings: Settings, n: int, batch: int,
         warmup: int) -> tuple[int, float, float]:
    """Events into the outbox, then the relay: only metrics' handler is registered, so it is what is timed.

    The first ``warmup`` events are drained first, untimed: a relay runs continuously, with its
    indexes' recent pages in memory; the first pass after a restart (and a VACUUM) is reported apart.
    Returns (facts, seconds, facts/s of the warm-up).
    """
    events._discovered = True  # skip other domains' handlers (surveys, knowledge, hub): not what is measured
    import telqc.metrics.handlers  # noqa: F401  (registers the batch handler)

    clock = SystemClock()
    evs = live_events(factory, warmup + n, clock.now())

    def run(part: list[tuple[str, str, int, dict[str, Any]]]) -> tuple[int, float]:
        with factory() as s:
            uow = UnitOfWork(s)
            ctx = Ctx(uow=uow, clock=clock, settings=settings)
            for kind, entity, eid, payload in part:
                events.emit(ctx, kind, entity, eid, **payload)
            uow.commit()
            before = int(s.scalar(select(func.count()).select_from(MetricFact)) or 0)
        t = time.perf_counter()
        while events.drain(factory, clock, settings, limit=batch):
            pass
        dt = time.perf_counter() - t
        with factory() as s:
            return int(s.scalar(select(func.count()).select_from(MetricFact)) or 0) - before, dt

    cold = run(evs[:warmup]) if warmup else (0, 1.0)
    log(f"  live: warm-up {cold[0]:,} facts at {cold[0] / cold[1]:,.0f} facts/s; now {n:,} events in batches "
        f"of {batch}")
    facts, dt = run(evs[warmup:])
    return facts, dt, cold[0] / cold[1]


def _by_cut() -> dict[tuple[str, ...], list[registry.KPI]]:
    out: dict[tuple[str, ...], list[registry.KPI]] = {c: [] for c in CUTS}
    for k in registry.KPIS:
        out[tuple(d for d in ("channel", "province") if d in k.dims)].append(k)
    return out


def dashboard_from_rollups(factory: sessionmaker[Session], start: datetime,
                           end: datetime) -> tuple[float, dict[str, Any]]:
    with factory() as s:
        t = time.perf_counter()
        out: dict[str, Any] = {}
        for cut, kpis in _by_cut().items():
            if kpis:
                out |= service.compute(s, kpis, start, end, period="day", group_by=list(cut), filters={},
                                       tz=TZ).as_dicts()
        return time.perf_counter() - t, out


# ---- DuckDB over Parquet -------------------------------------------------------------------------
FLAT = {"queue_wait_s": "f", "answered_within_s": "f", "talk_s": "f", "hold_s": "f", "acw_s": "f",
        "abandoned": "b", "transferred": "b", "regulator": "b", "business_s": "f", "resolution_business_s": "f",
        "within_deadline": "b", "reopened": "b", "closed_loop": "b", "outcome": "s", "csat": "f", "nps": "f",
        "resolved": "b", "score": "f", "passed": "b", "fatal": "b", "available_s": "f", "scores": "l"}
FIXED = ("id", "kind", "ts", "order_type", "customer_id", "channel", "province_code", "city_code", "category")


def export_parquet(factory: sessionmaker[Session], folder: Path) -> tuple[Path, Path]:
    import pyarrow as pa
    import pyarrow.parquet as pq

    types = {"f": pa.float64(), "b": pa.bool_(), "s": pa.string(), "l": pa.list_(pa.float64())}
    schema = pa.schema([("id", pa.int64()), ("kind", pa.string()), ("ts", pa.timestamp("us")),
                        ("order_type", pa.string()), ("customer_id", pa.int64()), ("channel", pa.string()),
                        ("province_code", pa.string()), ("city_code", pa.string()), ("category", pa.string())]
                       + [(k, types[t]) for k, t in FLAT.items()])
    facts = folder / "facts.parquet"
    f = MetricFact
    done = 0
    with factory() as s, pq.ParquetWriter(facts, schema) as w:
        stmt = select(f.id, f.kind, f.at, f.order_type, f.customer_id, f.channel, f.province_code, f.city_code,
                      f.category, f.payload)
        for part in s.execute(stmt, execution_options={"yield_per": 200_000}).partitions():
            cols: dict[str, list[Any]] = {k: [] for k in (*FIXED, *FLAT)}
            for r in part:
                fixed: tuple[Any, ...] = r[:-1]
                for k, v in zip(FIXED, fixed, strict=True):
                    cols[k].append(v.replace(tzinfo=None) if k == "ts" else v)
                p = json.loads(r[-1])
                for k in FLAT:
                    cols[k].append(p.get(k))
            w.write_table(pa.table(cols, schema=schema))
            done += len(part)
            log(f"  export: {done:,} facts")
    from telqc.customers.models import Customer

    customers = folder / "customers.parquet"
    with factory() as s:
        ids, provs = [], []
        for rows in s.execute(select(Customer.id, Customer.province_code),
                              execution_options={"yield_per": 500_000}).partitions():
            ids += [r[0] for r in rows]
            provs += [r[1] for r in rows]
    pq.write_table(pa.table({"id": ids, "province_code": provs}), customers)
    return facts, customers


def _bins(expr: str) -> str:
    cases = " ".join(f"WHEN {expr} <= {e} THEN {i}" for i, e in enumerate(sketch.EDGES[:-1]))
    return f"(CASE {cases} ELSE {len(sketch.EDGES) - 1} END)"


def _part_sql() -> tuple[dict[str, tuple[str, str]], dict[str, str]]:
    """Every KPI part as (condition, value) over one raw fact, as ``facts.base_parts`` defines it."""
    c, fr, rs = "kind='contact.closed'", "kind='order.first_response'", "kind='order.resolved'"
    cmp = "order_type='complaint'"
    cb = f"kind='order.callback_recorded' AND {cmp}"
    sa, qa = "kind='survey.answered'", "kind='inspection.scored'"
    handle = "(COALESCE(talk_s, 0) + COALESCE(hold_s, 0) + COALESCE(acw_s, 0))"
    within = "COALESCE(answered_within_s, COALESCE(queue_wait_s, 0))"
    parts = {
        "offered": (c, "1"),
        "abandoned_short": (f"{c} AND COALESCE(abandoned, false) AND COALESCE(queue_wait_s, 0) <= 5", "1"),
        "abandoned_late": (f"{c} AND COALESCE(abandoned, false) AND COALESCE(queue_wait_s, 0) > 5", "1"),
        "handled": ("h", "1"), "answered_20": (f"h AND {within} <= 20", "1"),
        "answered_15": (f"h AND {within} <= 15", "1"), "wait_sum": ("h", "COALESCE(queue_wait_s, 0)"),
        "handle_sum": ("h", handle), "transferred": ("h AND COALESCE(transferred, false)", "1"),
        "fcr_repeat": ("h AND NOT COALESCE(transferred, false) AND nxt IS NOT NULL AND nxt - ts <= INTERVAL 7 DAY",
                       "1"),
        "complaints": (f"kind='order.created' AND {cmp}", "1"),
        "complaints_regulator": (f"kind='order.created' AND {cmp} AND COALESCE(regulator, false)", "1"),
        "cmp_repeat": (f"kind='order.created' AND {cmp} AND prv IS NOT NULL AND ts - prv <= INTERVAL 30 DAY", "1"),
        "frt_n": (fr, "1"), "frt_sum": (fr, "COALESCE(business_s, 0)"),
        "field_n": (f"{fr} AND order_type='repair'", "1"),
        "field_sum": (f"{fr} AND order_type='repair'", "COALESCE(business_s, 0)"),
        "resolved": (rs, "1"), "resolved_in_time": (f"{rs} AND COALESCE(within_deadline, false)", "1"),
        "res_sum": (rs, "COALESCE(resolution_business_s, 0)"),
        "biz_completed": (f"{rs} AND order_type='business'", "1"),
        "biz_accurate": (f"{rs} AND order_type='business' AND NOT COALESCE(reopened, false)", "1"),
        "cmp_closed": (f"kind='order.closed' AND {cmp}", "1"),
        "cmp_closed_in_time": (f"kind='order.closed' AND {cmp} AND COALESCE(within_deadline, false)", "1"),
        "cmp_closed_loop": (f"kind='order.closed' AND {cmp} AND COALESCE(closed_loop, false)", "1"),
        "cb_answers": (f"{cb} AND outcome IN ('satisfied', 'unsatisfied')", "1"),
        "cb_satisfied": (f"{cb} AND outcome = 'satisfied'", "1"),
        "survey_invited": ("kind='survey.invited'", "1"), "survey_answered": (sa, "1"),
        "csat_n": (f"{sa} AND csat IS NOT NULL", "1"), "csat_sum": (f"{sa} AND csat IS NOT NULL", "csat"),
        "csat_good": (f"{sa} AND csat >= 4", "1"), "nps_n": (f"{sa} AND nps IS NOT NULL", "1"),
        "nps_pro": (f"{sa} AND nps >= 9", "1"), "nps_det": (f"{sa} AND nps <= 6", "1"),
        "fcrs_n": (f"{sa} AND resolved IS NOT NULL", "1"), "fcrs_yes": (f"{sa} AND resolved", "1"),
        "qa_n": (qa, "1"), "qa_sum": (qa, "COALESCE(score, 0)"),
        "qa_pass": (f"{qa} AND COALESCE(passed, false) AND NOT COALESCE(fatal, false)", "1"),
        "qa_fatal": (f"{qa} AND COALESCE(fatal, false)", "1"),
        "cal_n": ("kind='inspection.calibrated' AND len(scores) >= 2", "1"),
        "cal_var": ("kind='inspection.calibrated' AND len(scores) >= 2", "list_aggregate(scores, 'var_pop')"),
        "available_s": ("kind='agent.availability'", "COALESCE(available_s, 0)"),
    }
    hists = {"asa": ("h", "COALESCE(queue_wait_s, 0)"), "aht": ("h", handle),
             "frt": (fr, "COALESCE(business_s, 0)"), "res": (rs, "COALESCE(resolution_business_s, 0)")}
    for m, (cond, _) in hists.items():
        parts |= {sketch.part(m, i): (f"{cond} AND b_{m} = {i}", "1") for i in range(len(sketch.EDGES))}
    return parts, {m: e for m, (_, e) in hists.items()}


def dashboard_from_duckdb(facts: Path, customers: Path, start: datetime, end: datetime) -> tuple[float, dict[str, Any]]:
    """The same parts with SQL over the raw rows (one scan, four grouping sets), then the registry formulas."""
    import duckdb

    parts_sql, hist_values = _part_sql()
    needed = sorted({p for k in registry.KPIS for p in k.parts} - {"subscribers", "mass"})
    sel = ", ".join(f'SUM(CASE WHEN {parts_sql[p][0]} AND ({parts_sql[p][1]}) <> 0 THEN {parts_sql[p][1]} END) '
                    f'AS "{p}"' for p in needed)
    lo, hi = start.replace(tzinfo=None), end.replace(tzinfo=None)
    q = f"""
      WITH f AS (
        SELECT *, kind = 'contact.closed' AND NOT COALESCE(abandoned, false) AS h,
          CASE WHEN kind = 'contact.closed' AND customer_id IS NOT NULL AND category <> '' THEN
            LEAD(ts) OVER (PARTITION BY kind, customer_id, category ORDER BY ts, id) END AS nxt,
          CASE WHEN kind = 'order.created' AND order_type = 'complaint' AND customer_id IS NOT NULL
            AND category <> '' THEN
            LAG(ts) OVER (PARTITION BY kind, order_type, customer_id, category ORDER BY ts, id) END AS prv
        FROM read_parquet('{facts}'))
      SELECT CAST(ts + INTERVAL 8 HOUR AS DATE) AS day, channel, province_code,
             GROUPING(channel) AS gc, GROUPING(province_code) AS gp, {sel}
      FROM (SELECT *, {', '.join(f'{_bins(e)} AS b_{m}' for m, e in hist_values.items())} FROM f)
      WHERE ts >= TIMESTAMP '{lo}' AND ts < TIMESTAMP '{hi}'
      GROUP BY GROUPING SETS ((day, channel, province_code), (day, channel), (day, province_code), (day))"""
    mass = f"""
      WITH c AS (SELECT ts, id, category, city_code, province_code, time_bucket(INTERVAL 30 MINUTE, ts) AS w
                 FROM read_parquet('{facts}') WHERE kind = 'order.created' AND order_type = 'complaint'
                 AND category <> '' AND city_code <> ''),
           r AS (SELECT *, row_number() OVER (PARTITION BY category, city_code, w ORDER BY ts, id) AS rk FROM c)
      SELECT CAST(w + INTERVAL 8 HOUR AS DATE) AS day, province_code, count(*) FROM r
      WHERE rk = {rollup_mass_n()} AND w >= TIMESTAMP '{lo}' AND w < TIMESTAMP '{hi}' GROUP BY ALL"""
    con = duckdb.connect()
    t = time.perf_counter()
    rows = con.execute(q).fetchall()
    bursts = con.execute(mass).fetchall()
    subs = dict(con.execute(f"SELECT province_code, count(*) FROM read_parquet('{customers}') GROUP BY ALL")
                .fetchall())
    cells: dict[tuple[str, ...], tuple[list[Any], list[Any]]] = {c: ([], []) for c in CUTS}
    for r in rows:
        cut = tuple(d for d, g in (("channel", r[3]), ("province", r[4])) if not g)
        group = tuple(str(v) for v, g in ((r[1], r[3]), (r[2], r[4])) if not g)
        cells[cut][0].append((r[0].isoformat(), group))
        cells[cut][1].append([np.nan if v is None else float(v) for v in r[5:]])
    out: dict[str, Any] = {}
    for cut, kpis in _by_cut().items():
        keys, vals = cells[cut]
        frame = rollup.Frame(keys, (*needed, "mass"), np.hstack([np.array(vals, dtype=float).reshape(
            len(keys), len(needed)), np.full((len(keys), 1), np.nan)]))
        if cut == ("province",):
            where = {k: i for i, k in enumerate(keys)}
            for day, province, n in bursts:
                i = where.get((day.isoformat(), (province,)))
                if i is None:  # a day and province with bursts but no other fact
                    where[(day.isoformat(), (province,))] = i = len(frame.keys)
                    frame = rollup.Frame([*frame.keys, (day.isoformat(), (province,))], frame.parts,
                                         np.vstack([frame.values, np.full((1, len(frame.parts)), np.nan)]))
                frame.values[i, -1] = float(n)
        geo = "province" in cut
        base = np.array([float(subs.get(g[cut.index("province")], 0)) if geo else float(sum(subs.values()))
                         for _, g in frame.keys])
        out |= service.kpi_values(kpis, frame, base).as_dicts()
    return time.perf_counter() - t, out


def rollup_mass_n() -> int:
    from telqc.metrics import facts

    return facts.MASS_N


def compare(a: dict[str, Any], b: dict[str, Any]) -> list[str]:
    """Every cell of every KPI: the same keys, and the same value to the last bit."""
    bad = []
    for name in registry.BY_NAME:
        av, bv = a.get(name, {}), b.get(name, {})
        for key in set(av) | set(bv):
            if key not in av or key not in bv or av[key] != bv[key]:
                bad.append(f"{name} {key}: rollup {av.get(key, 'absent')} duckdb {bv.get(key, 'absent')}")
    return bad


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--contacts", type=int, default=1_000_000)
    ap.add_argument("--orders", type=int, default=100_000)
    ap.add_argument("--customers", type=int, help="default: contacts / 10")
    ap.add_argument("--days", type=int, default=90)
    ap.add_argument("--live", type=int, default=20_000)
    ap.add_argument("--batch", type=int, default=1000, help="relay batch size for the live measurement")
    ap.add_argument("--warmup", type=int, default=5000, help="live events drained untimed first")
    ap.add_argument("--db", default="postgresql+psycopg://postgres@127.0.0.1:5432/telqc_metrics_bench")
    ap.add_argument("--reuse", action="store_true", help="use the database as it is (no reset, no seed)")
    ap.add_argument("--skip-rebuild", action="store_true", help="with --reuse: keep the rollups as they are")
    ap.add_argument("--json")
    args = ap.parse_args()
    out: dict[str, Any] = {"contacts_asked": args.contacts, "orders_asked": args.orders, "days": args.days}
    if not args.reuse:
        reset_db(args.db)
        out["seed_s"] = round(seed(args), 1)
        log(f"seeded in {out['seed_s']} s")
    settings = Settings(database_url=args.db)
    factory = make_sessionmaker(make_engine(args.db))
    vacuum(args.db)
    first, start, end = window(args.days)
    with factory() as s:
        out["facts"] = {k: int(n) for k, n in s.execute(select(MetricFact.kind, func.count())
                                                        .group_by(MetricFact.kind))}
    log(f"facts: {out['facts']}")
    if not args.skip_rebuild:
        folded, dt = rebuild(factory, first, end)
        out |= {"rebuild_facts": folded, "rebuild_s": round(dt, 1), "rebuild_facts_per_s": round(folded / dt)}
        log(f"rebuilt rollups from {folded:,} facts in {dt:.1f} s ({folded / dt:,.0f} facts/s)")
        vacuum(args.db)
    if args.live:
        n, dt, cold = live(factory, settings, args.live, args.batch, args.warmup)
        out |= {"live_facts": n, "live_s": round(dt, 2), "live_batch": args.batch,
                "live_facts_per_s": round(n / dt), "live_warmup_facts": args.warmup,
                "live_warmup_facts_per_s": round(cold)}
        log(f"live: {n:,} facts through the relay in {dt:.2f} s ({n / dt:,.0f} facts/s)")
        vacuum(args.db)
    rollup_times: list[float] = []
    res: dict[str, Any] = {}
    for _ in range(5):
        dt, res = dashboard_from_rollups(factory, start, end)
        rollup_times.append(dt)
    log(f"dashboard from rollups: {[round(x, 3) for x in rollup_times]} s")
    with tempfile.TemporaryDirectory() as tmp:
        t = time.perf_counter()
        facts, customers = export_parquet(factory, Path(tmp))
        log(f"exported to Parquet in {time.perf_counter() - t:.0f} s ({facts.stat().st_size / 1e6:.0f} MB)")
        duck_times: list[float] = []
        duck: dict[str, Any] = {}
        for _ in range(3):
            dt, duck = dashboard_from_duckdb(facts, customers, start, end)
            duck_times.append(dt)
            log(f"dashboard by DuckDB: {dt:.2f} s")
    bad = compare(res, duck)
    r, d = statistics.median(rollup_times), statistics.median(duck_times)
    out |= {
        "dashboard_rollups_s": round(r, 4), "dashboard_duckdb_s": round(d, 3), "speedup": round(d / r, 1),
        "kpis": len(res), "cells": sum(len(v) for v in duck.values()),
        "cells_with_value": sum(v is not None for c in duck.values() for v in c.values()), "mismatches": len(bad),
        "period": f"{(start.astimezone(TZ)).date()}..{(end.astimezone(TZ) - timedelta(days=1)).date()}",
        "host": f"{os.cpu_count()} cpu, shared", "date": date.today().isoformat(),
    }
    print(json.dumps(out, indent=2, ensure_ascii=False))
    for line in bad[:10]:
        print("MISMATCH", line)
    if args.json:
        Path(args.json).write_text(json.dumps(out, indent=2, ensure_ascii=False))
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
