"""What one order costs TelQC, measured without load: the bench flow run one request at a time in-process.

`orders_bench.py` compares throughput under load, where run-to-run variation on a shared VM is ±20%. This
script isolates the cost of the same flow (create -> assign -> acknowledged -> in_progress -> resolved)
so that a change to the write path can be judged on its own: statements per step, CPU per order, and
under ``--callgrind`` the instructions per order, which valgrind counts exactly whatever the machine does
(PostgreSQL's own work is not included; the statement counts stand for it).

  .venv/bin/python bench/orders_flow_cost.py                      # CPU ms and statements per step, PG CPU
  .venv/bin/python bench/orders_flow_cost.py --callgrind          # + instructions per order, API side
  .venv/bin/python bench/orders_flow_cost.py --callgrind --relay  # instructions to relay those orders' events
  .venv/bin/python bench/orders_flow_cost.py --full               # writes answer the full order detail

The database (default telqc_cost on the local PostgreSQL) is dropped, migrated and seeded first, as the
throughput bench does; jobs run in celery mode against Redis db 8, and nothing consumes that queue: the
outbox is relayed here (``--relay``) or not at all.
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
BIN = REPO / ".venv" / "bin"
TRANSITIONS = ("acknowledged", "in_progress", "resolved")


def _toggle(on: bool) -> None:
    """Switch callgrind's counting for this process (no-op when not under valgrind)."""
    if os.environ.get("TELQC_FLOW_COST_CALLGRIND"):
        subprocess.run(["callgrind_control", "-i", "on" if on else "off", str(os.getpid())], check=True,
                       capture_output=True)


def postgres_cpu() -> float:
    """CPU seconds used so far by the PostgreSQL processes on this machine (Linux /proc; 0 elsewhere)."""
    total, hz = 0, os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100
    for pid in os.listdir("/proc") if os.path.isdir("/proc") else ():
        try:
            if not pid.isdigit() or b"postgres" not in Path(f"/proc/{pid}/cmdline").read_bytes():
                continue
            stat = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(stat[11]) + int(stat[12])
    return total / hz


def prepare(args: argparse.Namespace) -> dict[str, str]:
    import psycopg
    from psycopg import sql
    from psycopg.conninfo import conninfo_to_dict

    with psycopg.connect(args.pg, autocommit=True) as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(args.db)))
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(args.db)))
    pg = conninfo_to_dict(args.pg)
    env = {k: v for k, v in os.environ.items() if not k.startswith("TELQC_")}
    env.update(TELQC_DATABASE_URL=f"postgresql+psycopg://{pg.get('user', 'postgres')}@{pg.get('host', '127.0.0.1')}:"
                                  f"{pg.get('port', 5432)}/{args.db}",
               TELQC_DATA_DIR=str(REPO / "var" / "flow-cost"), TELQC_JOBS_MODE="celery",
               TELQC_CELERY_BROKER_URL="redis://127.0.0.1:6379/8")  # not db 15, the tests'
    for cmd in (["db", "upgrade"], ["seed", "--customers", "1000", "--days", "0", "--orders", "0"]):
        subprocess.run([str(BIN / "telqc"), *cmd], env=env, check=True, capture_output=True)
    return env


