"""Periodic insight jobs: every customer's tier and lifecycle stage re-assessed each night (issue 23 §3)."""

from __future__ import annotations

from celery.schedules import crontab

from telqc.core.clock import SystemClock
from telqc.insight import assessments
from telqc.jobs.celery_app import celery, session_factory, settings
from telqc.jobs.dispatch import job_ctx

ASSESS_TASK = "telqc.insight.assess_tiers"
celery.conf.beat_schedule["insight-assess-tiers"] = {"task": ASSESS_TASK, "schedule": crontab(hour=3, minute=0)}


@celery.task(name=ASSESS_TASK)
def assess_tiers() -> int:
    """Nightly, after the day's bills and usage imports: the customers whose tier or stage changed."""
    with job_ctx(session_factory(), SystemClock(), settings) as ctx:
        return assessments.run(ctx).changed
