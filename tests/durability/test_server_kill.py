"""Durability: SIGKILL the server in the middle of a create load; every order answered 201 survives.

The request's transaction commits before the response is written (the session dependency
exits before the body is sent), so a 201 can only follow a commit. Runs on PostgreSQL.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import threading
import time
from typing import TYPE_CHECKING

import httpx
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import text

from helpers import PASSWORD, create_customer, login, make_user
from telqc.core import audit
from telqc.core.rbac import Role
from telqc.core.settings import Settings

if TYPE_CHECKING:
    from conftest import Database


def _port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _start(url: str, port: int) -> subprocess.Popen[bytes]:
    env = {**os.environ, "TELQC_DATABASE_URL": url, "TELQC_ENV": "test"}
    proc = subprocess.Popen([sys.executable, "-m", "uvicorn", "telqc.api.asgi:app", "--host", "127.0.0.1",
                             "--port", str(port), "--log-level", "warning"], env=env)
    deadline = time.time() + 60
    while time.time() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/login", timeout=1).status_code == 200:
                return proc
        except httpx.HTTPError:
            time.sleep(0.2)
    proc.kill()
    raise RuntimeError("server did not start")


def test_sigkill_during_creates_loses_no_acknowledged_order(app: FastAPI, client: TestClient, database: Database,
                                                            settings: Settings) -> None:
    if database.kind != "postgresql":
        pytest.skip("the crash test runs on PostgreSQL, the production database")
    make_user(app, "adm", Role.admin)
    make_user(app, "agent", Role.agent, region_scope=["440000"])
    customer = create_customer(client, login(client, "adm"))
    port = _port()
    base = f"http://127.0.0.1:{port}"
    server = _start(settings.database_url, port)
    try:
        token = httpx.post(f"{base}/api/v1/auth/token", data={"username": "agent", "password": PASSWORD}).json()
        headers = {"Authorization": f"Bearer {token['access_token']}"}
        acknowledged: list[int] = []
        lock = threading.Lock()
        stop = time.time() + 30

        def load(worker: int) -> None:
            with httpx.Client(base_url=base, headers=headers, timeout=5) as c:
                n = 0
                while time.time() < stop:
                    n += 1
                    try:
                        r = c.post("/api/v1/orders", json={
                            "type": "consultation", "category": "consultation.billing", "customer_id": customer["id"],
                            "channel": "hotline", "title": f"账单咨询 {worker}-{n}", "description": "询问本月账单"})
                    except httpx.HTTPError:
                        return  # the server is gone
                    if r.status_code == 201:
                        with lock:
                            acknowledged.append(r.json()["id"])

        threads = [threading.Thread(target=load, args=(i,)) for i in range(6)]
        for t in threads:
            t.start()
        while len(acknowledged) < 20 and time.time() < stop:
            time.sleep(0.05)
        os.kill(server.pid, signal.SIGKILL)
        server.wait(timeout=10)
        for t in threads:
            t.join(timeout=10)
        assert len(acknowledged) >= 20, "the load ran before the kill"
    finally:
        if server.poll() is None:
            server.kill()
    restarted = _start(settings.database_url, port)
    try:
        with app.state.engine.connect() as conn:
            stored = {r[0] for r in conn.execute(text("SELECT id FROM orders"))}
        missing = set(acknowledged) - stored
        assert not missing, f"orders answered 201 but lost: {sorted(missing)[:10]}"
        r = httpx.get(f"{base}/api/v1/orders/{acknowledged[-1]}", headers=headers, timeout=5)
        assert r.status_code == 200
        with app.state.sessionmaker() as s:
            assert audit.verify(s).ok, "the audit chain survives the crash"
    finally:
        restarted.kill()
        restarted.wait(timeout=10)