async def flows(n: int, warmup: int, full: bool, relay: bool) -> None:
    import httpx
    from sqlalchemy import event

    from telqc.api.app import create_app
    from telqc.core import events

    app = create_app()
    st = app.state
    statements = [0]

    def count(*_: Any) -> None:
        statements[0] += 1

    event.listen(st.engine, "before_cursor_execute", count)

    def drain() -> int:
        total = 0
        while (done := events.drain(st.sessionmaker, st.clock, st.settings, limit=500)) > 0:
            total += done
        return total

    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://telqc") as c:
        r = await c.post("/api/v1/auth/token", data={"username": "admin", "password": "telqc-demo"})
        c.headers["Authorization"] = f"Bearer {r.json()['access_token']}"
        if not full:
            c.headers["Prefer"] = "return=minimal"
        cats = [x["code"] for x in (await c.get("/api/v1/order-categories")).json() if x["order_type"] == "complaint"]
        cpu: collections.defaultdict[str, float] = collections.defaultdict(float)
        stmts: collections.Counter[str] = collections.Counter()

        async def step(name: str, url: str, body: dict[str, Any], expect: int) -> dict[str, Any]:
            t, s0 = time.process_time(), statements[0]
            resp = await c.post(url, json=body)
            if resp.status_code != expect:
                raise SystemExit(f"{name}: HTTP {resp.status_code} {resp.text[:300]}")
            cpu[name] += time.process_time() - t
            stmts[name] += statements[0] - s0
            return dict(resp.json())

        async def one(i: int) -> None:
            body = {"type": "complaint", "category": cats[i % len(cats)], "customer_id": 1 + i % 1000,
                    "channel": "hotline", "title": f"Cost order {i}", "description": f"Customer reports #{i}"}
            oid = (await step("create", "/api/v1/orders", body, 201))["id"]
            await step("assign", f"/api/v1/orders/{oid}/assign", {"handler_id": None}, 200)
            for to in TRANSITIONS:
                await step(to, f"/api/v1/orders/{oid}/transition", {"to": to, "reason": "step"}, 200)

        for i in range(warmup):  # imports, statement caches, prepared statements, then a warm relay
            await one(i)
        drain()
        cpu.clear()
        stmts.clear()
        t0, pg0 = time.process_time(), postgres_cpu()
        _toggle(not relay)
        for i in range(warmup, warmup + n):
            await one(i)
        _toggle(False)
        api_cpu, pg_cpu = time.process_time() - t0, postgres_cpu() - pg0
        for name in ("create", "assign", *TRANSITIONS):
            print(f"  {name:13s} {1000 * cpu[name] / n:7.2f} ms CPU  {stmts[name] / n:5.1f} statements")
        print(f"API, one order: {1000 * api_cpu / n:.2f} ms CPU, {sum(stmts.values()) / n:.1f} statements"
              f" ({'full detail' if full else 'Prefer: return=minimal'})")
        if not os.environ.get("TELQC_FLOW_COST_CALLGRIND"):  # under valgrind the API side is slowed, not PostgreSQL
            print(f"PostgreSQL, one order: {1000 * pg_cpu / n:.2f} ms CPU (its processes' CPU over the run)")
        if relay:
            s0, t0, pg0 = statements[0], time.process_time(), postgres_cpu()
            _toggle(True)
            relayed = drain()
            _toggle(False)
            pg_cpu = postgres_cpu() - pg0
            print(f"relay, one order: {1000 * (time.process_time() - t0) / n:.2f} ms CPU, "
                  f"{(statements[0] - s0) / n:.1f} statements ({relayed} events)")
            if not os.environ.get("TELQC_FLOW_COST_CALLGRIND"):
                print(f"PostgreSQL for the relay, one order: {1000 * pg_cpu / n:.2f} ms CPU")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--n", type=int, default=30, help="orders measured (default 30)")
    ap.add_argument("--warmup", type=int, default=5)
    ap.add_argument("--pg", default="postgresql://postgres@127.0.0.1:5432/postgres", help="admin DSN")
    ap.add_argument("--db", default="telqc_cost")
    ap.add_argument("--full", action="store_true", help="writes answer the full order detail")
    ap.add_argument("--relay", action="store_true", help="measure relaying the orders' events instead")
    ap.add_argument("--callgrind", action="store_true", help="count instructions under valgrind")
    args = ap.parse_args()
    if args.callgrind and not os.environ.get("TELQC_FLOW_COST_CALLGRIND"):
        env = prepare(args)
        out = REPO / "var" / "flow-cost" / "callgrind.out"
        out.parent.mkdir(parents=True, exist_ok=True)
        argv = [a for a in sys.argv[1:] if a != "--callgrind"]
        run = subprocess.run(["valgrind", "--tool=callgrind", "--instr-atstart=no", f"--callgrind-out-file={out}",
                              sys.executable, __file__, *argv],
                             env={**env, "TELQC_FLOW_COST_CALLGRIND": "1"}, capture_output=True, text=True)
        print(run.stdout, end="")
        collected = [line for line in run.stderr.splitlines() if "Collected :" in line]
        if run.returncode or not collected:
            raise SystemExit(run.stderr[-2000:])
        instr = int(collected[-1].split(":")[-1])
        print(f"instructions per order ({'relay' if args.relay else 'API'}, callgrind): {instr / args.n / 1e6:.1f} M")
        return
    if not os.environ.get("TELQC_FLOW_COST_CALLGRIND"):  # under valgrind the parent prepared the database
        os.environ.update(prepare(args))
    asyncio.run(flows(args.n, args.warmup, args.full, args.relay))


if __name__ == "__main__":
    main()
