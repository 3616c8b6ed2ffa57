"""Scheduled metrics jobs: the monthly report on the 1st, and a nightly rebuild of yesterday's rollups."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from celery.schedules import crontab

from telqc.core.clock import SystemClock
from telqc.core.context import Ctx
from telqc.jobs.celery_app import celery, session_factory, settings
from telqc.jobs.dispatch import job_ctx
from telqc.metrics import report_render, reports, service

# Operator's local time (TELQC_TIMEZONE): the monthly report at 01:00 on the 1st, rollups rebuilt nightly at 02:30.
celery.conf.beat_schedule.update({
    "metrics-monthly-report": {"task": "telqc.metrics.monthly_report",
                               "schedule": crontab(minute=0, hour=1, day_of_month="1")},
    "metrics-nightly-rebuild": {"task": "telqc.metrics.nightly_rebuild", "schedule": crontab(minute=30, hour=2)},
})


def generate_reports(ctx: Ctx, period: str = "monthly") -> list[Path]:
    """Write last period's report in both formats under ``<data_dir>/reports`` (idempotent: overwrites)."""
    today = service.local_today(ctx)
    day = today.replace(day=1) - timedelta(days=1) if period == "monthly" else today - timedelta(days=1)
    rep = reports.build(ctx, period, day)
    folder = Path(ctx.settings.data_dir) / "reports"
    folder.mkdir(parents=True, exist_ok=True)
    paths = [folder / f"service-quality-{period}-{rep.label}.{ext}" for ext in ("xlsx", "pdf")]
    paths[0].write_bytes(report_render.to_xlsx(rep))
    paths[1].write_bytes(report_render.to_pdf(rep))
    ctx.audit("metrics.report_generated", "report", rep.label, period=period)
    return paths


def rebuild_yesterday(ctx: Ctx) -> dict[str, int]:
    """Re-fold yesterday from raw facts: repairs any rollup drift and imports contacts loaded without events."""
    yesterday = service.local_today(ctx) - timedelta(days=1)
    return service.backfill(ctx, yesterday, yesterday)


@celery.task(name="telqc.metrics.monthly_report")
def monthly_report() -> list[str]:
    with job_ctx(session_factory(), SystemClock(), settings) as ctx:
        return [str(p) for p in generate_reports(ctx, "monthly")]


@celery.task(name="telqc.metrics.nightly_rebuild")
def nightly_rebuild() -> dict[str, int]:
    with job_ctx(session_factory(), SystemClock(), settings) as ctx:
        return rebuild_yesterday(ctx)
