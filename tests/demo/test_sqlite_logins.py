"""The embedded demo's SQLite under parallel sign-ins: nobody gets a 500 (``database is locked``).

Every SQLite transaction takes the write lock first (BEGIN IMMEDIATE) and a request's transaction spans
several worker-thread hops (the caller's lookup, the route, the commit). When requests waiting for that
lock held every worker thread, the request holding it could not get a thread to commit: the waiters timed
out after the busy timeout and answered 500 (seen on `make demo` when several users signed in at once).
"""

from __future__ import annotations

import asyncio
from pathlib import Path

import httpx
from anyio import to_thread

from helpers import PASSWORD, make_user
from telqc.api.app import create_app
from telqc.core import migrate
from telqc.core.clock import SystemClock
from telqc.core.rbac import Role
from telqc.core.settings import Settings

USERS = 8
THREADS = 3  # fewer worker threads than requests in flight, as on a busy server


def test_parallel_logins_and_failed_logins_on_a_file_database_all_answer(tmp_path: Path) -> None:
    settings = Settings(env="test", data_dir=tmp_path)
    migrate.upgrade(settings.effective_database_url)
    app = create_app(settings, SystemClock())
    for i in range(USERS):
        make_user(app, f"user{i}", Role.agent)

    async def burst() -> list[httpx.Response]:
        to_thread.current_default_thread_limiter().total_tokens = THREADS
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://demo") as c:
            good = [c.post("/api/v1/auth/token", data={"username": f"user{i}", "password": PASSWORD})
                    for i in range(USERS)]
            wrong = [c.post("/api/v1/auth/token", data={"username": f"user{i}", "password": "wrong-password"})
                     for i in range(USERS // 2)]  # a failed attempt commits too (the throttle's counters)
            return await asyncio.gather(*good, *wrong)

    try:
        answers = asyncio.run(burst())
    finally:
        app.state.engine.dispose()
    assert [r.status_code for r in answers] == [200] * USERS + [401] * (USERS // 2), [r.text for r in answers]
