"""Monthly evaluation of 5,000 agents over a month of rollups (issue 22 target: under 30 s), against pandas.

    .venv/bin/python -m bench.evaluation_bench [--agents 5000] [--team-size 20] [--days 30]
        [--db postgresql+psycopg://postgres@127.0.0.1:5432/telqc_evaluation_bench]

Data: a scratch PostgreSQL database, migrated; one province, ``--agents`` agents in teams of ``--team-size``;
for every agent and day of November 2026 four rows of the staff cube (hotline and WeChat × two categories) with
the parts the default scheme reads (contacts offered and handled, handling time, transfers and repeats, QA
scores and fatal items, survey answers, orders resolved in time, complaints closed in time), drawn per agent
around the agent's own level so grades spread over A–D and about one agent in thirty has a fatal item. The rows
go in with COPY (untimed).

Timed, each on the same rows:
  1. TelQC: ``evaluation.service.run`` for the month and the province — the KPI read from the rollups by agent,
     normalisation, weights, the fatal gate, grades, ranks within teams, 5,000 result rows with their
     component explanation written, audited and committed;
  2. peer: pandas — the same rollup rows read with ``pandas.read_sql``, summed by agent, the same KPI formulas,
     normalisation (target and mid-rank percentile within the team), weights rescaled for missing components,
     gate, grades and competition ranks, vectorised; it writes nothing.
Every agent's total, grade and rank must agree (totals to 0.01), else the bench exits non-zero.
"""

from __future__ import annotations

import argparse
import io
import sys
import time
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import numpy as np
import pandas as pd  # type: ignore[import-untyped]
import psycopg
from bench.scratch_db import reset_db, vacuum
from sqlalchemy import func, insert, select, text

from telqc.core import migrate
from telqc.core.auth import hash_password
from telqc.core.clock import FrozenClock
from telqc.core.db import make_engine, make_sessionmaker
from telqc.core.models import Team, User
from telqc.core.settings import Settings
from telqc.demo import reference
from telqc.evaluation import schemas as es
from telqc.evaluation import service as evaluation
from telqc.evaluation.models import EvaluationResult
from telqc.jobs.dispatch import job_ctx

PROVINCE = "440000"
TZ = ZoneInfo("Asia/Shanghai")
START = date(2026, 11, 1)
PARTS = ("offered", "handled", "handle_sum", "transferred", "fcr_repeat", "qa_n", "qa_sum", "qa_fatal",
         "csat_n", "csat_good", "resolved", "resolved_in_time", "cmp_closed", "cmp_closed_in_time")


