"""Live inspection latency: turn arrival → alert delivered to a supervisor, 200 concurrent calls.

Starts two uvicorn API processes on one scratch database — PostgreSQL ``telqc_live_bench`` by
default (production's multi-process setup), or a SQLite file with ``--db sqlite`` — (or uses
--servers), signs in
a gateway account and one supervisor per process, then streams N concurrent calls split
across both processes; every 5th turn carries an escalation threat. Each alert is received
by both supervisors, so half the deliveries cross processes through Redis pub/sub. Prints
p50/p99 of (a) server turn arrival → supervisor receipt, (b) client send → supervisor
receipt, for all deliveries and for cross-process ones, plus lost alerts.

    .venv/bin/python bench/live_bench.py                    # 200 calls × 20 turns, a turn every ~1.5 s
    .venv/bin/python bench/live_bench.py --pace 0.2         # stress: turns 7× faster than speech
    .venv/bin/python bench/live_bench.py --calls 50 --turns 10
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from contextlib import suppress
from pathlib import Path
from typing import Any

import httpx
import websockets

PASSWORD = "bench-pass-123"
THREATS = ["我要去工信部投诉你们", "再不解决我就打12300", "我要找媒体曝光", "我要投诉到消费者协会"]
CHATTER = ["您好，很高兴为您服务", "我想查一下话费", "好的，请稍等", "这个月的流量用完了", "您的套餐是五十九元",
           "明白了", "请问还有其他问题吗", "宽带有点慢"]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _prepare(db_url: str) -> None:
    from telqc.core import migrate
    from telqc.core.auth import create_user
    from telqc.core.clock import SystemClock
    from telqc.core.db import sessionmaker_for
    from telqc.core.rbac import Role
    from telqc.core.settings import Settings
    from telqc.jobs.dispatch import job_ctx

    settings = Settings(database_url=db_url)
    migrate.upgrade(db_url)
    with job_ctx(sessionmaker_for(settings), SystemClock(), settings) as ctx:
        create_user(ctx, username="bench_gw", password=PASSWORD, role=Role.admin)
        for n in range(2):
            create_user(ctx, username=f"bench_sup{n}", password=PASSWORD, role=Role.supervisor)


def _scratch_db(kind: str, pg_admin: str) -> str:
    if kind == "sqlite":
        return f"sqlite:///{Path(tempfile.mkdtemp(prefix='telqc-live-bench-')) / 'bench.db'}"
    import psycopg

    with psycopg.connect(pg_admin, autocommit=True) as conn:
        conn.execute("DROP DATABASE IF EXISTS telqc_live_bench WITH (FORCE)")
        conn.execute("CREATE DATABASE telqc_live_bench")
    return pg_admin.rsplit("/", 1)[0].replace("postgresql://", "postgresql+psycopg://") + "/telqc_live_bench"


def _spawn(db_url: str, port: int) -> subprocess.Popen[bytes]:
    env = {**os.environ, "TELQC_DATABASE_URL": db_url}
    return subprocess.Popen([sys.executable, "-m", "uvicorn", "telqc.api.asgi:app", "--host", "127.0.0.1",
                             "--port", str(port), "--log-level", "warning"], env=env)


def _wait_up(base: str, deadline: float) -> None:
    while time.time() < deadline:
        with suppress(httpx.HTTPError):
            if httpx.get(f"{base}/login", timeout=1).status_code == 200:
                return
        time.sleep(0.2)
    raise RuntimeError(f"{base} did not start")


def _token(base: str, user: str) -> str:
    r = httpx.post(f"{base}/api/v1/auth/token", data={"username": user, "password": PASSWORD}, timeout=10)
    r.raise_for_status()
    return str(r.json()["access_token"])


async def _supervisor(base: str, token: str, server: int, got: list[tuple[int, int, dict[str, Any]]],
                      ready: asyncio.Event, stop: asyncio.Event) -> None:
    url = base.replace("http://", "ws://") + "/api/v1/qa/live/alerts"
    async with websockets.connect(url, additional_headers={"Authorization": f"Bearer {token}"},
                                  max_queue=None) as ws:
        hello = json.loads(await ws.recv())
        print(f"supervisor on server {server}: bus mode {hello['mode']}")
        ready.set()
        while not stop.is_set():
            try:
                raw = await asyncio.wait_for(ws.recv(), 0.5)
            except TimeoutError:
                continue
            now = time.time_ns()
            got.append((server, now, json.loads(raw)))


async def _call(base: str, token: str, server: int, n: int, turns: int, rng: random.Random,
                sent: dict[str, int], pace: float) -> int:
    url = base.replace("http://", "ws://") + f"/api/v1/qa/live/calls/bench-{n}?agent_id={n}"
    alerts, t_ms = 0, 0
    await asyncio.sleep(rng.uniform(0, 2.0))  # calls start over two seconds, not in the same millisecond
    async with websockets.connect(url, additional_headers={"Authorization": f"Bearer {token}"},
                                  open_timeout=60) as ws:
        for i in range(turns):
            threat = i % 5 == 4
            speaker = "customer" if threat or i % 2 else "agent"
            text = rng.choice(THREATS) if threat else rng.choice(CHATTER)
            dur = 1000 + 250 * len(text)
            sent_ns = time.time_ns()
            await ws.send(json.dumps({"speaker": speaker, "start_ms": t_ms, "end_ms": t_ms + dur, "text": text,
                                      "sent_ns": sent_ns}, ensure_ascii=False))
            ack = json.loads(await ws.recv())
            alerts += int(ack.get("alerts", 0))
            t_ms += dur + 300
            await asyncio.sleep(rng.uniform(pace / 3, pace * 5 / 3))
        await ws.send(json.dumps({"type": "end"}))
        await ws.recv()
    sent[f"bench-{n}"] = server
    return alerts


def _pct(values: list[float], p: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


async def _run(servers: list[str], calls: int, turns: int, seed: int, pace: float) -> None:
    gw = _token(servers[0], "bench_gw")
    sups = [_token(s, f"bench_sup{i}") for i, s in enumerate(servers)]
    got: list[tuple[int, int, dict[str, Any]]] = []
    stop = asyncio.Event()
    readies = [asyncio.Event() for _ in servers]
    watchers = [asyncio.create_task(_supervisor(s, sups[i], i, got, readies[i], stop)) for i, s in enumerate(servers)]
    await asyncio.gather(*(r.wait() for r in readies))
    rng = random.Random(seed)
    sent: dict[str, int] = {}
    t0 = time.perf_counter()
    expected = await asyncio.gather(*(_call(servers[n % len(servers)], gw, n % len(servers), n, turns,
                                            random.Random(rng.random()), sent, pace) for n in range(calls)))
    wall = time.perf_counter() - t0
    await asyncio.sleep(1.0)  # let the last alerts land
    stop.set()
    await asyncio.gather(*watchers)
    total_alerts = sum(expected)
    arrive_all = [(now - a["arrived_ns"]) / 1e6 for _, now, a in got]
    send_all = [(now - a["sent_ns"]) / 1e6 for _, now, a in got if a.get("sent_ns")]
    cross = [(now - a["arrived_ns"]) / 1e6 for srv, now, a in got if sent.get(a["call_id"]) != srv]
    print(f"\n{calls} concurrent calls × {turns} turns (one every {pace / 3:.2f}–{pace * 5 / 3:.2f}s per call) "
          f"over {len(servers)} API processes in {wall:.1f}s; "
          f"{total_alerts} alerts raised, {len(got)} deliveries "
          f"(expected {total_alerts * len(servers)}, lost {total_alerts * len(servers) - len(got)})")
    server_side = [(a["delivered_ns"] - a["arrived_ns"]) / 1e6 for _, _, a in got if a.get("delivered_ns")]
    print(f"{'latency (ms)':<44}{'n':>7}{'p50':>9}{'p99':>9}{'max':>9}")
    for label, vals in [("turn arrival → supervisor (all)", arrive_all),
                        ("turn arrival → supervisor (other process)", cross),
                        ("client send → supervisor (all)", send_all),
                        ("turn arrival → alert socket write (server)", server_side)]:
        print(f"{label:<44}{len(vals):>7}{_pct(vals, 50):>9.1f}{_pct(vals, 99):>9.1f}"
              f"{max(vals, default=float('nan')):>9.1f}")
    if arrive_all:
        print(f"mean {statistics.fmean(arrive_all):.1f} ms; target: p99 < 1000 ms")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--calls", type=int, default=200)
    ap.add_argument("--turns", type=int, default=20)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--pace", type=float, default=1.5,
                    help="mean seconds between a call's turns (a spoken turn lasts seconds; 0.2 = stress)")
    ap.add_argument("--servers", help="comma-separated base URLs of running servers (users bench_* must exist)")
    ap.add_argument("--db", choices=["postgresql", "sqlite"], default="postgresql")
    ap.add_argument("--pg", default=os.environ.get("TELQC_TEST_PG", "postgresql://postgres@127.0.0.1:5432/test"))
    args = ap.parse_args()
    procs: list[subprocess.Popen[bytes]] = []
    try:
        if args.servers:
            servers = args.servers.split(",")
        else:
            db_url = _scratch_db(args.db, args.pg)
            _prepare(db_url)
            ports = [_free_port(), _free_port()]
            procs = [_spawn(db_url, p) for p in ports]
            servers = [f"http://127.0.0.1:{p}" for p in ports]
            for s in servers:
                _wait_up(s, time.time() + 30)
        asyncio.run(_run(servers, args.calls, args.turns, args.seed, args.pace))
    finally:
        for p in procs:
            p.terminate()
        for p in procs:
            with suppress(subprocess.TimeoutExpired):
                p.wait(timeout=10)


if __name__ == "__main__":
    main()
