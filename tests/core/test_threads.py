"""`in_thread`: context variables go along, and a cancelled caller waits for its thread (a request's
rollback must never run while its endpoint's thread still uses the session)."""

from __future__ import annotations

import asyncio
import contextvars
import threading

import pytest

from telqc.api.threads import in_thread

_var: contextvars.ContextVar[str] = contextvars.ContextVar("v", default="unset")


def test_runs_in_another_thread_with_the_callers_context() -> None:
    async def main() -> tuple[int, str]:
        _var.set("request")
        return await in_thread(lambda: (threading.get_ident(), _var.get()))

    ident, seen = asyncio.run(main())
    assert ident != threading.get_ident() and seen == "request"


def test_the_threads_error_reaches_the_caller() -> None:
    def fail() -> None:
        raise ValueError("from the thread")

    with pytest.raises(ValueError, match="from the thread"):
        asyncio.run(in_thread(fail))


def test_a_cancelled_caller_waits_for_its_thread() -> None:
    release, finished = threading.Event(), threading.Event()
    order: list[str] = []

    def work() -> None:
        release.wait(5)
        order.append("thread done")
        finished.set()

    async def main() -> None:
        task = asyncio.create_task(in_thread(work))
        await asyncio.sleep(0.05)
        task.cancel()
        await asyncio.sleep(0.05)
        assert not task.done(), "cancelled while the thread runs: the caller keeps waiting"
        task.cancel()  # a second cancellation changes nothing
        await asyncio.sleep(0.05)
        assert not task.done()
        release.set()
        with pytest.raises(asyncio.CancelledError):
            await task
        order.append("caller cancelled")

    asyncio.run(main())
    assert finished.is_set() and order == ["thread done", "caller cancelled"]