def load(url: str, agents: int, team_size: int, days: int) -> tuple[int, int]:
    """Teams, agents and their rollup rows; returns (agents, rollup rows)."""
    settings = Settings(database_url=url)
    factory = make_sessionmaker(make_engine(url))
    clock = FrozenClock(datetime(2026, 12, 2, 2, 0, tzinfo=UTC))
    with job_ctx(factory, clock, settings) as ctx:
        reference.load_reference(ctx)
    secret = hash_password("bench-password-1")
    with factory() as s, s.begin():
        first_team = (s.scalar(select(func.max(Team.id))) or 0) + 1
        teams = (agents + team_size - 1) // team_size
        s.execute(insert(Team), [{"id": first_team + t, "name": f"考评班组{t + 1:04d}", "province_code": PROVINCE}
                                 for t in range(teams)])
        first_user = (s.scalar(select(func.max(User.id))) or 0) + 1
        s.execute(insert(User), [{
            "id": first_user + a, "username": f"eval{a:05d}", "display_name": f"坐席{a + 1:05d}",
            "password_hash": secret, "role": "agent", "team_id": first_team + a // team_size,
            "region_scope": [PROVINCE], "skills": [], "is_active": True, "failed_logins": 0,
            "created_at": clock.now()} for a in range(agents)])
    with psycopg.connect(url.replace("postgresql+psycopg://", "postgresql://")) as c:
        c.execute("SELECT setval(pg_get_serial_sequence('users', 'id'), (SELECT max(id) FROM users))")
        c.execute("SELECT setval(pg_get_serial_sequence('teams', 'id'), (SELECT max(id) FROM teams))")
    rng = np.random.default_rng(7)
    level = rng.normal(0, 1, agents)          # an agent's own quality, shared by their KPIs
    fatal_agent = rng.random(agents) < 1 / 30
    buf = io.StringIO()
    rows = 0
    for d in range(days):
        day = datetime(START.year, START.month, START.day, tzinfo=TZ) + timedelta(days=d)
        stamp = day.astimezone(UTC).isoformat()
        for channel, category in (("voice", "billing"), ("voice", "fault"), ("wechat", "billing"),
                                  ("wechat", "fault")):
            n = len(level)
            offered = rng.poisson(12, n) + 1
            handled = np.minimum(offered, rng.poisson(11, n) + 1)
            handle_sum = handled * np.clip(rng.normal(400 - 50 * level, 40), 120, None)
            transferred = rng.binomial(handled, 0.06)
            repeat = rng.binomial(handled - transferred, np.clip(0.22 - 0.06 * level, 0.01, 0.6))
            qa_n = rng.binomial(1, 0.3, n)
            qa_sum = qa_n * np.clip(rng.normal(84 + 6 * level, 5), 0, 100)
            qa_fatal = qa_n * (fatal_agent & (rng.random(n) < 0.2))
            csat_n = rng.binomial(handled, 0.2)
            csat_good = rng.binomial(csat_n, np.clip(0.84 + 0.06 * level, 0.3, 1.0))
            resolved = rng.poisson(2, n)
            in_time = rng.binomial(resolved, np.clip(0.95 + 0.02 * level, 0.5, 1.0))
            cmp_closed = rng.binomial(1, 0.15, n)  # a complaint closed on some days
            cmp_in_time = rng.binomial(cmp_closed, np.clip(0.97 + 0.02 * level, 0.5, 1.0))
            for a in range(n):
                values = (offered[a], handled[a], round(float(handle_sum[a]), 1), transferred[a], repeat[a],
                          qa_n[a], round(float(qa_sum[a]), 1), qa_fatal[a], csat_n[a], csat_good[a],
                          resolved[a], in_time[a], cmp_closed[a], cmp_in_time[a])
                buf.write(f"ds\t{stamp}\t{channel}\t\t\t\t\t{category}\t{first_team + a // team_size}\t"
                          f"{first_user + a}\t" + "\t".join(str(v) for v in values) + "\n")
                rows += 1
    cols = ", ".join(["cube", "period_start", "channel", "province_code", "city_code", "area_type", "tier",
                      "category", "team_id", "agent_id", *PARTS])
    with (psycopg.connect(url.replace("postgresql+psycopg://", "postgresql://")) as c,
          c.cursor().copy(f"COPY metrics_rollups ({cols}) FROM STDIN") as cp):
        cp.write(buf.getvalue())
    return agents, rows


def telqc_run(url: str, days: int) -> tuple[float, pd.DataFrame]:
    settings = Settings(database_url=url)
    factory = make_sessionmaker(make_engine(url))
    clock = FrozenClock(datetime(2026, 12, 2, 2, 0, tzinfo=UTC))
    end = START + timedelta(days=days - 1)
    t0 = time.perf_counter()
    with job_ctx(factory, clock, settings) as ctx:
        run = evaluation.run(ctx, es.RunIn(name="2026年11月坐席考评", period_start=START, period_end=end,
                                           province=PROVINCE))
        run_id = run.id
    took = time.perf_counter() - t0
    with factory() as s:
        got = pd.DataFrame([(r.agent_id, r.total, r.grade, r.rank_in_team) for r in
                            s.scalars(select(EvaluationResult).where(EvaluationResult.run_id == run_id))],
                           columns=["agent_id", "total", "grade", "rank"])
    return took, got.set_index("agent_id").sort_index()


