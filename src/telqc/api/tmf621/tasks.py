"""Periodic TMF621 hub delivery for the Celery worker (the embedded default delivers after each commit)."""

from __future__ import annotations

from telqc.api.tmf621.hub import deliver_pending
from telqc.core.clock import SystemClock
from telqc.jobs.celery_app import celery, session_factory, settings

celery.conf.beat_schedule["tmf621-deliver"] = {"task": "telqc.tmf621_deliver", "schedule": 5.0}


@celery.task(name="telqc.tmf621_deliver")
def deliver() -> int:
    return deliver_pending(session_factory(), SystemClock(), settings)
