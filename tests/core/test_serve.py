"""`telqc serve --workers 2`: each worker listens on a socket of its own, and the parent stops them all."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

Served = tuple[subprocess.Popen[bytes], int, dict[str, str]]  # the parent, its port, its environment


def _port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _children(pid: int) -> set[int]:
    """The worker processes (multiprocessing also starts a resource tracker, not counted)."""
    out = subprocess.run(["ps", "-ww", "-o", "pid=,args=", "--ppid", str(pid)], capture_output=True, text=True)
    return {int(line.split()[0]) for line in out.stdout.splitlines()
            if "spawn_main" in line and "resource_tracker" not in line}


@pytest.fixture
def served(tmp_path: Path) -> Iterator[Served]:
    if not sys.platform.startswith("linux"):
        pytest.skip("the process checks read Linux's ps")
    port = _port()
    env = {**os.environ, "TELQC_DATABASE_URL": f"sqlite:///{tmp_path / 'serve.db'}", "TELQC_ENV": "test"}
    subprocess.run([sys.executable, "-m", "telqc.cli", "db", "upgrade"], env=env, check=True, capture_output=True)
    log = (tmp_path / "serve.log").open("w")
    proc = subprocess.Popen([sys.executable, "-m", "telqc.cli", "serve", "--workers", "2", "--port", str(port),
                             "--log-level", "warning"], env=env, stdout=log, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 60
    while len(_children(proc.pid)) < 2 or not _answers(port):
        assert proc.poll() is None, (tmp_path / "serve.log").read_text()
        assert time.monotonic() < deadline, f"server did not start: {(tmp_path / 'serve.log').read_text()}"
        time.sleep(0.2)
    yield proc, port, env
    if proc.poll() is None:
        proc.kill()
    log.close()


def _answers(port: int, within: float = 30.0) -> bool:
    """Whether the server answers a page within `within` seconds (a new worker is still importing the app
    for a second or two, longer on a loaded machine, while the kernel already queues connections to it)."""
    deadline = time.monotonic() + within
    while True:
        try:
            return httpx.get(f"http://127.0.0.1:{port}/login", timeout=within).status_code == 200
        except httpx.HTTPError:
            if time.monotonic() > deadline:
                return False
            time.sleep(0.2)


def test_two_workers_serve_and_stop_with_the_parent(served: Served) -> None:
    proc, port, _ = served
    workers = _children(proc.pid)
    assert len(workers) == 2
    assert all(_answers(port) for _ in range(10))  # a new connection each time, whichever worker takes it
    proc.send_signal(signal.SIGTERM)
    assert proc.wait(timeout=30) == 0
    assert not any(Path(f"/proc/{w}").exists() for w in workers), "no worker outlives the parent"


def test_a_dead_worker_is_replaced(served: Served) -> None:
    proc, port, _ = served
    before = _children(proc.pid)
    os.kill(min(before), signal.SIGKILL)
    deadline = time.monotonic() + 60
    while (len(_children(proc.pid)) < 2 or _children(proc.pid) == before) and time.monotonic() < deadline:
        time.sleep(0.2)
    after = _children(proc.pid)
    assert len(after) == 2 and after != before
    assert _answers(port)


def test_a_port_in_use_fails_at_once(served: Served) -> None:
    _, _, env = served
    with socket.socket() as taken:  # another program holds an address without SO_REUSEPORT
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        busy = taken.getsockname()[1]
        out = subprocess.run([sys.executable, "-m", "telqc.cli", "serve", "--workers", "2", "--port", str(busy)],
                             env=env, capture_output=True, text=True, timeout=60)
    assert out.returncode != 0
    assert "Address already in use" in out.stderr
