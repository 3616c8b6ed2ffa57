"""Periodic survey job: close expired links, transactional and campaign ones."""

from __future__ import annotations

from telqc.core.clock import SystemClock
from telqc.jobs.celery_app import celery, session_factory, settings
from telqc.jobs.dispatch import job_ctx
from telqc.surveys import campaigns, service

celery.conf.beat_schedule["surveys-expire"] = {"task": "telqc.surveys.expire_invitations", "schedule": 3600.0}


@celery.task(name="telqc.surveys.expire_invitations")
def expire_invitations() -> int:
    """Run by the scheduler (hourly); safe to repeat."""
    with job_ctx(session_factory(), SystemClock(), settings) as ctx:
        return service.expire_due(ctx) + campaigns.expire_due(ctx)
