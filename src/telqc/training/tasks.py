"""Periodic training jobs: assign courses for weak QA items (nightly), close attempts whose time ran out."""

from __future__ import annotations

from celery.schedules import crontab

from telqc.core.clock import SystemClock
from telqc.jobs.celery_app import celery, session_factory, settings
from telqc.jobs.dispatch import job_ctx
from telqc.training import attempts, service

WEAK_ITEMS_TASK = "telqc.training.assign_weak_items"
EXPIRE_TASK = "telqc.training.expire_attempts"
celery.conf.beat_schedule["training-weak-items"] = {"task": WEAK_ITEMS_TASK, "schedule": crontab(hour=2, minute=15)}
celery.conf.beat_schedule["training-expire"] = {"task": EXPIRE_TASK, "schedule": crontab(minute="*/10")}


@celery.task(name=WEAK_ITEMS_TASK)
def assign_weak_items() -> int:
    """Nightly: an agent who failed one scorecard item 3 times in 30 days is assigned the courses that train it.
    A course already open or given in the window is not given again, so a repeat run is harmless."""
    with job_ctx(session_factory(), SystemClock(), settings) as ctx:
        return len(service.assign_weak_items(ctx))


@celery.task(name=EXPIRE_TASK)
def expire_attempts() -> int:
    """Every 10 minutes: attempts past their deadline and grace become failed attempts scored 0."""
    with job_ctx(session_factory(), SystemClock(), settings) as ctx:
        return attempts.expire_overdue(ctx)