def pandas_run(url: str, days: int) -> tuple[float, pd.DataFrame]:
    """The default scheme, written out with pandas (weights, targets and grades as in DEFAULT_SCHEME)."""
    t0 = time.perf_counter()
    start = datetime(START.year, START.month, START.day, tzinfo=TZ).astimezone(UTC)
    end = start + timedelta(days=days)
    engine = make_engine(url)
    with engine.connect() as c:
        agents = pd.read_sql(text("SELECT id AS agent_id, team_id FROM users WHERE role = 'agent' AND is_active "
                                  "AND region_scope::jsonb @> CAST(:p AS jsonb)"), c, params={"p": f'["{PROVINCE}"]'})
        facts = pd.read_sql(text(f"SELECT agent_id, {', '.join(PARTS)} FROM metrics_rollups WHERE cube = 'ds' "
                                 "AND period_start >= :s AND period_start < :e"), c, params={"s": start, "e": end})
    p = facts.groupby("agent_id").sum(min_count=1)
    p = agents.set_index("agent_id").join(p, how="left")

    def ratio(a: pd.Series, b: pd.Series) -> pd.Series:
        return (a / b).where(b > 0)

    v = pd.DataFrame(index=p.index)
    v["qa_score"] = ratio(p.qa_sum, p.qa_n)
    v["csat"] = ratio(p.csat_good, p.csat_n)
    v["fcr"] = ratio(p.handled - p.transferred - p.fcr_repeat, p.handled)
    v["aht"] = ratio(p.handle_sum, p.handled)
    v["sla_compliance"] = ratio(p.resolved_in_time, p.resolved)
    v["timely_complaint_handling"] = ratio(p.cmp_closed_in_time, p.cmp_closed)
    v["offered"] = p.offered
    fatal = ratio(p.qa_fatal, p.qa_n)
    pts = pd.DataFrame(index=p.index)
    pts["qa_score"] = (100 * v.qa_score / 90.0).clip(0, 100)
    pts["csat"] = (100 * v.csat / 0.90).clip(0, 100)
    pts["fcr"] = (100 * v.fcr / 0.75).clip(0, 100)
    pts["aht"] = (100 * 360.0 / v.aht).clip(0, 100).where(v.aht > 0, 100.0).where(v.aht.notna())
    pts["sla_compliance"] = (100 * v.sla_compliance / 0.95).clip(0, 100)
    pts["timely_complaint_handling"] = (100 * v.timely_complaint_handling / 0.98).clip(0, 100)
    team = p.team_id
    n = v.offered.notna().groupby(team).transform("sum")
    mid = v.offered.groupby(team).rank(method="average")  # 1-based mid-rank among the team's values
    pts["offered"] = (100 * (mid - 1) / (n - 1)).where(n > 1, 50.0).where(v.offered.notna())
    weights = pd.Series({"qa_score": 30, "csat": 25, "fcr": 15, "aht": 10, "sla_compliance": 10,
                         "timely_complaint_handling": 10, "offered": 10}, dtype=float)
    present = pts.notna().mul(weights, axis=1).sum(axis=1)
    total = (pts.fillna(0).mul(weights, axis=1).sum(axis=1) / present.where(present > 0)).fillna(0).round(2)
    total = total.where(~(fatal > 0), np.minimum(total, 79.99))
    grade = pd.cut(total, [-np.inf, 70, 80, 90, np.inf], right=False, labels=["D", "C", "B", "A"]).astype(str)
    rank = total.groupby(team).rank(method="min", ascending=False).astype(int)
    took = time.perf_counter() - t0
    return took, pd.DataFrame({"total": total, "grade": grade, "rank": rank}).sort_index()


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--agents", type=int, default=5000)
    ap.add_argument("--team-size", type=int, default=20)
    ap.add_argument("--days", type=int, default=30)
    ap.add_argument("--db", default="postgresql+psycopg://postgres@127.0.0.1:5432/telqc_evaluation_bench")
    args = ap.parse_args()
    reset_db(args.db)
    migrate.upgrade(args.db)
    t0 = time.perf_counter()
    agents, rows = load(args.db, args.agents, args.team_size, args.days)
    vacuum(args.db)
    print(f"loaded {agents:,} agents, {rows:,} rollup rows in {time.perf_counter() - t0:.1f} s")
    ours, got = telqc_run(args.db, args.days)
    peer, want = pandas_run(args.db, args.days)
    diff = (got.total - want.total).abs()
    bad = int((diff > 0.011).sum() + (got.grade != want.grade).sum() + (got["rank"] != want["rank"]).sum())
    grades = got.grade.value_counts().sort_index().to_dict()
    print(f"TelQC evaluation.service.run: {ours:.2f} s for {len(got):,} agents (target < 30 s); grades {grades}")
    print(f"pandas, same scheme, no writes: {peer:.2f} s")
    print(f"ratio TelQC / pandas: {ours / peer:.1f}x; agents disagreeing: {bad}")
    return 1 if bad or len(got) != agents else 0


if __name__ == "__main__":
    sys.exit(main())
