"""Running the blocking part of a request (SQLAlchemy, psycopg) in a worker thread.

`in_thread` does what Starlette's `run_in_threadpool` does, with asyncio's executor instead of anyio's
thread runner: the request's context variables go along, and a cancelled caller still waits for the
thread, so nothing (a rollback, say) touches the request's session while the thread may still use it.
Per request this costs about a third of anyio's hop (no capacity-limiter task, no backend lookup through
run variables); the pool's size keeps anyio's default of 40 threads.
"""

from __future__ import annotations

import asyncio
import contextvars
import functools
import os
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import ParamSpec, TypeVar

P = ParamSpec("P")
T = TypeVar("T")
MAX_THREADS = 40

_pool: ThreadPoolExecutor | None = None


def _executor() -> ThreadPoolExecutor:
    global _pool
    if _pool is None:
        _pool = ThreadPoolExecutor(max_workers=MAX_THREADS, thread_name_prefix="telqc-request")
    return _pool


def _forget_pool() -> None:
    global _pool
    _pool = None  # a forked child has none of the parent's threads


os.register_at_fork(after_in_child=_forget_pool)


async def in_thread(fn: Callable[P, T], *args: P.args, **kwargs: P.kwargs) -> T:
    """`fn(*args, **kwargs)` in a worker thread with the caller's context variables."""
    call = functools.partial(contextvars.copy_context().run, fn, *args, **kwargs)
    fut = asyncio.get_running_loop().run_in_executor(_executor(), call)
    try:
        return await asyncio.shield(fut)
    except asyncio.CancelledError:
        # a thread cannot be stopped: keep the caller until it is done, then let the cancellation go on
        while not fut.done():
            try:
                await asyncio.shield(fut)
            except asyncio.CancelledError:
                continue
            except BaseException:  # the thread's own error: the cancellation takes precedence
                break
        raise
