"""Orders jobs: the SLA sweep (every minute under Celery beat; also `telqc orders sweep`)."""

from __future__ import annotations

from dataclasses import asdict
from datetime import datetime

from sqlalchemy.orm import Session, sessionmaker

from telqc.core.clock import Clock, SystemClock
from telqc.core.settings import Settings
from telqc.jobs.celery_app import celery, session_factory, settings
from telqc.jobs.dispatch import job_ctx
from telqc.orders import notify
from telqc.orders.sweep import sweep_all

celery.conf.beat_schedule["orders-sla-sweep"] = {"task": "telqc.orders.sla_sweep", "schedule": 60.0}


def run_sweep(factory: sessionmaker[Session], clock: Clock, settings: Settings,
              now: datetime | None = None) -> dict[str, int]:
    """Warnings, breaches and escalations for every order due now (cost ∝ due orders), in one transaction;
    then its events are relayed and the notifications it queued are sent."""
    with job_ctx(factory, clock, settings) as ctx:
        res = sweep_all(ctx, now)
    notify.deliver_pending(factory, clock)
    return asdict(res)


@celery.task(name="telqc.orders.sla_sweep")
def sla_sweep() -> dict[str, int]:
    return run_sweep(session_factory(), SystemClock(), settings)
