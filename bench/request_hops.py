"""What a request's transaction costs the framework: a plain `def` route committed by `open_ctx`'s exit (two
worker-thread hops: the route's and the commit's) against an `async` route that hands its work to
`run_and_commit` (one hop), both with TelQC's real request dependency and an empty unit of work.

  .venv/bin/python bench/request_hops.py                # CPU µs per request, alternating rounds
  .venv/bin/python bench/request_hops.py --callgrind    # instructions per request, counted by valgrind

Requests are made in-process through httpx's ASGI transport, so both figures include the same client cost;
the difference between the two lines is the second hop and its bookkeeping.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import subprocess
import sys
import time
from pathlib import Path

import httpx
from fastapi import FastAPI, Request, Response

from telqc.api.deps import CtxDep, run_and_commit
from telqc.core.clock import SystemClock
from telqc.core.db import make_engine, make_sessionmaker
from telqc.core.settings import Settings

PATHS = {"sync": "def route, committed by open_ctx's exit", "async": "async route, run_and_commit"}


def make_app() -> FastAPI:
    app = FastAPI()
    app.state.settings = Settings(env="test", database_url="sqlite://")
    app.state.clock = SystemClock()
    app.state.sessionmaker = make_sessionmaker(make_engine("sqlite://"))

    @app.post("/sync")
    def two_hops(ctx: CtxDep) -> Response:
        return Response("{}", media_type="application/json")

    @app.post("/async")
    async def one_hop(request: Request, ctx: CtxDep) -> Response:
        return await run_and_commit(request, ctx, lambda: Response("{}", media_type="application/json"))

    return app


def _toggle(on: bool) -> None:
    if os.environ.get("TELQC_HOPS_CALLGRIND"):
        subprocess.run(["callgrind_control", "-i", "on" if on else "off", str(os.getpid())], check=True,
                       capture_output=True)


async def measure(path: str, n: int) -> float:
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=make_app()), base_url="http://t") as c:
        for _ in range(200):
            await c.post(f"/{path}")
        t = time.process_time()
        _toggle(True)
        for _ in range(n):
            await c.post(f"/{path}")
        _toggle(False)
        return (time.process_time() - t) / n


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--n", type=int, default=3000)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--callgrind", action="store_true")
    ap.add_argument("--path", choices=sorted(PATHS), help=argparse.SUPPRESS)  # one path, under valgrind
    args = ap.parse_args()
    if args.path:
        print(f"{1e6 * asyncio.run(measure(args.path, args.n)):.0f}")
        return
    if args.callgrind:
        for path, what in PATHS.items():
            out = Path(os.environ.get("TMPDIR", "/tmp")) / f"request_hops.{path}.callgrind"
            run = subprocess.run(["valgrind", "--tool=callgrind", "--instr-atstart=no", f"--callgrind-out-file={out}",
                                  sys.executable, __file__, "--path", path, "--n", str(args.n // 3)],
                                 env={**os.environ, "TELQC_HOPS_CALLGRIND": "1"}, capture_output=True, text=True)
            collected = [line for line in run.stderr.splitlines() if "Collected :" in line]
            if run.returncode or not collected:
                raise SystemExit(run.stderr[-2000:])
            print(f"{what:45s} {int(collected[-1].split(':')[-1]) / (args.n // 3):>12,.0f} instructions per request")
        return
    for r in range(args.rounds):
        order = list(PATHS) if r % 2 == 0 else list(reversed(PATHS))
        got = {p: asyncio.run(measure(p, args.n)) for p in order}
        print(f"round {r + 1}: " + "   ".join(f"{PATHS[p]}: {1e6 * got[p]:.0f} µs" for p in PATHS)
              + f"   one hop / two hops: {got['async'] / got['sync']:.2f}")


if __name__ == "__main__":
    main()
