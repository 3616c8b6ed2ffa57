"""Soak: mixed traffic against two API processes and a Celery worker on PostgreSQL; one API process is killed
midway and started again, as a process supervisor would.

  .venv/bin/python -m bench.soak                   # the issue's bounded run: 10 minutes (from the repository root)
  .venv/bin/python -m bench.soak --minutes 2       # a short look

Traffic, spread over both API processes like a balancer would (a request that finds its process gone is
counted as an error and sent once more to the other process):
- agents: create a complaint, assign it (automatic routing), three transitions to resolved;
- supervisors: the order list, one order's detail, two KPIs;
- TMF621 clients: create a trouble ticket, read it back, list;
- imports: a JSON Lines file of 20 interactions every few seconds.

At the end every acknowledged write (a 2xx answer) is looked up in the database: an order must be there with
its last acknowledged status or a later one, a ticket and an imported interaction must be there. The audit chain
is verified with `telqc audit verify`. Memory is each process's resident set (its whole process group), from
the end of the warm-up (a fifth of the run) to the end; the killed process is measured from its restart.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import itertools
import json
import os
import random
import signal
import subprocess
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import psycopg
from bench.orders_bench import (
    HOST,
    LOG_DIR,
    REPO,
    TELQC_BIN,
    celery_worker,
    conninfo_for,
    free_port,
    pct,
    reset_database,
    run_checked,
    stop_process_group,
)

DB = "telqc_soak"
FLOW = ("acknowledged", "in_progress", "resolved")
ORDER_STATES = ("new", "assigned", *FLOW)
PASSWORD = "telqc-demo"


@dataclass
class Api:
    """One API process (`telqc serve --workers 1`: uvicorn in one process), restartable."""

    port: int
    env: dict[str, str]
    proc: subprocess.Popen[bytes] | None = None
    started: float = 0.0

    @property
    def base(self) -> str:
        return f"http://{HOST}:{self.port}"

    def start(self) -> None:
        LOG_DIR.mkdir(parents=True, exist_ok=True)
        log = (LOG_DIR / f"soak-api-{self.port}.log").open("a")
        cmd = [str(TELQC_BIN / "telqc"), "serve", "--workers", "1", "--host", HOST, "--port", str(self.port),
               "--log-level", "warning"]
        self.proc = subprocess.Popen(cmd, env=self.env, cwd=REPO, stdout=log, stderr=subprocess.STDOUT,
                                     start_new_session=True)
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            with contextlib.suppress(httpx.TransportError):
                httpx.get(f"{self.base}/login", timeout=2, trust_env=False)
                self.started = time.monotonic()
                return
            time.sleep(0.2)
        raise RuntimeError(f"API on {self.port} did not start; see {LOG_DIR}")

    def kill(self) -> None:
        assert self.proc is not None
        os.killpg(self.proc.pid, signal.SIGKILL)
        self.proc.wait()


@dataclass
class Tally:
    """What the clients saw: latencies and errors by kind, and every acknowledged write."""

    latency: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    errors: Counter[str] = field(default_factory=Counter)
    kill_errors: Counter[str] = field(default_factory=Counter)
    requests: int = 0
    gave_up: int = 0
    kill_window: tuple[float, float] | None = None  # monotonic start, end (end set when the restart is up)
    order_status: dict[int, str] = field(default_factory=dict)
    tickets: set[str] = field(default_factory=set)
    contacts: set[int] = field(default_factory=set)

    def in_kill(self, t: float) -> bool:
        if self.kill_window is None:
            return False
        start, end = self.kill_window
        return start <= t <= end + 2.0  # connections opened just before the restart may still fail

    def error(self, kind: str, what: str, sent: float) -> None:
        """Counted as during the kill when the request was sent or answered inside its window."""
        during = self.in_kill(sent) or self.in_kill(time.monotonic())
        (self.kill_errors if during else self.errors)[f"{kind}: {what}"] += 1


class Traffic:
    """Sends each request to the next process; a transport error is retried once on the other one."""

    def __init__(self, apis: list[Api], tally: Tally, tokens: dict[str, str]) -> None:
        self.apis, self.tally, self.tokens = apis, tally, tokens
        self.turn = itertools.count()
        self.clients = [httpx.AsyncClient(base_url=a.base, timeout=60, trust_env=False) for a in apis]

    async def call(self, kind: str, role: str, method: str, url: str, ok: tuple[int, ...] = (200, 201),
                   **kw: Any) -> httpx.Response | None:
        headers = {"Authorization": f"Bearer {self.tokens[role]}"}
        first = next(self.turn) % len(self.clients)
        for attempt in range(2):
            client = self.clients[(first + attempt) % len(self.clients)]
            t0 = time.monotonic()
            self.tally.requests += 1
            try:
                r = await client.request(method, url, headers=headers, **kw)
            except httpx.TransportError as exc:  # in flight when the process died, or sent to it while down
                self.tally.error(kind, type(exc).__name__, t0)
                continue
            self.tally.latency[kind].append((time.monotonic() - t0) * 1000)
            if r.status_code in ok:
                return r
            self.tally.error(kind, f"HTTP {r.status_code} {r.text[:80]}", t0)
            return None
        self.tally.gave_up += 1  # both processes refused it: the client saw this request fail
        return None

    async def close(self) -> None:
        for c in self.clients:
            await c.aclose()


async def agent(t: Traffic, rng: random.Random, customers: list[int], category: str, stop: float) -> None:
    while time.monotonic() < stop:
        body = {"type": "complaint", "category": category, "customer_id": rng.choice(customers),
                "channel": "hotline", "title": "宽带晚间频繁掉线", "description": "客户反映近三天每晚掉线，已重启光猫"}
        r = await t.call("order create", "admin", "POST", "/api/v1/orders", json=body)
        if r is None:
            continue
        oid = int(r.json()["id"])
        t.tally.order_status[oid] = "new"
        r = await t.call("order assign", "admin", "POST", f"/api/v1/orders/{oid}/assign", json={"handler_id": None})
        if r is None:
            continue
        t.tally.order_status[oid] = str(r.json().get("status", "assigned"))
        for to in FLOW:
            r = await t.call("order transition", "admin", "POST", f"/api/v1/orders/{oid}/transition",
                             json={"to": to, "reason": "处理中"})
            if r is None:
                break
            t.tally.order_status[oid] = to


async def supervisor(t: Traffic, rng: random.Random, kpis: list[str], stop: float) -> None:
    while time.monotonic() < stop:
        r = await t.call("order list", "supervisor", "GET", "/api/v1/orders", params={"limit": 50})
        items = r.json().get("items", []) if r is not None else []
        if items:
            await t.call("order detail", "supervisor", "GET", f"/api/v1/orders/{rng.choice(items)['id']}")
        await t.call("metrics", "supervisor", "GET", "/api/v1/metrics", params={"kpi": kpis})
        await asyncio.sleep(0.2)


async def tmf_client(t: Traffic, customers: list[int], rng: random.Random, stop: float) -> None:
    base = "/tmf-api/troubleTicket/v4/troubleTicket"
    while time.monotonic() < stop:
        body = {"name": "家宽无法上网", "description": "光猫 LOS 灯闪红，无法上网", "severity": "Major",
                "ticketType": "complaint", "channel": {"id": "hotline"}, "category": "complaint.network",
                "relatedParty": [{"id": str(rng.choice(customers)), "role": "customer",
                                  "@referredType": "Customer"}]}
        r = await t.call("tmf create", "admin", "POST", base, json=body)
        if r is not None:
            tid = str(r.json()["id"])
            t.tally.tickets.add(tid)
            await t.call("tmf get", "admin", "GET", f"{base}/{tid}")
        await t.call("tmf list", "admin", "GET", base, params={"limit": 20})


async def importer(t: Traffic, rng: random.Random, stop: float) -> None:
    seq = itertools.count()
    while time.monotonic() < stop:
        start = datetime.now(UTC) - timedelta(minutes=30)
        lines = []
        for _ in range(20):
            n = next(seq)
            lines.append(json.dumps({
                "external_id": f"soak-{os.getpid()}-{n}", "channel": "hotline", "agent": "agent",
                "started_at": start.isoformat(), "talk_s": 60, "turns": [
                    {"speaker": "agent", "start_ms": 0, "end_ms": 2000, "text": "您好，很高兴为您服务"},
                    {"speaker": "customer", "start_ms": 2100, "end_ms": 6000, "text": "我家宽带晚上老是掉线"},
                ]}, ensure_ascii=False))
        files = {"file": ("calls.jsonl", "\n".join(lines).encode(), "application/x-ndjson")}
        r = await t.call("import", "admin", "POST", "/api/v1/interactions/import", files=files)
        if r is not None:
            t.tally.contacts.update(int(i) for i in r.json()["contact_ids"])
        await asyncio.sleep(rng.uniform(3, 6))


def rss_kb(pgid: int) -> int:
    """Resident set of every process in the group (a worker's pool and beat included)."""
    total = 0
    for pid in filter(str.isdigit, os.listdir("/proc")):
        with contextlib.suppress(OSError, ValueError, IndexError):
            with open(f"/proc/{pid}/stat") as f:
                if int(f.read().rsplit(")", 1)[1].split()[2]) != pgid:
                    continue
            with open(f"/proc/{pid}/status") as f:
                total += next(int(line.split()[1]) for line in f if line.startswith("VmRSS:"))
    return total


def celery_pgid() -> int:
    out = subprocess.run(["pgrep", "-f", "telqc.jobs.celery_app worker"], capture_output=True, text=True).stdout
    return os.getpgid(int(out.split()[0]))


async def memory_sampler(procs: dict[str, Any], samples: dict[str, list[tuple[float, int]]], stop: float) -> None:
    while time.monotonic() < stop:
        for name, pgid in procs.items():
            group = pgid() if callable(pgid) else pgid
            if group:
                samples[name].append((time.monotonic(), rss_kb(group)))
        await asyncio.sleep(5)


async def login(base: str, user: str) -> str:
    async with httpx.AsyncClient(base_url=base, trust_env=False) as c:
        r = await c.post("/api/v1/auth/token", data={"username": user, "password": PASSWORD})
        r.raise_for_status()
        return str(r.json()["access_token"])


Samples = dict[str, list[tuple[float, int]]]


async def run_load(args: argparse.Namespace, apis: list[Api]) -> tuple[Tally, Samples, float]:
    tally = Tally()
    tokens = {u: await login(apis[0].base, u) for u in ("admin", "supervisor")}
    async with httpx.AsyncClient(base_url=apis[0].base, trust_env=False,
                                 headers={"Authorization": f"Bearer {tokens['admin']}"}) as c:
        customers = list(range(1, args.customers + 1))  # telqc seed numbers its customers from 1
        cats = [x["code"] for x in (await c.get("/api/v1/order-categories")).json() if x["order_type"] == "complaint"]
        kpis = [k["name"] for k in (await c.get("/api/v1/metrics/registry")).json()][:2]
    parents = {c.rsplit(".", 1)[0] for c in cats}
    category = next(c for c in cats if c not in parents)
    traffic = Traffic(apis, tally, tokens)
    t0 = time.monotonic()
    stop = t0 + args.minutes * 60
    samples: dict[str, list[tuple[float, int]]] = defaultdict(list)
    procs: dict[str, Any] = {f"api {a.port}": (lambda a=a: a.proc.pid if a.proc else 0) for a in apis}
    procs["celery worker"] = celery_pgid()

    async def killer() -> None:
        await asyncio.sleep(args.minutes * 30)
        print(f"  {time.monotonic() - t0:.0f} s: SIGKILL the API process on {apis[0].port}", flush=True)
        tally.kill_window = (time.monotonic(), float("inf"))
        apis[0].kill()
        await asyncio.sleep(args.down_seconds)
        await asyncio.to_thread(apis[0].start)
        tally.kill_window = (tally.kill_window[0], time.monotonic())
        print(f"  {time.monotonic() - t0:.0f} s: restarted", flush=True)

    async def progress() -> None:
        while time.monotonic() < stop:
            await asyncio.sleep(30)
            print(f"  {time.monotonic() - t0:.0f} s: {tally.requests} requests, {sum(tally.errors.values())} errors, "
                  f"{sum(tally.kill_errors.values())} during the kill", flush=True)

    tasks = [agent(traffic, random.Random(i), customers, category, stop) for i in range(args.agents)]
    tasks += [supervisor(traffic, random.Random(100 + i), kpis, stop) for i in range(args.supervisors)]
    tasks += [tmf_client(traffic, customers, random.Random(200 + i), stop) for i in range(args.tmf)]
    tasks += [importer(traffic, random.Random(300), stop), killer(), progress(), memory_sampler(procs, samples, stop)]
    await asyncio.gather(*tasks)
    await traffic.close()
    return tally, samples, t0


def lost_writes(args: argparse.Namespace, tally: Tally) -> dict[str, int]:
    with psycopg.connect(conninfo_for(args.pg, DB)) as conn:
        status: dict[int, str] = {int(r[0]): str(r[1]) for r in conn.execute("SELECT id, status FROM orders")}
        contacts = {int(r[0]) for r in conn.execute("SELECT id FROM contacts")}
    rank = {state: i for i, state in enumerate(ORDER_STATES)}  # a state after resolved ranks above them all
    lost_orders = sum(1 for oid, acked in tally.order_status.items()
                      if oid not in status or rank.get(status[oid], len(rank)) < rank.get(acked, 1))
    return {"orders": lost_orders, "tickets": sum(1 for t in tally.tickets if int(t) not in status),
            "interactions": len(tally.contacts - contacts)}


def report(tally: Tally, samples: dict[str, list[tuple[float, int]]], t0: float, args: argparse.Namespace,
           lost: dict[str, int], audit_ok: bool) -> None:
    warm = t0 + args.minutes * 12
    print(f"\nsoak: {args.minutes:g} min, {tally.requests} requests, "
          f"{sum(tally.errors.values())} errors outside the kill, {sum(tally.kill_errors.values())} during it "
          f"(of which {tally.gave_up} failed on the other process too)")
    print(f"{'kind':<18} {'requests':>9} {'p50 ms':>8} {'p99 ms':>8}")
    for kind, values in sorted(tally.latency.items()):
        v = sorted(values)
        print(f"{kind:<18} {len(v):>9} {pct(v, 50):>8.1f} {pct(v, 99):>8.1f}")
    for title, errors in (("errors outside the kill", tally.errors), ("errors during the kill", tally.kill_errors)):
        if errors:
            print(f"{title}:")
            for what, n in errors.most_common(10):
                print(f"  {n:>6}  {what}")
    acked = {"orders": len(tally.order_status), "tickets": len(tally.tickets), "interactions": len(tally.contacts)}
    print("acknowledged writes lost: " + ", ".join(f"{k} {lost[k]} of {acked[k]}" for k in acked))
    print(f"audit chain: {'intact' if audit_ok else 'BROKEN'}")
    restart = tally.kill_window[1] if tally.kill_window else 0.0
    print(f"{'process':<16} {'RSS after warm-up MB':>21} {'at end MB':>10} {'growth':>8}")
    for name, points in samples.items():
        since = max(warm, restart + 30) if name == f"api {args.killed_port}" else warm
        later = [kb for t, kb in points if t >= since]
        if len(later) >= 2:
            first, last = later[0] / 1024, later[-1] / 1024
            print(f"{name:<16} {first:>21.1f} {last:>10.1f} {(last - first) / first * 100:>7.1f}%")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--minutes", type=float, default=10.0)
    ap.add_argument("--agents", type=int, default=6, help="concurrent agent order flows")
    ap.add_argument("--supervisors", type=int, default=2)
    ap.add_argument("--tmf", type=int, default=2, help="concurrent TMF621 clients")
    ap.add_argument("--down-seconds", type=float, default=5.0, help="how long the killed process stays down")
    ap.add_argument("--customers", type=int, default=500)
    ap.add_argument("--pg", default="postgresql://postgres@127.0.0.1:5432/postgres")
    ap.add_argument("--redis", default="redis://127.0.0.1:6379/8")
    args = ap.parse_args()
    env = {k: v for k, v in os.environ.items() if not k.startswith("TELQC_")}
    env.update(TELQC_DATABASE_URL=f"postgresql+psycopg://postgres@{HOST}:5432/{DB}", TELQC_JOBS_MODE="celery",
               TELQC_CELERY_BROKER_URL=args.redis, TELQC_DATA_DIR=str(LOG_DIR / "soak-data"))
    print(f"[soak] resetting {DB}", flush=True)
    reset_database(args.pg, DB)
    run_checked([str(TELQC_BIN / "telqc"), "db", "upgrade"], env, "telqc db upgrade")
    run_checked([str(TELQC_BIN / "telqc"), "seed", "--customers", str(args.customers), "--days", "0",
                 "--orders", "0"], env, "telqc seed")
    apis = [Api(free_port(), env), Api(free_port(), env)]
    args.killed_port = apis[0].port
    with celery_worker(env):
        try:
            for a in apis:
                a.start()
            tally, samples, t0 = asyncio.run(run_load(args, apis))
        finally:
            for a in apis:
                if a.proc is not None:
                    stop_process_group(a.proc)
        deadline = time.monotonic() + 120
        with psycopg.connect(conninfo_for(args.pg, DB), autocommit=True) as conn:
            while conn.execute("SELECT count(*) FROM outbox_events WHERE published_at IS NULL").fetchone() != (0,):
                if time.monotonic() > deadline:
                    print("outbox not drained after 120 s")
                    break
                time.sleep(1)
    verify = subprocess.run([str(TELQC_BIN / "telqc"), "audit", "verify"], env=env, cwd=REPO,
                            capture_output=True, text=True)
    lost = lost_writes(args, tally)
    report(tally, samples, t0, args, lost, verify.returncode == 0)
    clean = not tally.errors and not any(lost.values()) and verify.returncode == 0
    return 0 if clean else 1


if __name__ == "__main__":
    raise SystemExit(main())
