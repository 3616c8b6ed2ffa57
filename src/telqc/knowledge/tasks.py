"""Periodic knowledge job: retrain the learned search component on the day's articles and feedback."""

from __future__ import annotations

from typing import Any

from celery.schedules import crontab

from telqc.core.clock import SystemClock
from telqc.jobs.celery_app import celery, session_factory, settings
from telqc.jobs.dispatch import job_ctx
from telqc.knowledge import learning

TRAIN_TASK = "telqc.knowledge.train_model"
celery.conf.beat_schedule["knowledge-train-model"] = {"task": TRAIN_TASK, "schedule": crontab(hour=2, minute=30)}


@celery.task(name=TRAIN_TASK)
def train_model() -> dict[str, Any]:
    """Nightly at 02:30; a full refit from the database, so a repeat or a missed night is harmless."""
    with job_ctx(session_factory(), SystemClock(), settings) as ctx:
        return learning.retrain(ctx)
