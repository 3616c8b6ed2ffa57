"""Periodic jobs: the SLA sweep every minute and the notification relay."""

from __future__ import annotations

from telqc.jobs.celery_app import _factory, celery
from telqc.orders.jobs import run_sweep

celery.conf.beat_schedule["orders-sla-sweep"] = {"task": "telqc.orders.sla_sweep", "schedule": 60.0}


@celery.task(name="telqc.orders.sla_sweep")
def sla_sweep() -> dict[str, int]:
    """Warnings, breaches and escalations for every order due now (cost ∝ due orders)."""
    from telqc.core.clock import SystemClock
    from telqc.core.settings import get_settings

    return run_sweep(_factory(), SystemClock(), get_settings())
