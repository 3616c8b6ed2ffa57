"""Periodic insight jobs: every customer's tier and lifecycle stage re-assessed each night (issue 23 §3), and a
retention campaign drawn every Monday morning from the fresh stages and churn scores (§4)."""

from __future__ import annotations

from celery.schedules import crontab

from telqc.core.clock import SystemClock
from telqc.insight import assessments, campaigns, scoring
from telqc.jobs.celery_app import celery, session_factory, settings
from telqc.jobs.dispatch import job_ctx

ASSESS_TASK = "telqc.insight.assess_tiers"
celery.conf.beat_schedule["insight-assess-tiers"] = {"task": ASSESS_TASK, "schedule": crontab(hour=3, minute=0)}


@celery.task(name=ASSESS_TASK)
def assess_tiers() -> int:
    """Nightly, after the day's bills and usage imports: the customers whose tier or stage changed."""
    with job_ctx(session_factory(), SystemClock(), settings) as ctx:
        return assessments.run(ctx).changed


CAMPAIGN_TASK = "telqc.insight.retention_campaign"
celery.conf.beat_schedule["insight-retention-campaign"] = {"task": CAMPAIGN_TASK,
                                                           "schedule": crontab(hour=4, minute=0, day_of_week=1)}


@celery.task(name=CAMPAIGN_TASK)
def retention_campaign() -> int:
    """Weekly, after the Monday assessment: every customer scored afresh, then the new campaign drawn with those
    scores; its id (the tasks reach agents' 工作台)."""
    with job_ctx(session_factory(), SystemClock(), settings) as ctx:
        scoring.run(ctx)
        return campaigns.run(ctx, f"每周挽留 {ctx.now():%Y-%m-%d}").id
