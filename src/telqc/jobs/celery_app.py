"""Celery application: the event relay plus each domain's periodic jobs (``telqc/<domain>/tasks.py``).

Run a worker with ``celery -A telqc.jobs.celery_app worker -B``.
"""

from __future__ import annotations

from celery import Celery

from telqc.core.settings import get_settings

settings = get_settings()
celery = Celery("telqc", broker=settings.celery_broker_url, backend=None)
celery.conf.update(task_acks_late=True, task_reject_on_worker_lost=True, worker_prefetch_multiplier=4,
                   timezone="UTC", beat_schedule={"relay-events": {"task": "telqc.relay_events", "schedule": 5.0}})


@celery.task(name="telqc.relay_events")
def relay_events() -> int:
    from telqc.core import events
    from telqc.core.clock import SystemClock

    factory = _factory()
    return events.drain(factory, SystemClock(), get_settings())


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
