"""Scheduled metrics jobs: the monthly report on the 1st, and a nightly rebuild of yesterday's rollups."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import TypeVar

from telqc.core.clock import SystemClock
from telqc.core.context import Ctx
from telqc.core.db import make_engine, make_sessionmaker, unit_of_work
from telqc.core.settings import get_settings
from telqc.metrics import report_render, reports, service

T = TypeVar("T")


def _ctx_run(fn: Callable[[Ctx], T]) -> T:
    settings = get_settings()
    factory = make_sessionmaker(make_engine(settings.effective_database_url))
    with unit_of_work(factory) as session:
        return fn(Ctx(session=session, clock=SystemClock(), settings=settings))


def generate_reports(period: str = "monthly") -> list[Path]:
    """Write last period's report in both formats under ``<data_dir>/reports`` (idempotent: overwrites)."""

    def run(ctx: Ctx) -> list[Path]:
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

    return _ctx_run(run)


def nightly_rebuild() -> dict[str, int]:
    """Re-fold yesterday from raw facts: repairs any rollup drift and imports contacts loaded without events."""

    def run(ctx: Ctx) -> dict[str, int]:
        yesterday = service.local_today(ctx) - timedelta(days=1)
        return service.backfill(ctx, yesterday, yesterday)

    return _ctx_run(run)
