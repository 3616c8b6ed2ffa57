"""Periodic insight jobs: every customer's tier and lifecycle stage re-assessed each night (issue 23 §3), a
retention campaign drawn every Monday morning from the fresh stages and churn scores (§4), and the churn model
retrained on the operator's history once a month, when last month's bills, usage and port-outs are in (§4)."""

from __future__ import annotations

from celery.schedules import crontab

from telqc.core.clock import SystemClock
from telqc.core.errors import Invalid
from telqc.insight import assessments, campaigns, retrain, scoring
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


RETRAIN_TASK = "telqc.insight.retrain_churn"
celery.conf.beat_schedule["insight-retrain-churn"] = {"task": RETRAIN_TASK,
                                                      "schedule": crontab(hour=2, minute=30, day_of_month=3)}


@celery.task(name=RETRAIN_TASK)
def retrain_churn() -> str | None:
    """Monthly: a model trained on the months up to the last one, stored with its version and held-out AUC,
    then every customer scored with it; the version (None when the history cannot train one yet: scoring then
    keeps the last stored model, or the reference one)."""
    with job_ctx(session_factory(), SystemClock(), settings) as ctx:
        try:
            version = retrain.train(ctx).row.version
        except Invalid:
            version = None
        scoring.run(ctx)
        return version
