"""After-commit dispatch: relays coalesce instead of piling up, and no committed event is left behind."""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

import pytest
from fastapi import FastAPI
from sqlalchemy import select

from telqc.core import events
from telqc.core.clock import FrozenClock
from telqc.core.context import Ctx
from telqc.core.settings import Settings
from telqc.core.uow import UnitOfWork
from telqc.jobs import celery_app, dispatch, wakeup

if TYPE_CHECKING:
    from conftest import Database

WROTE_EVENTS = frozenset({events.OUTBOX_TABLE})


def _commit_event(app: Any, clock: Any, n: int) -> None:
    with app.state.sessionmaker() as s:
        uow = UnitOfWork(s)
        events.emit(Ctx(uow=uow, clock=clock, settings=app.state.settings), "test.coalesce", "test", n, n=n)
        uow.commit()


def test_inline_relay_commits_during_a_pass_are_relayed_by_that_pass_holder(app: FastAPI, clock: FrozenClock,
                                                                            database: Database) -> None:
    if database.kind != "postgresql":
        pytest.skip("SQLite serialises every transaction: a handler mid-pass blocks the second commit itself")
    seen: list[int] = []
    entered, release = threading.Event(), threading.Event()

    def handler(ctx: Ctx, event: events.Event) -> None:
        seen.append(event.payload["n"])
        if event.payload["n"] == 1:
            entered.set()
            assert release.wait(30), "test deadlock"

    events.subscribe("test.coalesce")(handler)
    state = app.state
    relay_args = (WROTE_EVENTS, state.sessionmaker, clock, state.settings)
    try:
        _commit_event(app, clock, 1)
        first = threading.Thread(target=dispatch.after_commit, args=relay_args)
        first.start()
        assert entered.wait(30)
        # a second request commits while the first is relaying: it returns at once, leaving its event
        # to the relaying thread
        _commit_event(app, clock, 2)
        second = threading.Thread(target=dispatch.after_commit, args=relay_args)
        second.start()
        second.join(10)
        assert not second.is_alive(), "a commit during a relay pass must not wait for it"
        assert seen == [1]
        release.set()
        first.join(30)
        assert seen == [1, 2], "the relaying thread made one more pass for the event committed meanwhile"
        with state.sessionmaker() as s:
            left = s.scalars(select(events.OutboxEvent.id).where(events.OutboxEvent.published_at.is_(None))).all()
        assert left == []
    finally:
        release.set()
        events._handlers[:] = [h for h in events._handlers if h[2] is not handler]


@pytest.fixture
def flag_settings(settings: Settings, monkeypatch: pytest.MonkeyPatch) -> Iterator[Settings]:
    import redis

    url = "redis://127.0.0.1:6379/15"
    try:
        redis.Redis.from_url(url, socket_connect_timeout=1).ping()
    except Exception as exc:
        if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
            pytest.fail(f"Redis is required in CI for the relay wake-up flag ({url}): {exc}")
        pytest.skip(f"Redis not reachable at {url}: {exc}")
    s = settings.model_copy(update={"jobs_mode": "celery", "celery_broker_url": url})
    # a key of this test process's own: the suite's other process runs these tests too, at the same time
    key = f"{wakeup.RELAY_QUEUED_KEY}:test-{os.getpid()}"
    monkeypatch.setattr(wakeup, "RELAY_QUEUED_KEY", key)
    redis.Redis.from_url(url).delete(key)
    yield s
    redis.Redis.from_url(url).delete(key)


def _settle(queued: list[int], expect: int) -> list[int]:
    """Wait out the wake window: a commit inside it is checked once more when it ends."""
    deadline = time.monotonic() + 5
    while len(queued) < expect and time.monotonic() < deadline:
        time.sleep(0.01)
    time.sleep(3 * dispatch.WAKE_WINDOW_SECONDS)  # and nothing more arrives after it
    return queued


def test_celery_wakes_one_relay_task_until_it_starts(flag_settings: Settings, monkeypatch: pytest.MonkeyPatch) -> None:
    queued: list[int] = []
    monkeypatch.setattr(celery_app.celery, "send_task", lambda name: queued.append(1))
    for _ in range(5):  # five commits while the task waits in the queue
        dispatch.wake_worker(flag_settings)
    assert _settle(queued, 1) == [1]
    wakeup.clear_relay_flag(flag_settings)  # the task starts: it reads the outbox after this point
    dispatch.wake_worker(flag_settings)  # so a commit from now on needs a task of its own
    assert _settle(queued, 2) == [1, 1]


def test_celery_commits_inside_a_wake_window_are_checked_when_it_ends(flag_settings: Settings,
                                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    queued: list[int] = []
    monkeypatch.setattr(celery_app.celery, "send_task", lambda name: queued.append(1))
    _settle(queued, 0)  # a fresh window
    dispatch.wake_worker(flag_settings)
    assert queued == [1], "the first commit of a window wakes the worker at once"
    wakeup.clear_relay_flag(flag_settings)  # the task started before the next commit
    dispatch.wake_worker(flag_settings)  # inside the window: no round trip now...
    assert _settle(queued, 2) == [1, 1], "...but a check when the window ends queues the pass it needs"


def test_celery_flag_is_cleared_when_queueing_fails(flag_settings: Settings, monkeypatch: pytest.MonkeyPatch) -> None:
    def broker_down(name: str) -> None:
        raise ConnectionError("broker down")

    queued: list[int] = []
    monkeypatch.setattr(celery_app.celery, "send_task", lambda name: queued.append(1))
    _settle(queued, 0)  # a fresh window
    monkeypatch.setattr(celery_app.celery, "send_task", broker_down)
    with pytest.raises(ConnectionError):
        dispatch.wake_worker(flag_settings)
    monkeypatch.setattr(celery_app.celery, "send_task", lambda name: queued.append(1))
    dispatch.wake_worker(flag_settings)
    assert _settle(queued, 1) == [1], "a failed wake-up must not suppress the next one"
