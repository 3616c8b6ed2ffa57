"""Periodic TMF621 hub delivery for the Celery worker (the embedded default delivers after each commit)."""

from __future__ import annotations

from telqc.jobs.celery_app import _factory, celery


@celery.task(name="telqc.tmf621_deliver")
def deliver() -> int:
    from telqc.api.tmf621.hub import deliver_pending
    from telqc.core.clock import SystemClock
    from telqc.core.settings import get_settings

    return deliver_pending(_factory(), SystemClock(), get_settings())


celery.conf.beat_schedule["tmf621-deliver"] = {"task": "telqc.tmf621_deliver", "schedule": 5.0}
