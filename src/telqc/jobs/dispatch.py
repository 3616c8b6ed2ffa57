"""After a commit that emitted events: deliver them inline (embedded default) or wake a Celery worker.

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
from typing import Any

from sqlalchemy.orm import Session, sessionmaker

from telqc.core import events
from telqc.core.clock import Clock
from telqc.core.settings import Settings

log = logging.getLogger("telqc.jobs")
RELAY_QUEUED_KEY = "telqc:relay:queued"
RELAY_FLAG_SECONDS = 30

INLINE_MAX_PASSES = 3
"""Passes one request makes for commits that arrived meanwhile: under steady load there would always be
another, and that request would never answer; what is left goes with the next request's pass."""
_relaying = threading.Lock()
_dirty = False  # events committed in this process since the running pass started


def after_commit(factory: sessionmaker[Session], clock: Clock, settings: Settings) -> None:
    if settings.jobs_mode == "inline":
        _relay_inline(factory, clock, settings)
    else:
        wake_worker(settings)


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
                events.drain(factory, clock, settings)
                for hook in events.drain_hooks():
                    hook(factory, clock, settings)
        finally:
            _relaying.release()
        # a commit may have set _dirty between our last check and the release: go round again


_flags: dict[str, Any] = {}


def _flag_store(settings: Settings) -> Any | None:
    """Redis of the Celery broker (None for any other broker: then every commit queues a task)."""
    url = settings.celery_broker_url
    if not url.startswith(("redis://", "rediss://", "unix://")):
        return None
    client = _flags.get(url)
    if client is None:
        import redis

        client = _flags[url] = redis.Redis.from_url(url, socket_timeout=2.0)
    return client


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
    from telqc.jobs.celery_app import relay_events

    store = _flag_store(settings)
    if store is not None:
        try:
            if not store.set(RELAY_QUEUED_KEY, b"1", nx=True, ex=RELAY_FLAG_SECONDS):
                return
        except Exception:
            log.warning("relay flag unavailable; queueing a relay task anyway", exc_info=True)
            store = None
    try:
        relay_events.delay()
    except BaseException:
        if store is not None:
            clear_relay_flag(settings)  # nothing is queued: the next commit must try again
        raise


def clear_relay_flag(settings: Settings) -> None:
    """Called by the relay task before it reads the outbox: commits from now on need a new task."""
    store = _flag_store(settings)
    if store is not None:
        try:
            store.delete(RELAY_QUEUED_KEY)
        except Exception:
            log.warning("could not clear the relay flag; it expires in %s s", RELAY_FLAG_SECONDS, exc_info=True)
