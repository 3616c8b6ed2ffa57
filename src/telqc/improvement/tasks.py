"""Periodic improvement job: remind action owners the day before, escalate overdue actions to the plan owner."""

from __future__ import annotations

from celery.schedules import crontab

from telqc.core.clock import SystemClock
from telqc.improvement import service
from telqc.jobs.celery_app import celery, session_factory, settings
from telqc.jobs.dispatch import job_ctx

REMIND_TASK = "telqc.improvement.remind_actions"
celery.conf.beat_schedule["improvement-remind"] = {"task": REMIND_TASK, "schedule": crontab(hour=8, minute=30)}


@celery.task(name=REMIND_TASK)
def remind_actions() -> tuple[int, int]:
    """Daily at 08:30 local time; each action is reminded and escalated at most once, so a repeat is harmless."""
    with job_ctx(session_factory(), SystemClock(), settings) as ctx:
        return service.remind_and_escalate(ctx)
