"""``telqc serve``: uvicorn workers that each listen on a socket of their own (SO_REUSEPORT).

uvicorn's ``--workers`` shares one listening socket, and whichever worker wakes first accepts every
connection waiting on it: a client opening its keep-alive connections at once (a balancer, a bench)
may leave 15 of 16 on one worker for good. A worker runs Python one thread at a time, so that worker
saturates its core while the other idles (uneven splits cost more CPU per order in the orders bench,
see docs/BENCHMARKS.md). With a socket per worker the kernel spreads connections over the workers by
their address hash.
The parent only supervises: it restarts a worker that dies and stops them all on SIGINT/SIGTERM.
"""

from __future__ import annotations

import logging
import multiprocessing
import signal
import socket
import time
from types import FrameType

import uvicorn
from uvicorn.config import STARTUP_FAILURE

APP = "telqc.api.asgi:app"
STARTUP_SECONDS = 10.0  # a worker exiting with an error sooner is taken for one that could not start
log = logging.getLogger("telqc.serve")


def reuseport_socket(host: str, port: int, listen: bool = True) -> socket.socket:
    """A socket on the address that other workers may bind too (Linux, BSD, macOS)."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    sock.bind((host, port))
    if listen:
        sock.listen(2048)
    return sock


def _worker(host: str, port: int, log_level: str) -> None:
    # proxy headers: the app decides whom to believe (TELQC_TRUSTED_PROXIES), not uvicorn's default (127.0.0.1)
    config = uvicorn.Config(APP, host=host, port=port, log_level=log_level, proxy_headers=False)
    uvicorn.Server(config).run(sockets=[reuseport_socket(host, port)])


def run(host: str, port: int, workers: int, log_level: str = "info") -> None:
    """Serve on ``workers`` processes; one worker needs no supervisor and runs in this process."""
    if workers <= 1 or not hasattr(socket, "SO_REUSEPORT"):
        uvicorn.run(APP, host=host, port=port, workers=workers, log_level=log_level, proxy_headers=False)
        return
    # Hold the address (bound, not listening: it takes no connections) before any worker starts, so that a
    # port in use fails here, once, with its reason, and no other program takes it while a worker restarts.
    reservation = reuseport_socket(host, port, listen=False)
    ctx = multiprocessing.get_context("spawn")
    stopping = False

    def start() -> tuple[multiprocessing.process.BaseProcess, float]:
        p = ctx.Process(target=_worker, args=(host, port, log_level), daemon=False)
        p.start()
        return p, time.monotonic()

    def stop(_sig: int, _frame: FrameType | None) -> None:
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGTERM, stop)
    running = [start() for _ in range(workers)]  # each worker with the time it was started
    log.info("telqc serve: %d workers on %s:%d (one socket each)", workers, host, port)
    try:
        while not stopping:
            time.sleep(0.5)
            for i, (p, since) in enumerate(running):
                if p.is_alive() or stopping:
                    continue
                young = time.monotonic() - since < STARTUP_SECONDS
                if p.exitcode == STARTUP_FAILURE or (young and (p.exitcode or 0) > 0):
                    # the app or its settings are broken (not a kill): another worker would fail alike
                    log.error("worker %s exited with %s while starting; stopping", p.pid, p.exitcode)
                    raise SystemExit(STARTUP_FAILURE)
                log.warning("worker %s exited with %s; starting another", p.pid, p.exitcode)
                running[i] = start()
    finally:
        for p, _ in running:
            if p.is_alive():
                p.terminate()  # SIGTERM: uvicorn finishes the requests in flight, then exits
        for p, _ in running:
            p.join(30)
            if p.is_alive():
                p.kill()
        reservation.close()
