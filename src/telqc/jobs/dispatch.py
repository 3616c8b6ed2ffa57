"""After a commit that wrote outbox events or audit entries: relay them inline (embedded default) or wake a
Celery worker; and the unit of work of a job or command, which does that after its commit.

Both paths coalesce, because a busy API process commits far more often than a relay pass is needed:

- inline: one thread per process relays at a time; a request that commits while a pass is running
  leaves its events to that thread, which makes one more pass before it stops (up to
  INLINE_MAX_PASSES; then the next request's pass takes them). Across processes the relay's advisory
  lock already works that way. With one request at a time, as in the tests and the embedded demo,
  every request still delivers its own events before it answers.
- celery: a flag in the broker's Redis says "a relay task is queued and has not started yet"; while it
  is set, a new commit needs no task of its own (the queued one reads the outbox after this commit).
  The task clears the flag before it reads the outbox, so no commit is ever left without a pass; the
  flag expires on its own should a worker die holding it, and beat's periodic relay remains the floor.
  A process asks Redis at most once per WAKE_WINDOW_SECONDS: a commit inside the window is covered by
  one more check when the window ends (a background thread), so a busy API process spends one round trip
  per window instead of one per request, and no commit waits more than a window for its check.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy.orm import Session, sessionmaker

from telqc.core.audit import PendingEntry
from telqc.core.clock import Clock
from telqc.core.context import Ctx
from telqc.core.events import OUTBOX_TABLE
from telqc.core.rbac import Principal
from telqc.core.settings import Settings
from telqc.core.uow import UnitOfWork
from telqc.jobs.relay import relay_pass

log = logging.getLogger("telqc.jobs")
RELAYED_TABLES = frozenset({OUTBOX_TABLE, PendingEntry.__tablename__})
"""A commit that wrote to these has work for the relay: events to deliver, audit entries to chain."""

INLINE_MAX_PASSES = 3
"""Passes one request makes for commits that arrived meanwhile: under steady load there would always be
another, and that request would never answer; what is left goes with the next request's pass."""
_relaying = threading.Lock()
_dirty = False  # relay work committed in this process since the running pass started


def after_commit(written: frozenset[str], factory: sessionmaker[Session], clock: Clock, settings: Settings) -> None:
    """Relay what a commit wrote (`written`: the tables `UnitOfWork.commit` answered)."""
    if not written & RELAYED_TABLES:
        return
    try:
        if settings.jobs_mode == "inline":
            _relay_inline(factory, clock, settings)
        else:
            wake_worker(settings)
    except Exception:  # the commit stands; what failed stays in the outbox for the next pass
        log.exception("relay after commit failed; the relay will retry")


@contextmanager
def job_ctx(factory: sessionmaker[Session], clock: Clock, settings: Settings,
            principal: Principal | None = None) -> Iterator[Ctx]:
    """The unit of work of a job or a command: commit at the end (roll back on error), then relay."""
    uow = UnitOfWork(factory())
    try:
        yield Ctx(uow=uow, clock=clock, settings=settings, principal=principal)
        written = uow.commit()
    except BaseException:
        uow.rollback()
        raise
    finally:
        uow.close()
    after_commit(written, factory, clock, settings)


def _relay_inline(factory: sessionmaker[Session], clock: Clock, settings: Settings) -> None:
    global _dirty
    _dirty = True
    passes = 0
    while _dirty and passes < INLINE_MAX_PASSES:
        if not _relaying.acquire(blocking=False):
            return  # the thread holding it sees _dirty after its pass and goes again
        try:
            while _dirty and passes < INLINE_MAX_PASSES:
                _dirty = False
                passes += 1
                relay_pass(factory, clock, settings)
        finally:
            _relaying.release()
        # a commit may have set _dirty between our last check and the release: go round again


WAKE_WINDOW_SECONDS = 0.05
"""Relay passes start at least 0.2 s apart (see `telqc.jobs.celery_app`): checking the flag more often than
this buys no earlier delivery."""


class _Waker:
    """This process's wake-ups: the first commit of a window checks at once, the rest once at its end."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._due: Settings | None = None  # a commit in the current window still needs its check
        self._window_end = 0.0
        self._armed = threading.Event()
        self._thread: threading.Thread | None = None

    def wake(self, settings: Settings) -> None:
        now = time.monotonic()
        with self._lock:
            if now < self._window_end:
                self._due = settings
                if self._thread is None:
                    self._thread = threading.Thread(target=self._run, name="telqc-relay-waker", daemon=True)
                    self._thread.start()
                self._armed.set()
                return
            self._window_end = now + WAKE_WINDOW_SECONDS
        _wake_now(settings)

    def _run(self) -> None:
        while True:
            self._armed.wait()
            with self._lock:
                wait = self._window_end - time.monotonic()
            if wait > 0:
                time.sleep(wait)
            with self._lock:
                self._armed.clear()
                settings, self._due = self._due, None
                if settings is None:
                    continue
                self._window_end = time.monotonic() + WAKE_WINDOW_SECONDS
            try:
                _wake_now(settings)
            except Exception:
                log.exception("relay wake-up failed; beat's periodic relay will deliver the events")


_waker = _Waker()


def _new_waker_after_fork() -> None:
    global _waker
    _waker = _Waker()  # the parent's thread does not exist in the child


os.register_at_fork(after_in_child=_new_waker_after_fork)


def wake_worker(settings: Settings) -> None:
    """See that a relay pass starts after this commit (within one wake window)."""
    _waker.wake(settings)


def _wake_now(settings: Settings) -> None:
    """Queue a relay task unless one is already queued and not yet started."""
    # celery and redis cost 0.37 s at import (measured: `python -c "import celery.app"` 154 ms,
    # `import redis` 210 ms); only celery mode needs them, so the embedded default never loads them
    from telqc.jobs import celery_app, wakeup  # noqa: PLC0415

    if not wakeup.set_relay_flag(settings):
        return
    try:
        celery_app.celery.send_task(celery_app.RELAY_TASK)
    except BaseException:
        wakeup.clear_relay_flag(settings)  # nothing is queued: the next commit must try again
        raise
