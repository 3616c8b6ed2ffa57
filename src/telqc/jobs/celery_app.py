"""Celery application: the event relay plus each domain's periodic jobs (``telqc/<domain>/tasks.py``).

Run a worker with ``celery -A telqc.jobs.celery_app worker -B``.
"""

from __future__ import annotations

from celery import Celery
from celery.schedules import crontab

from telqc.core.settings import get_settings

settings = get_settings()
RELAY_BATCH = 1000  # events per relay pass (one outbox read)
celery = Celery("telqc", broker=settings.celery_broker_url, backend=None)
celery.conf.update(
    task_acks_late=True, task_reject_on_worker_lost=True, worker_prefetch_multiplier=4, timezone=settings.timezone,
    beat_schedule={"relay-events": {"task": "telqc.relay_events", "schedule": 5.0}},
)


RELAY_MIN_INTERVAL = 0.2
"""Seconds between the end of one relay pass and the start of the next. Under load every commit would
otherwise wake a pass of a few events, and a pass costs several transactions whatever its size; waiting
(with the relay flag still set, so the waiting commits queue no task) lets one pass take them all, for
at most this much more delay before a notification goes out."""
_last_pass_end = 0.0


@celery.task(name="telqc.relay_events")
def relay_events() -> int:
    import time

    from telqc.core import events
    from telqc.core.clock import SystemClock
    from telqc.jobs.dispatch import clear_relay_flag

    global _last_pass_end
    factory = _factory()
    settings = get_settings()
    time.sleep(max(0.0, _last_pass_end + RELAY_MIN_INTERVAL - time.monotonic()))
    clear_relay_flag(settings)  # before reading the outbox: a commit from now on queues the next pass
    total = 0
    try:
        while True:  # a backlog is worked off now, not 1,000 events per wake-up
            done = events.drain(factory, SystemClock(), settings, limit=RELAY_BATCH)
            total += done
            if done < RELAY_BATCH:
                return total
    finally:
        _last_pass_end = time.monotonic()


_cached: dict[str, object] = {}


def _factory():  # type: ignore[no-untyped-def]
    from telqc.core import pii
    from telqc.core.db import make_engine, make_sessionmaker

    if "f" not in _cached:
        s = get_settings()
        pii.configure(s)
        _cached["f"] = make_sessionmaker(make_engine(s.effective_database_url))
    return _cached["f"]


def _load_domain_tasks() -> None:
    from telqc.domains import modules

    list(modules("tasks"))


_load_domain_tasks()


@celery.task(name="telqc.metrics.monthly_report")
def monthly_report() -> list[str]:
    from telqc.metrics.tasks import generate_reports

    return [str(p) for p in generate_reports("monthly")]


@celery.task(name="telqc.metrics.nightly_rebuild")
def nightly_rebuild() -> dict[str, int]:
    from telqc.metrics.tasks import nightly_rebuild as rebuild

    return rebuild()


@celery.task(name="telqc.surveys.expire_invitations")
def expire_invitations() -> int:
    from telqc.surveys.tasks import expire_invitations as expire

    return expire()


celery.conf.beat_schedule.update({
    # Operator's local time (TELQC_TIMEZONE): the monthly report at 01:00 on the 1st, rollups rebuilt nightly at 02:30.
    "metrics-monthly-report": {"task": "telqc.metrics.monthly_report",
                               "schedule": crontab(minute=0, hour=1, day_of_month="1")},
    "metrics-nightly-rebuild": {"task": "telqc.metrics.nightly_rebuild", "schedule": crontab(minute=30, hour=2)},
    "surveys-expire": {"task": "telqc.surveys.expire_invitations", "schedule": 3600.0},
})
