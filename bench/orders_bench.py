"""Order-flow throughput over HTTP: TelQC versus django-helpdesk, on the same PostgreSQL.

Per order: create -> assign -> three status transitions, N orders (default 2000) pushed by 16
concurrent flows (one flow = one order's five requests in sequence). Each system is started here
with TWO server processes on 127.0.0.1 and a freshly reset database, and stopped at the end, error
or not.

  TelQC            telqc serve --workers 2 (uvicorn workers, one listening socket each), database telqc_bench
                   (telqc db upgrade; telqc seed --customers 1000 --days 0 --orders 0)
                   --telqc-jobs celery (default, the production setting): plus ONE Celery worker with
                   beat (celery -A telqc.jobs.celery_app worker -B -c 1) draining the outbox on the same
                   machine, so the asynchronous work (metrics rollups, notifications, survey and TMF621
                   hooks) competes for the same CPU; after the last request the bench waits until the
                   outbox is empty and reports that lag and orders/s including it.
                   --telqc-jobs inline: events are relayed inside the API processes after each commit.
  django-helpdesk  gunicorn -w 2 (bench/helpdesk_peer, its own venv), database helpdesk_bench
                   (manage.py migrate; bench/helpdesk_peer/seed.py), REST API with a DRF token.
     plain    POST /api/tickets/ -> PATCH /api/tickets/{id}/ {assigned_to}
              -> 3 x POST /api/followups/ {ticket, new_status}
     fastest  POST /api/tickets/ with assigned_to inside the create -> 3 x POST /api/followups/
              (PATCH /api/tickets/{id}/ goes through TicketViewSet.get_queryset, which loads every
              ticket and runs one query per ticket: see bench/helpdesk_peer/README.md)

Before each measured load, with that system's servers up, the bench runs CHECKPOINT and waits until the
machine is quiet (`settle`), so no run pays for what the run before left behind (dirty buffers, autovacuum
of its tables). With --rounds, each round starts one run later than the one before (helpdesk, full,
minimal; then full, minimal, helpdesk; ...), so no system always runs right after the same other one.

Setup once:  bash bench/helpdesk_peer/setup.sh
Run:         .venv/bin/python bench/orders_bench.py [--n 2000] [--concurrency 16]
                 [--systems telqc,helpdesk] [--helpdesk-paths plain,fastest]
                 [--telqc-prefer full,minimal] [--rounds K] [--json out.json]

Prints one row per system/path (N, concurrency, wall s, orders/s, request p50/p99 ms), the
per-step latencies, CPU per order by process group (servers, relay, PostgreSQL, this client; read from
/proc), TelQC's event relay (mode, backlog left when the load ended, time to drain it, orders/s including
that time), and the ratios TelQC/helpdesk-plain and TelQC/helpdesk-fastest (target: >= 3x the fastest path).
Exits 1 if any order flow failed, 2 if a run hit --time-limit before N orders.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import httpx
import psycopg
import redis
from psycopg import sql
from psycopg.conninfo import conninfo_to_dict, make_conninfo

REPO = Path(__file__).resolve().parent.parent
PEER_DIR = REPO / "bench" / "helpdesk_peer"
DEFAULT_HELPDESK_VENV = REPO / "var" / "helpdesk-venv"
TELQC_BIN = REPO / ".venv" / "bin"
LOG_DIR = REPO / "var" / "orders-bench"
HOST = "127.0.0.1"

HELPDESK_DB = "helpdesk_bench"
TELQC_DB = "telqc_bench"

# helpdesk status ids (bench/helpdesk_peer/settings.py): 1 Open (initial), 6 Acknowledged,
# 7 In progress, 3 Resolved. Three real status changes, each a FollowUp + TicketChange row.
HELPDESK_TRANSITIONS = (6, 7, 3)
TELQC_TRANSITIONS = ("acknowledged", "in_progress", "resolved")

MAX_FAILED_FLOWS = 50  # stop a run early once this many orders failed: numbers would be meaningless
STARTUP_TIMEOUT_S = 90.0
REQUEST_TIMEOUT_S = 120.0
STOP_TIMEOUT_S = 20.0


class Skip(Exception):
    """A target cannot be measured (yet); the run goes on without it."""


# --------------------------------------------------------------------------------------------
# results


@dataclass
class Result:
    system: str
    path: str
    n: int
    concurrency: int
    wall_s: float
    ok_orders: int
    failed_orders: int
    not_run: int
    requests: int
    p50_ms: float
    p99_ms: float
    steps: dict[str, dict[str, float]] = field(default_factory=dict)
    first_errors: list[str] = field(default_factory=list)
    jobs: str = ""  # TelQC: inline | celery
    relay_backlog: int = 0  # events not yet relayed when the last request answered
    relay_lag_s: float = 0.0  # time after the last request until the outbox was empty
    cpu_ms_per_order: dict[str, float] = field(default_factory=dict)  # by process group, see CpuMeter
    round: int = 1  # --rounds: which pass of the whole comparison

    @property
    def orders_per_s(self) -> float:
        return self.ok_orders / self.wall_s if self.wall_s > 0 else 0.0

    @property
    def orders_per_s_relayed(self) -> float:
        """Throughput counting the time until every event of the run was relayed."""
        total = self.wall_s + self.relay_lag_s
        return self.ok_orders / total if total > 0 else 0.0


def pct(sorted_values: list[float], q: float) -> float:
    """Nearest-rank percentile of an ascending list (q in 0..100)."""
    if not sorted_values:
        return float("nan")
    k = max(0, min(len(sorted_values) - 1, round(q / 100 * len(sorted_values) + 0.5) - 1))
    return sorted_values[k]


class Recorder:
    """Request latencies per step, plus the failures of whole order flows."""

    def __init__(self) -> None:
        self.lat: dict[str, list[float]] = {}
        self.failed = 0
        self.not_run = 0
        self.errors: list[str] = []

    async def call(self, step: str, coro: Awaitable[Any], expect: tuple[int, ...]) -> Any:
        t0 = time.perf_counter()
        resp = await coro
        self.lat.setdefault(step, []).append((time.perf_counter() - t0) * 1000)
        if resp.status_code not in expect:
            raise RuntimeError(f"{step}: HTTP {resp.status_code} {resp.text[:300]}")
        return resp

    def result(self, system: str, path: str, n: int, concurrency: int, wall: float) -> Result:
        all_lat = sorted(x for v in self.lat.values() for x in v)
        steps = {}
        for step, values in self.lat.items():
            s = sorted(values)
            steps[step] = {"count": len(s), "p50_ms": pct(s, 50), "p99_ms": pct(s, 99), "mean_ms": statistics.fmean(s)}
        ok = n - self.failed - self.not_run
        return Result(system, path, n, concurrency, wall, ok, self.failed, self.not_run, len(all_lat),
                      pct(all_lat, 50), pct(all_lat, 99), steps, self.errors[:5])


async def drive(n: int, concurrency: int, flow: Callable[[int, Recorder], Awaitable[None]], rec: Recorder,
                time_limit: float) -> float:
    """Run `flow(i)` for i in range(n) with `concurrency` worker tasks; return the wall time in seconds.

    No new order starts after `time_limit` seconds (orders in flight finish); those never started
    are counted in `rec.not_run`, so a truncated run reports the throughput of what it did.
    """
    next_i = 0
    stop = asyncio.Event()
    t0 = time.perf_counter()
    deadline = t0 + time_limit

    async def worker() -> None:
        nonlocal next_i
        while not stop.is_set() and next_i < n and time.perf_counter() < deadline:
            i = next_i
            next_i += 1
            try:
                await flow(i, rec)
            except Exception as exc:  # one failed order must not hide the others' numbers
                rec.failed += 1
                rec.errors.append(f"order {i}: {type(exc).__name__}: {exc}")
                if rec.failed >= MAX_FAILED_FLOWS:
                    stop.set()

    await asyncio.gather(*(worker() for _ in range(concurrency)))
    wall = time.perf_counter() - t0
    rec.not_run = n - next_i
    return wall


class LeanResponse:
    """The part of httpx.Response the flows read."""

    def __init__(self, status_code: int, headers: dict[str, str], content: bytes) -> None:
        self.status_code = status_code
        self.headers = headers
        self.content = content

    @property
    def text(self) -> str:
        return self.content.decode("utf-8", errors="replace")

    def json(self) -> Any:
        return json.loads(self.content)


class LeanClient:
    """Minimal HTTP/1.1 client for the load: keep-alive connections over asyncio streams, at most
    `concurrency` of them, requests and responses with Content-Length or chunked bodies.

    The load generator shares the two cores with the servers and PostgreSQL; httpx spent ~2 ms of CPU per
    request (~0.15-0.2 cores at these rates), this about a tenth of that, so more of the machine goes to
    the systems being compared. Both systems are driven by the same client (--client httpx restores httpx).
    """

    def __init__(self, base_url: str, concurrency: int, headers: dict[str, str] | None = None) -> None:
        url = httpx.URL(base_url)
        self.host, self.port = url.host, url.port or 80
        self.headers = {"Host": f"{self.host}:{self.port}", "Accept": "*/*", **(headers or {})}
        self._slots = asyncio.Semaphore(concurrency)
        self._idle: list[tuple[asyncio.StreamReader, asyncio.StreamWriter]] = []

    async def __aenter__(self) -> LeanClient:
        return self

    async def __aexit__(self, *exc: object) -> None:
        for _, w in self._idle:
            w.close()
        self._idle.clear()

    def get(self, path: str, params: dict[str, Any] | None = None) -> Awaitable[LeanResponse]:
        if params:
            path += "?" + str(httpx.QueryParams(params))
        return self.request("GET", path)

    def post(self, path: str, json: Any = None, data: dict[str, str] | None = None) -> Awaitable[LeanResponse]:
        return self.request("POST", path, json=json, data=data)

    def patch(self, path: str, json: Any = None) -> Awaitable[LeanResponse]:
        return self.request("PATCH", path, json=json)

    async def request(self, method: str, path: str, json: Any = None,
                      data: dict[str, str] | None = None) -> LeanResponse:
        body, ctype = b"", None
        if json is not None:
            body, ctype = _json_bytes(json), "application/json"
        elif data is not None:
            body, ctype = str(httpx.QueryParams(data)).encode(), "application/x-www-form-urlencoded"
        head = [f"{method} {path} HTTP/1.1", *(f"{k}: {v}" for k, v in self.headers.items()),
                f"Content-Length: {len(body)}"]
        if ctype:
            head.append(f"Content-Type: {ctype}")
        raw = ("\r\n".join(head) + "\r\n\r\n").encode("latin-1") + body
        async with self._slots:
            reused = bool(self._idle)
            try:
                return await self._exchange(raw, self._idle.pop() if reused else None)
            except (ConnectionError, asyncio.IncompleteReadError):
                if not reused:
                    raise
                # the server closed a kept-alive connection before reading this request: once more, fresh
                return await self._exchange(raw, None)

    async def _exchange(self, raw: bytes,
                        conn: tuple[asyncio.StreamReader, asyncio.StreamWriter] | None) -> LeanResponse:
        reader, writer = conn or await asyncio.open_connection(self.host, self.port)
        try:
            writer.write(raw)
            resp, keep = await asyncio.wait_for(_read_response(reader), REQUEST_TIMEOUT_S)
        except BaseException:
            writer.close()
            raise
        if keep:
            self._idle.append((reader, writer))
        else:
            writer.close()
        return resp


def _json_bytes(value: Any) -> bytes:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode()


async def _read_response(reader: asyncio.StreamReader) -> tuple[LeanResponse, bool]:
    """Status, headers and body of one response; and whether the connection stays open."""
    head = await reader.readuntil(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    version, status = lines[0].split(" ", 2)[:2]
    headers = {}
    for line in lines[1:]:
        if line:
            k, _, v = line.partition(":")
            headers[k.strip().lower()] = v.strip()
    if headers.get("transfer-encoding", "").lower() == "chunked":
        chunks = []
        while True:
            size = int((await reader.readuntil(b"\r\n")).split(b";")[0], 16)
            chunk = await reader.readexactly(size + 2)
            if size == 0:
                while chunk != b"\r\n":  # trailers
                    chunk = await reader.readuntil(b"\r\n")
                break
            chunks.append(chunk[:-2])
        content = b"".join(chunks)
    elif "content-length" in headers:
        content = await reader.readexactly(int(headers["content-length"]))
    else:
        content = await reader.read()
        headers["connection"] = "close"
    keep = headers.get("connection", "").lower() != "close" and version == "HTTP/1.1"
    return LeanResponse(int(status), headers, content), keep


def http_client(base_url: str, concurrency: int, headers: dict[str, str] | None = None,
                kind: str = "lean") -> Any:
    if kind == "lean":
        return LeanClient(base_url, concurrency, headers)
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    return httpx.AsyncClient(base_url=base_url, headers=headers, limits=limits, timeout=httpx.Timeout(120.0),
                             trust_env=False)


# --------------------------------------------------------------------------------------------
# processes and databases


class CpuMeter:
    """CPU seconds of every process on the machine while the block runs, by group (Linux /proc).

    Samples every 0.2 s and keeps each process's last reading, so processes that start and stop inside
    the window (PostgreSQL backends) count too. Groups by command line: the servers (uvicorn/gunicorn
    and their workers), the relay (Celery), PostgreSQL (backends and its own writers), this client."""

    GROUPS = (("api", ("uvicorn", "multiprocessing.spawn", "gunicorn")), ("relay", ("celery",)),
              ("postgres", ("postgres",)))

    def __init__(self) -> None:
        self.hz = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100
        self.first: dict[tuple[str, str], int] = {}
        self.last: dict[tuple[str, str], tuple[int, str]] = {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self.seconds: dict[str, float] = {}
        self._baseline = False

    def _group(self, pid: str, cmd: str) -> str:
        if int(pid) == os.getpid():
            return "client"
        return next((g for g, keys in self.GROUPS if any(k in cmd for k in keys)), "other")

    def _sample(self) -> None:
        for pid in os.listdir("/proc"):
            if not pid.isdigit():
                continue
            try:
                stat = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
                cmd = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
            except OSError:
                continue
            key, ticks = (pid, stat[19]), int(stat[11]) + int(stat[12])
            self.first.setdefault(key, ticks if self._baseline else 0)  # a process born in the window: all of it
            self.last[key] = (ticks, self._group(pid, cmd) if cmd else "other")

    def _run(self) -> None:
        while not self._stop.wait(0.2):
            self._sample()

    def __enter__(self) -> CpuMeter:
        if Path("/proc/self/stat").exists():
            self._baseline = True
            self._sample()  # what already-running processes had used before the window
            self._baseline = False
            self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        if not self._thread.is_alive():
            return
        self._stop.set()
        self._thread.join()
        self._sample()
        for key, (ticks, group) in self.last.items():
            self.seconds[group] = self.seconds.get(group, 0.0) + (ticks - self.first.get(key, 0)) / self.hz

    def per_order(self, orders: int) -> dict[str, float]:
        out = {g: round(sec / orders * 1000, 2) for g, sec in sorted(self.seconds.items()) if orders}
        if out:
            out["total"] = round(sum(out.values()), 2)
        return out


SETTLE_BUSY_PCT = 10.0
SETTLE_TIMEOUT_S = 120.0


def machine_busy(seconds: float) -> float | None:
    """Share of all CPUs in use over `seconds` (/proc/stat; None elsewhere)."""
    def ticks() -> tuple[int, int]:
        values = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
        idle = values[3] + values[4]  # idle + iowait
        return sum(values) - idle, sum(values)

    if not Path("/proc/stat").exists():
        return None
    busy0, all0 = ticks()
    time.sleep(seconds)
    busy1, all1 = ticks()
    return 100.0 * (busy1 - busy0) / max(1, all1 - all0)


def settle(admin_dsn: str) -> None:
    """Before each measured load, with its servers up: write out what earlier runs left dirty (CHECKPOINT), then
    wait until the machine is quiet (the previous system's autovacuum, server start-up imports), so that no run
    pays for the one before it. Whatever else runs is still counted (CpuMeter)."""
    t0 = time.monotonic()
    try:
        with psycopg.connect(admin_dsn, autocommit=True) as conn:
            conn.execute("CHECKPOINT")
    except psycopg.Error as exc:  # not a superuser (nor pg_checkpoint): measure without it
        print(f"  settle: no CHECKPOINT ({exc.diag.message_primary or exc})", flush=True)
    busy = machine_busy(1.0)
    while busy is not None and busy > SETTLE_BUSY_PCT and time.monotonic() - t0 < SETTLE_TIMEOUT_S:
        busy = machine_busy(1.0)
    if busy is not None:
        print(f"  settled in {time.monotonic() - t0:.1f} s ({busy:.0f}% of the CPUs busy)", flush=True)


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((HOST, 0))
        return int(s.getsockname()[1])


def reset_database(admin_dsn: str, name: str) -> None:
    """DROP (forcing out stale sessions) and CREATE `name` on the bench PostgreSQL."""
    with psycopg.connect(admin_dsn, autocommit=True) as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


def run_checked(cmd: list[str], env: dict[str, str], label: str, timeout: float = 600) -> str:
    t0 = time.perf_counter()
    proc = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=timeout, cwd=REPO)
    if proc.returncode != 0:
        raise RuntimeError(f"{label} failed ({proc.returncode}):\n{proc.stdout[-2000:]}\n{proc.stderr[-2000:]}")
    print(f"  {label}: {time.perf_counter() - t0:.1f} s", flush=True)
    return proc.stdout


@contextlib.contextmanager
def server(cmd: list[str], env: dict[str, str], probe_url: str, log_name: str, cwd: Path) -> Iterator[None]:
    """Start a server in its own process group, wait until `probe_url` answers, stop it on exit."""
    LOG_DIR.mkdir(parents=True, exist_ok=True)
    log_path = LOG_DIR / log_name
    with log_path.open("w") as log:
        proc = subprocess.Popen(cmd, env=env, cwd=cwd, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        try:
            deadline = time.monotonic() + STARTUP_TIMEOUT_S
            while True:
                if proc.poll() is not None:
                    raise RuntimeError(f"server exited with {proc.returncode}; see {log_path}")
                try:
                    httpx.get(probe_url, timeout=2.0, trust_env=False)  # any HTTP answer means it is up
                    break
                except httpx.TransportError as exc:
                    if time.monotonic() > deadline:
                        msg = f"server not answering after {STARTUP_TIMEOUT_S:.0f} s; see {log_path}"
                        raise RuntimeError(msg) from exc
                    time.sleep(0.3)
            print(f"  server up (pid {proc.pid}): {' '.join(cmd[:3])} ...", flush=True)
            yield
        finally:
            stop_process_group(proc)


def stop_process_group(proc: subprocess.Popen[bytes]) -> None:
    """SIGTERM the group this script started (master + its workers), SIGKILL it if it lingers."""
    if proc.poll() is not None:
        return
    pgid = proc.pid  # start_new_session=True: the server leads its own group
    with contextlib.suppress(ProcessLookupError):
        os.killpg(pgid, signal.SIGTERM)
    try:
        proc.wait(timeout=STOP_TIMEOUT_S)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(pgid, signal.SIGKILL)
        proc.wait(timeout=STOP_TIMEOUT_S)
    # the master is gone; make sure no worker of that group outlives it
    with contextlib.suppress(ProcessLookupError):
        os.killpg(pgid, signal.SIGKILL)


# --------------------------------------------------------------------------------------------
# django-helpdesk


def helpdesk_env(args: argparse.Namespace) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "PYTHON"))}
    pg = conninfo_to_dict(args.pg)
    env.update(
        DJANGO_SETTINGS_MODULE="settings",
        HELPDESK_BENCH_DB_NAME=args.helpdesk_db,
        HELPDESK_BENCH_DB_HOST=str(pg.get("host", HOST)),
        HELPDESK_BENCH_DB_PORT=str(pg.get("port", 5432)),
        HELPDESK_BENCH_DB_USER=str(pg.get("user", "postgres")),
        HELPDESK_BENCH_DB_PASSWORD=str(pg.get("password", "")),
        PYTHONDONTWRITEBYTECODE="1",
    )
    return env


def prepare_helpdesk(args: argparse.Namespace) -> dict[str, Any]:
    py = str(Path(args.helpdesk_venv) / "bin" / "python")
    if not Path(py).exists():
        raise Skip(f"no peer venv at {args.helpdesk_venv}: run bash bench/helpdesk_peer/setup.sh")
    env = helpdesk_env(args)
    reset_database(args.pg, args.helpdesk_db)
    run_checked([py, str(PEER_DIR / "manage.py"), "migrate", "--noinput"], env, "helpdesk migrate")
    out = run_checked([py, str(PEER_DIR / "seed.py"), "--agents", "10"], env, "helpdesk seed")
    return json.loads(out.strip().splitlines()[-1])


async def helpdesk_load(base_url: str, seed: dict[str, Any], args: argparse.Namespace, path: str) -> Result:
    agents = seed["agent_ids"]
    queue = seed["queue_id"]
    headers = {"Authorization": f"Token {seed['token']}", "Accept": "application/json"}
    rec = Recorder()
    async with http_client(base_url, args.concurrency, headers, args.client) as client:
        # warm both workers (imports, first connection) outside the timing
        await asyncio.gather(*(client.get("/api/followups/", params={"page_size": 1}) for _ in range(8)))

        async def flow(i: int, rec: Recorder) -> None:
            agent = agents[i % len(agents)]
            body: dict[str, Any] = {
                "queue": queue, "title": f"Bench order {i}", "description": f"Customer reports problem #{i}",
                "submitter_email": f"customer{i % 1000}@bench.invalid", "priority": 3,
            }
            if path == "fastest":
                body["assigned_to"] = agent
            r = await rec.call("create", client.post("/api/tickets/", json=body), (201,))
            tid = r.json()["id"]
            if path == "plain":
                await rec.call("assign", client.patch(f"/api/tickets/{tid}/", json={"assigned_to": agent}), (200,))
            for k, status in enumerate(HELPDESK_TRANSITIONS, 1):
                await rec.call(f"transition{k}", client.post(
                    "/api/followups/", json={"ticket": tid, "comment": f"step {k}", "new_status": status}), (201,))

        wall = await drive(args.n, args.concurrency, flow, rec, args.time_limit)
    return rec.result("django-helpdesk", path, args.n, args.concurrency, wall)


def run_helpdesk(args: argparse.Namespace, path: str) -> Result:
    """One measured run of django-helpdesk on a freshly reset database."""
    print(f"[django-helpdesk {path}] resetting {args.helpdesk_db}", flush=True)
    seed = prepare_helpdesk(args)
    port = free_port()
    gunicorn = str(Path(args.helpdesk_venv) / "bin" / "gunicorn")
    cmd = [gunicorn, "-w", str(args.workers), "-b", f"{HOST}:{port}", "--chdir", str(PEER_DIR),
           "--no-control-socket", "--log-level", "warning", "--timeout", "300"]
    if args.helpdesk_threads > 1:
        cmd += ["-k", "gthread", "--threads", str(args.helpdesk_threads)]
    cmd.append("wsgi:application")
    base = f"http://{HOST}:{port}"
    with server(cmd, helpdesk_env(args), f"{base}/api/", f"helpdesk-{path}.log", PEER_DIR):
        settle(args.pg)
        with CpuMeter() as cpu:
            result = asyncio.run(helpdesk_load(base, seed, args, path))
        result.cpu_ms_per_order = cpu.per_order(result.ok_orders)
        return result


# --------------------------------------------------------------------------------------------
# TelQC
#
# The flow, per order (schemas in src/telqc/orders/schemas.py):
#   login       POST /api/v1/auth/token (form username/password) -> {access_token}, sent as a bearer token
#   create      POST /api/v1/orders {type, category, customer_id, channel:"hotline", title, description}
#               -> 201 OrderDetail (with timeline; --telqc-prefer minimal sends Prefer: return=minimal)
#   assign      POST /api/v1/orders/{id}/assign {handler_id: null = routing by skill/region/load}
#   transition  POST /api/v1/orders/{id}/transition {to, reason}  (acknowledged, in_progress, resolved)
# Each write answers the full OrderDetail and writes history, audit (hash chain), SLA deadlines and outbox
# events; resolving a complaint also queues the customer SMS and opens the callback task.

RELAY_WAIT_S = 900.0

TELQC_EXPECT_CREATE = (201,)
TELQC_EXPECT_ASSIGN = (200, 201, 204)
TELQC_EXPECT_TRANSITION = (200, 201, 204)


def telqc_env(args: argparse.Namespace) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("TELQC_")}
    pg = conninfo_to_dict(args.pg)
    auth = str(pg.get("user", "postgres"))
    if pg.get("password"):
        auth += f":{pg['password']}"
    env.update(
        TELQC_DATABASE_URL=f"postgresql+psycopg://{auth}@{pg.get('host', HOST)}:{pg.get('port', 5432)}/{args.telqc_db}",
        TELQC_DATA_DIR=str(LOG_DIR / "telqc-data"),
        TELQC_JOBS_MODE=args.telqc_jobs,
        TELQC_CELERY_BROKER_URL=args.redis,
    )
    return env


async def telqc_categories(client: Any, args: argparse.Namespace) -> list[str]:
    """Category codes for the created orders: --telqc-category, else the catalogue's leaves of that type."""
    if args.telqc_category:
        return [c.strip() for c in args.telqc_category.split(",") if c.strip()]
    r = await client.get("/api/v1/order-categories")
    if r.status_code == 200:
        items = [it for it in r.json() if it.get("order_type") == args.telqc_type]
        parents = {it.get("parent_code") for it in items}
        codes = [it["code"] for it in items if it["code"] not in parents] or [it["code"] for it in items]
        if codes:
            return codes
    raise Skip(f"no order category of type {args.telqc_type!r} (GET /api/v1/order-categories answered "
               f"{r.status_code}): pass --telqc-category CODE")


async def telqc_load(base_url: str, args: argparse.Namespace) -> Result:
    rec = Recorder()
    async with http_client(base_url, args.concurrency, kind=args.client) as client:
        r = await client.post("/api/v1/auth/token", data={"username": args.telqc_user, "password": args.telqc_password})
        if r.status_code != 200:
            raise RuntimeError(f"TelQC login failed: HTTP {r.status_code} {r.text[:300]}")
        client.headers["Authorization"] = f"Bearer {r.json()['access_token']}"
        if args.telqc_prefer == "minimal":  # RFC 7240: writes answer the order without its timeline
            client.headers["Prefer"] = "return=minimal"

        probe = await client.post("/api/v1/orders", json={})
        if probe.status_code in (404, 405):
            raise Skip(f"POST /api/v1/orders answers {probe.status_code}: the orders API does not exist yet")

        categories = await telqc_categories(client, args)
        users = await client.get("/api/v1/users")
        agents = [u["id"] for u in users.json() if u.get("role") == "agent"] if users.status_code == 200 else []
        if not agents:
            me = await client.get("/api/v1/auth/me")
            agents = [me.json()["id"]]
        # warm both workers outside the timing
        await asyncio.gather(*(client.get("/api/v1/auth/me") for _ in range(8)))

        async def flow(i: int, rec: Recorder) -> None:
            body = {
                "type": args.telqc_type, "category": categories[i % len(categories)],
                "customer_id": 1 + i % args.telqc_customers, "channel": "hotline",
                "title": f"Bench order {i}", "description": f"Customer reports problem #{i}",
            }
            r = await rec.call("create", client.post("/api/v1/orders", json=body), TELQC_EXPECT_CREATE)
            oid = r.json()["id"]
            # handler_id None = TelQC's automatic routing (skill/region/load); an explicit agent is refused
            # with 422 orders.error.not_assignable when the agent's region does not cover the customer's.
            assign = {"handler_id": None} if args.telqc_assign == "auto" else {"handler_id": agents[i % len(agents)]}
            await rec.call("assign", client.post(f"/api/v1/orders/{oid}/assign", json=assign), TELQC_EXPECT_ASSIGN)
            for k, to in enumerate(TELQC_TRANSITIONS, 1):
                await rec.call(f"transition{k}", client.post(f"/api/v1/orders/{oid}/transition",
                                                             json={"to": to, "reason": f"step {k}"}),
                               TELQC_EXPECT_TRANSITION)

        wall = await drive(args.n, args.concurrency, flow, rec, args.time_limit)
    path = "create+assign+3 trans, min" if args.telqc_prefer == "minimal" else "create+assign+3 transitions"
    return rec.result("TelQC", path, args.n, args.concurrency, wall)


def unrelayed(args: argparse.Namespace) -> int:
    with psycopg.connect(conninfo_for(args.pg, args.telqc_db)) as conn:
        row = conn.execute("SELECT count(*) FROM outbox_events WHERE published_at IS NULL").fetchone()
    return int(row[0]) if row else 0


def conninfo_for(admin_dsn: str, dbname: str) -> str:
    return make_conninfo(admin_dsn, dbname=dbname)


def wait_relayed(args: argparse.Namespace) -> tuple[int, float]:
    """Events left when the load ended, and the seconds until the worker had relayed them all."""
    t0 = time.perf_counter()
    backlog = left = unrelayed(args)
    while left and time.perf_counter() - t0 < RELAY_WAIT_S:
        time.sleep(0.5)
        left = unrelayed(args)
    if left:
        raise RuntimeError(f"{left} events still unrelayed after {RELAY_WAIT_S:.0f} s")
    return backlog, time.perf_counter() - t0 if backlog else 0.0


@contextlib.contextmanager
def celery_worker(env: dict[str, str]) -> Iterator[None]:
    """One Celery worker process with beat (the production shape), started in its own group."""
    redis.Redis.from_url(env["TELQC_CELERY_BROKER_URL"]).flushdb()
    LOG_DIR.mkdir(parents=True, exist_ok=True)
    log_path = LOG_DIR / "telqc-celery.log"
    cmd = [str(TELQC_BIN / "celery"), "-A", "telqc.jobs.celery_app", "worker", "-B", "-c", "1", "--loglevel", "info",
           "-s", str(LOG_DIR / "celerybeat-schedule"), "--without-gossip", "--without-mingle"]
    with log_path.open("w") as log:
        proc = subprocess.Popen(cmd, env=env, cwd=REPO, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        try:
            deadline = time.monotonic() + STARTUP_TIMEOUT_S
            while " ready." not in log_path.read_text(errors="replace"):
                if proc.poll() is not None:
                    raise RuntimeError(f"celery worker exited with {proc.returncode}; see {log_path}")
                if time.monotonic() > deadline:
                    raise RuntimeError(f"celery worker not ready after {STARTUP_TIMEOUT_S:.0f} s; see {log_path}")
                time.sleep(0.3)
            print(f"  celery worker up (pid {proc.pid}): -c 1 -B", flush=True)
            yield
        finally:
            stop_process_group(proc)


def run_telqc(args: argparse.Namespace) -> Result:
    """One measured run of TelQC on a freshly reset database (see the flow above)."""
    print(f"[TelQC] resetting {args.telqc_db}; jobs mode {args.telqc_jobs}", flush=True)
    env = telqc_env(args)
    reset_database(args.pg, args.telqc_db)
    run_checked([str(TELQC_BIN / "telqc"), "db", "upgrade"], env, "telqc db upgrade")
    run_checked([str(TELQC_BIN / "telqc"), "seed", "--customers", str(args.telqc_customers), "--days", "0",
                 "--orders", "0"], env,
                "telqc seed")
    port = free_port()
    cmd = [str(TELQC_BIN / "telqc"), "serve", "--workers", str(args.workers), "--host", HOST, "--port", str(port),
           "--log-level", "warning"]
    base = f"http://{HOST}:{port}"
    worker = celery_worker(env) if args.telqc_jobs == "celery" else contextlib.nullcontext()
    with worker, server(cmd, env, f"{base}/api/v1/auth/me", "telqc.log", REPO):
        settle(args.pg)
        with CpuMeter() as cpu:  # the load and, in celery mode, the relay catching up after it
            result = asyncio.run(telqc_load(base, args))
            result.jobs = args.telqc_jobs
            print(f"  load done: {result.ok_orders} orders in {result.wall_s:.1f} s", flush=True)
            if args.telqc_jobs == "celery":
                result.relay_backlog, result.relay_lag_s = wait_relayed(args)
            else:  # inline: nothing relays after the last request; report what it left behind
                result.relay_backlog = unrelayed(args)
        result.cpu_ms_per_order = cpu.per_order(result.ok_orders)
        return result


# --------------------------------------------------------------------------------------------
# report


def print_report(results: list[Result], skipped: list[str]) -> None:
    head = (f"{'system':<16} {'path':<28} {'N':>6} {'conc':>5} {'wall s':>8} {'orders/s':>9} "
            f"{'p50 ms':>8} {'p99 ms':>8} {'done':>6} {'failed':>6}")
    print("\n" + head)
    print("-" * len(head))
    for r in results:
        print(f"{r.system:<16} {r.path:<28} {r.n:>6} {r.concurrency:>5} {r.wall_s:>8.1f} {r.orders_per_s:>9.1f} "
              f"{r.p50_ms:>8.1f} {r.p99_ms:>8.1f} {r.ok_orders:>6} {r.failed_orders:>6}")
    print("\nper step (p50 / p99 ms):")
    for r in results:
        steps = "  ".join(f"{k} {v['p50_ms']:.1f}/{v['p99_ms']:.1f}" for k, v in r.steps.items())
        print(f"  {r.system} {r.path}: {steps}")
    for r in results:
        if r.jobs:
            line = (f"  {r.system} event relay: {r.jobs}; {r.relay_backlog} events unrelayed when the load ended")
            if r.jobs == "celery":
                line += (f", relayed {r.relay_lag_s:.1f} s later -> {r.orders_per_s_relayed:.1f} orders/s "
                         "including the relay")
            print(line)
    if any(r.cpu_ms_per_order for r in results):
        print("\nCPU per order, ms (all processes on the machine during the load, by group):")
        for r in results:
            if r.cpu_ms_per_order:
                print(f"  {r.system} {r.path}: " + "  ".join(f"{k} {v:.1f}" for k, v in r.cpu_ms_per_order.items()))
    for r in results:
        if r.not_run:
            print(f"  ! {r.system} {r.path}: time limit reached, {r.not_run} of {r.n} orders never started "
                  f"(orders/s is over the {r.ok_orders} completed, on a smaller table than a full run)")
        for e in r.first_errors:
            print(f"  ! {r.system} {r.path}: {e}")
    for s in skipped:
        print(f"skipped: {s}")

    peers = {r.path: r for r in results if r.system == "django-helpdesk"}
    for telqc in (r for r in results if r.system == "TelQC"):
        print(f"\nTelQC {telqc.path}:")
        for path in ("plain", "fastest"):
            peer = peers.get(path)
            if peer and peer.orders_per_s > 0:
                print(f"  ratio TelQC / helpdesk-{path}: {telqc.orders_per_s / peer.orders_per_s:.2f}x")
        fastest = peers.get("fastest")
        if fastest and fastest.orders_per_s > 0:
            ok = telqc.orders_per_s >= 3 * fastest.orders_per_s
            print(f"  target TelQC >= 3x helpdesk fastest path: {'MET' if ok else 'NOT MET'}")


def print_rounds(results: list[Result]) -> None:
    """Median over rounds of each TelQC variant's ratio to the same round's helpdesk fastest path: the two
    systems of one round ran minutes apart, so a machine that speeds up or slows down affects both."""
    rounds = sorted({r.round for r in results})
    fastest = {r.round: r for r in results if r.system == "django-helpdesk" and r.path == "fastest"}
    print(f"\n=== {len(rounds)} rounds")
    for path in dict.fromkeys(r.path for r in results if r.system == "TelQC"):
        ratios = [r.orders_per_s / fastest[r.round].orders_per_s for r in results
                  if r.system == "TelQC" and r.path == path and r.round in fastest and fastest[r.round].orders_per_s]
        if ratios:
            print(f"  TelQC {path} / helpdesk fastest, per round: " + ", ".join(f"{x:.2f}x" for x in ratios)
                  + f"; median {statistics.median(ratios):.2f}x (target 3x: "
                  + ("MET" if statistics.median(ratios) >= 3 else "NOT MET") + ")")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--n", type=int, default=2000, help="orders per run (default 2000)")
    ap.add_argument("--concurrency", type=int, default=16, help="concurrent order flows (default 16)")
    ap.add_argument("--workers", type=int, default=2, help="server processes per system (default 2)")
    ap.add_argument("--systems", default="telqc,helpdesk", help="comma list of telqc, helpdesk")
    ap.add_argument("--helpdesk-paths", default="fastest,plain", help="comma list of fastest, plain")
    ap.add_argument("--pg", default="postgresql://postgres@127.0.0.1:5432/postgres",
                    help="admin DSN of the bench PostgreSQL (its database is used for DROP/CREATE)")
    ap.add_argument("--helpdesk-venv", default=str(DEFAULT_HELPDESK_VENV))
    ap.add_argument("--helpdesk-threads", type=int, default=1,
                    help="gunicorn threads per worker (1 = sync workers, >1 = gthread)")
    ap.add_argument("--telqc-user", default="admin")
    ap.add_argument("--telqc-password", default="telqc-demo")
    ap.add_argument("--telqc-customers", type=int, default=1000)
    ap.add_argument("--telqc-type", default="complaint")
    ap.add_argument("--telqc-category", default="", help="comma list of category codes for --telqc-type")
    ap.add_argument("--telqc-jobs", choices=("celery", "inline"), default=os.environ.get("TELQC_JOBS_MODE", "celery"),
                    help="TelQC event relay: celery = one worker with beat beside the servers (production, "
                         "default unless TELQC_JOBS_MODE says otherwise), inline = inside the API processes")
    ap.add_argument("--redis", default="redis://127.0.0.1:6379/7",
                    help="TelQC's Celery broker for the run: a Redis database of its own, flushed first")
    ap.add_argument("--telqc-db", default=TELQC_DB, help="database dropped and recreated for TelQC")
    ap.add_argument("--helpdesk-db", default=HELPDESK_DB, help="database dropped and recreated for django-helpdesk")
    ap.add_argument("--telqc-prefer", default="full,minimal",
                    help="comma list, one TelQC run each (default both): what TelQC's writes answer: full = the "
                         "order detail with timeline, minimal = Prefer: return=minimal, the order alone (like "
                         "helpdesk's ticket/follow-up answers); the same rows are written either way")
    ap.add_argument("--telqc-assign", choices=("auto", "explicit"), default="auto",
                    help="assign step: auto = handler_id null (routing), explicit = round-robin over agents")
    ap.add_argument("--time-limit", type=float, default=1800.0,
                    help="seconds per run after which no new order starts (default 1800); a truncated run "
                         "reports the orders it completed")
    ap.add_argument("--client", choices=("lean", "httpx"), default="lean",
                    help="HTTP client of the load generator (same for both systems): lean = keep-alive HTTP/1.1 "
                         "over asyncio streams, a tenth of httpx's CPU per request")
    ap.add_argument("--rounds", type=int, default=1,
                    help="repeat the whole comparison; with more than one, also print each TelQC variant's "
                         "median ratio over the rounds (robust to a machine whose speed drifts)")
    ap.add_argument("--json", help="also write the results to this file")
    args = ap.parse_args()
    if args.n < 1 or args.concurrency < 1 or args.workers < 1 or args.rounds < 1:
        ap.error("--n, --concurrency, --workers and --rounds must be positive")

    # SIGTERM (e.g. a timeout wrapper) unwinds like Ctrl-C, so the servers are stopped.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))

    systems = [s.strip() for s in args.systems.split(",") if s.strip()]
    runs: list[tuple[str, str]] = []  # one round: (system, helpdesk path or TelQC answer), in this order
    if "helpdesk" in systems:
        for path in [p.strip() for p in args.helpdesk_paths.split(",") if p.strip()]:
            if path not in ("plain", "fastest"):
                ap.error(f"unknown helpdesk path {path!r}")
            runs.append(("helpdesk", path))
    if "telqc" in systems:
        for prefer in [p.strip() for p in args.telqc_prefer.split(",") if p.strip()]:
            if prefer not in ("full", "minimal"):
                ap.error(f"unknown --telqc-prefer {prefer!r}")
            runs.append(("telqc", prefer))
    if not runs:
        ap.error("nothing to run: --systems names neither helpdesk nor telqc")
    everything: list[Result] = []
    skipped: list[str] = []
    for rnd in range(1, args.rounds + 1):
        if args.rounds > 1:
            print(f"\n=== round {rnd} of {args.rounds}", flush=True)
        results: list[Result] = []
        k = (rnd - 1) % len(runs)  # each round starts one run later: no system always follows the same one
        for system, variant in runs[k:] + runs[:k]:
            try:
                if system == "helpdesk":
                    results.append(run_helpdesk(args, variant))
                    print(f"  done: {results[-1].orders_per_s:.1f} orders/s", flush=True)
                else:
                    results.append(run_telqc(argparse.Namespace(**{**vars(args), "telqc_prefer": variant})))
            except Skip as exc:
                skipped.append(f"django-helpdesk {variant}: {exc}" if system == "helpdesk" else f"TelQC: {exc}")
        for r in results:
            r.round = rnd
        print_report(results, skipped if rnd == args.rounds else [])
        everything += results
    if args.rounds > 1:
        print_rounds(everything)
    results = everything
    if args.json:
        payload = [asdict(r) | {"orders_per_s": r.orders_per_s, "orders_per_s_relayed": r.orders_per_s_relayed}
                   for r in results]
        Path(args.json).write_text(json.dumps({"results": payload, "skipped": skipped}, indent=2))
    if any(r.failed_orders for r in results):
        return 1
    return 2 if any(r.not_run for r in results) else 0


if __name__ == "__main__":
    sys.exit(main())
