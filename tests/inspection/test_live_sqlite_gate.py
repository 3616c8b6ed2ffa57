"""Live inspection on the embedded SQLite alongside parallel writes: every call is stored, nobody gets a 500.

A live call's database work (admitting the gateway, looking up the agent, storing the finished call) ran in
a worker thread but outside the SQLite write gate (`telqc.core.db.WriteGate`) that every request's unit of
work passes. With fewer worker threads than work in flight, a call waiting in SQLite's busy handler held a
thread the request holding the lock needed to commit: the call failed with "database is locked" after the
busy timeout and the requests behind it waited as long (`tests/demo/test_sqlite_logins.py`, the same
failure for sign-ins).
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import MutableMapping
from pathlib import Path
from typing import Any

import httpx
from anyio import to_thread
from fastapi import FastAPI

from helpers import PASSWORD, make_user
from telqc.api.app import create_app
from telqc.core import migrate
from telqc.core.clock import SystemClock
from telqc.core.rbac import Role
from telqc.core.settings import Settings

CALLS = 4
LOGINS = 8
THREADS = 2  # fewer worker threads than work in flight, as on a busy server
TURNS = [{"speaker": "agent", "start_ms": 0, "end_ms": 3000, "text": "您好，很高兴为您服务"},
         {"speaker": "customer", "start_ms": 4000, "end_ms": 7000, "text": "再不解决我就打12300"}]


async def _live_call(app: FastAPI, token: str, call_id: str) -> list[dict[str, Any]]:
    """One gateway connection driven through the ASGI interface: connect, stream the turns, hang up."""
    inbox: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
    for msg in [{"type": "websocket.connect"},
                *({"type": "websocket.receive", "text": json.dumps(t, ensure_ascii=False)} for t in TURNS),
                {"type": "websocket.receive", "text": json.dumps({"type": "end"})}]:
        inbox.put_nowait(msg)
    sent: list[MutableMapping[str, Any]] = []

    async def receive() -> dict[str, Any]:
        return await inbox.get() if not inbox.empty() else {"type": "websocket.disconnect", "code": 1000}

    async def send(message: MutableMapping[str, Any]) -> None:
        sent.append(message)

    path = f"/api/v1/qa/live/calls/{call_id}"
    scope = {"type": "websocket", "asgi": {"version": "3.0"}, "scheme": "ws", "http_version": "1.1",
             "path": path, "raw_path": path.encode(), "root_path": "", "query_string": b"agent=agent",
             "headers": [(b"host", b"demo"), (b"authorization", f"Bearer {token}".encode())],
             "client": ("127.0.0.1", 50000), "server": ("demo", 80), "subprotocols": [], "state": {}}
    await app(scope, receive, send)
    return [json.loads(m["text"]) for m in sent if m["type"] == "websocket.send"]


def test_live_calls_beside_parallel_writes_on_a_file_database_are_all_stored(tmp_path: Path) -> None:
    settings = Settings(env="test", data_dir=tmp_path)
    migrate.upgrade(settings.effective_database_url)
    app = create_app(settings, SystemClock())
    make_user(app, "gw", Role.admin)
    make_user(app, "agent", Role.agent, region_scope=["440000"])
    for i in range(LOGINS):
        make_user(app, f"user{i}", Role.agent)

    async def burst() -> tuple[list[httpx.Response], list[list[dict[str, Any]]]]:
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://demo") as c:
            r = await c.post("/api/v1/auth/token", data={"username": "gw", "password": PASSWORD})
            token = r.json()["access_token"]
            to_thread.current_default_thread_limiter().total_tokens = THREADS
            logins = [c.post("/api/v1/auth/token", data={"username": f"user{i}", "password": PASSWORD})
                      for i in range(LOGINS)]
            calls = [_live_call(app, token, f"gate-{i}") for i in range(CALLS)]
            both = await asyncio.gather(asyncio.gather(*logins), asyncio.gather(*calls))
        return both[0], both[1]

    try:
        logins, calls = asyncio.run(burst())
    finally:
        app.state.engine.dispose()
    assert [r.status_code for r in logins] == [200] * LOGINS, [r.text for r in logins]
    finals = [msgs[-1] for msgs in calls]
    assert [(f["type"], f["saved"]) for f in finals] == [("final", True)] * CALLS, finals
    assert len({f["interaction_id"] for f in finals}) == CALLS
