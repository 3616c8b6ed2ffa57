"""Periodic inspection jobs: the saved sampling plans (抽检计划) sample their last complete period each night."""

from __future__ import annotations

from celery.schedules import crontab

from telqc.core.clock import SystemClock
from telqc.inspection import sampling_plans
from telqc.jobs.celery_app import celery, session_factory, settings
from telqc.jobs.dispatch import job_ctx

SAMPLING_TASK = "telqc.inspection.run_sampling_plans"
celery.conf.beat_schedule["inspection-sampling-plans"] = {"task": SAMPLING_TASK,
                                                         "schedule": crontab(hour=1, minute=30)}


@celery.task(name=SAMPLING_TASK)
def run_sampling_plans() -> int:
    """Nightly: every active plan whose last complete day or week has no batch yet samples it (a second run
    finds the batches and does nothing)."""
    with job_ctx(session_factory(), SystemClock(), settings) as ctx:
        return len(sampling_plans.run_due(ctx))
