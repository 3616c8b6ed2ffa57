"""Celery application: the event relay plus each domain's periodic jobs (``telqc/<domain>/tasks.py``).

Run a worker with ``celery -A telqc.jobs.celery_app worker -B``. The domains' task modules are named in
``include`` and imported by the worker when it starts; they import `celery` from here, never the reverse.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any, Protocol, TypeVar

from celery import Celery
from celery.schedules import crontab
from sqlalchemy.orm import Session, sessionmaker

from telqc.core import pii
from telqc.core.clock import SystemClock
from telqc.core.db import make_engine, make_sessionmaker
from telqc.core.settings import get_settings
from telqc.domains import module_names
from telqc.jobs import wakeup
from telqc.jobs.relay import BATCH, relay_backlog

_Task = TypeVar("_Task", bound=Callable[[], object])


class _App(Protocol):
    """The part of the Celery app TelQC uses, typed (celery ships no types): a task keeps its function's type."""

    conf: Any

    def task(self, *, name: str) -> Callable[[_Task], _Task]: ...

    def send_task(self, name: str) -> object: ...


settings = get_settings()
RELAY_TASK = "telqc.relay_events"
ANCHOR_TASK = "telqc.audit_anchor"  # telqc.jobs.tasks: a signed checkpoint of the audit chain, outside the database
PURGE_LOGIN_FAILURES_TASK = "telqc.purge_login_failures"  # telqc.jobs.tasks: ended login-throttle windows
celery: _App = Celery("telqc", broker=settings.celery_broker_url, backend=None,
                      include=[*module_names("tasks"), "telqc.jobs.tasks"])
celery.conf.update(
    task_acks_late=True, task_reject_on_worker_lost=True, worker_prefetch_multiplier=4, timezone=settings.timezone,
    beat_schedule={"relay-events": {"task": RELAY_TASK, "schedule": 5.0},
                   "audit-anchor": {"task": ANCHOR_TASK, "schedule": crontab(minute=0)},
                   "purge-login-failures": {"task": PURGE_LOGIN_FAILURES_TASK, "schedule": crontab(minute=30)}},
)


RELAY_MIN_INTERVAL = 0.2
"""Seconds between the end of one relay pass and the start of the next. Under load every commit would
otherwise wake a pass of a few events, and a pass costs several transactions whatever its size; waiting
(with the relay flag still set, so the waiting commits queue no task) lets one pass take them all, for
at most this much more delay before a notification goes out."""
_last_pass_end = 0.0


@celery.task(name=RELAY_TASK)
def relay_events() -> int:
    global _last_pass_end
    time.sleep(max(0.0, _last_pass_end + RELAY_MIN_INTERVAL - time.monotonic()))
    wakeup.clear_relay_flag(settings)  # before reading the outbox: a commit from now on queues the next pass
    try:
        return relay_backlog(session_factory(), SystemClock(), settings, limit=BATCH)
    finally:
        _last_pass_end = time.monotonic()


_factory: list[sessionmaker[Session]] = []


def session_factory() -> sessionmaker[Session]:
    """This worker process's sessions (one engine per process, made on first use)."""
    if not _factory:
        pii.configure(settings)
        _factory.append(make_sessionmaker(make_engine(settings.effective_database_url)))
    return _factory[0]
