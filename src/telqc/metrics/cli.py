"""``telqc metrics ...``: rebuild rollups from raw facts, refresh the subscriber base, write reports;
and ``telqc report monthly|weekly|daily``, the short form managers use for the last one."""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import date, datetime
from pathlib import Path
from typing import Annotated, TypeVar

import typer

from telqc.core import terminal
from telqc.core.clock import SystemClock
from telqc.core.context import Ctx
from telqc.core.db import sessionmaker_for
from telqc.core.settings import get_settings
from telqc.jobs.dispatch import job_ctx

NAME = "metrics"
app = typer.Typer(help="服务质量指标 / KPIs, rollups and reports", no_args_is_help=True)
report_app = typer.Typer(help="服务质量报告 / service-quality reports", no_args_is_help=True)
EXTRA_APPS = {"report": report_app}  # `telqc report ...` beside `telqc metrics ...`
console = terminal.console()
# Every `telqc` command imports this module, so the metrics code a command needs is imported inside it:
# at the top it would add 0.22 s (service: psycopg through metrics.sql, numpy) to 0.36 s (with the
# reports: jieba, xlsxwriter) to the 0.75 s start of any `telqc ...` (measured: best of 11 runs of
# python -c 'import telqc.cli; t = perf_counter(); import telqc.metrics.service; print(perf_counter() - t)').
T = TypeVar("T")


def _run(fn: Callable[[Ctx], T]) -> T:
    settings = get_settings()
    with job_ctx(sessionmaker_for(settings), SystemClock(), settings) as ctx:
        return fn(ctx)


@app.command()
def backfill(
    start: Annotated[datetime, typer.Option("--from", formats=["%Y-%m-%d"], help="first day (local)")],
    end: Annotated[datetime, typer.Option("--to", formats=["%Y-%m-%d"], help="last day, inclusive")],
) -> None:
    """Rebuild rollups of the days from raw facts (contacts table + stored events)."""
    from telqc.metrics import service  # 0.22 s, see above  # noqa: PLC0415

    if end < start:
        console.print("[red]--to 早于 --from / --to is before --from[/red]")
        raise typer.Exit(2)
    last = {"imported": 0.0, "folded": 0.0}

    def progress(stage: str, n: int) -> None:  # a line every 10 s: a quarter's rebuild takes minutes
        if time.monotonic() - last[stage] >= 10:
            last[stage] = time.monotonic()
            console.print(f"  {stage} {n:,} facts")

    res = _run(lambda ctx: service.backfill(ctx, start.date(), end.date(), progress=progress))
    console.print(f"[green]rebuilt[/green] {start.date()}..{end.date()}: {res}")


def write_report(period: str, day: date, fmt: str, out: Path | None) -> Path:
    from telqc.metrics import report_render, reports  # 0.36 s, see above  # noqa: PLC0415

    def make(ctx: Ctx) -> tuple[str, bytes]:
        rep = reports.build(ctx, period, day)
        return rep.label, report_render.to_xlsx(rep) if fmt == "xlsx" else report_render.to_pdf(rep)

    label, data = _run(make)
    path = out or Path(f"service-quality-{period}-{label}.{fmt}")
    path.write_bytes(data)
    return path


@app.command()
def report(
    period: Annotated[str, typer.Option(help="daily | weekly | monthly")] = "monthly",
    month: Annotated[str | None, typer.Option(help="YYYY-MM (monthly)")] = None,
    day: Annotated[datetime | None, typer.Option(formats=["%Y-%m-%d"], help="a day in the period")] = None,
    format: Annotated[str, typer.Option("--format", help="xlsx | pdf")] = "xlsx",
    out: Annotated[Path | None, typer.Option(help="output file")] = None,
) -> None:
    """Write the Chinese service-quality report (Excel with native charts, or PDF)."""
    if period not in ("daily", "weekly", "monthly") or format not in ("xlsx", "pdf"):
        console.print("[red]--period daily|weekly|monthly, --format xlsx|pdf[/red]")
        raise typer.Exit(2)
    try:
        when = datetime.strptime(month + "-01", "%Y-%m-%d").date() if month else (day.date() if day else None)
    except ValueError as e:
        console.print("[red]--month 格式应为 YYYY-MM / --month must be YYYY-MM[/red]")
        raise typer.Exit(2) from e
    if when is None:
        console.print("[red]--month 或 --day 必填 / give --month or --day[/red]")
        raise typer.Exit(2)
    path = write_report(period, when, format, out)
    console.print(f"[green]written[/green] {path}")


@app.command("subscribers")
def subscribers() -> None:
    """Recount the active-subscriber base (denominator of complaint rates) from customers."""
    from telqc.metrics import sources  # 0.22 s (psycopg, numpy), see above  # noqa: PLC0415

    n = _run(lambda ctx: sources.refresh_subscriber_base(ctx.session, ctx.now(),
                                                       ctx.settings.subscribers_per_customer))
    console.print(f"[green]subscriber base[/green]: {n} rows")


# -- `telqc report ...` -------------------------------------------------------------------------


def _one(period: str, when: datetime, fmt: str, out: Path | None) -> None:
    if fmt not in ("xlsx", "pdf"):
        console.print("[red]--format xlsx|pdf[/red]")
        raise typer.Exit(2)
    console.print(f"[green]written[/green] {write_report(period, when.date(), fmt, out)}")


@report_app.command()
def monthly(month: Annotated[datetime, typer.Option(formats=["%Y-%m"])],
            format: Annotated[str, typer.Option("--format")] = "xlsx",
            out: Annotated[Path | None, typer.Option()] = None) -> None:
    """月报 / monthly report."""
    _one("monthly", month, format, out)


@report_app.command()
def weekly(day: Annotated[datetime, typer.Option(formats=["%Y-%m-%d"])],
           format: Annotated[str, typer.Option("--format")] = "xlsx",
           out: Annotated[Path | None, typer.Option()] = None) -> None:
    """周报 / weekly report (the week containing --day)."""
    _one("weekly", day, format, out)


@report_app.command()
def daily(day: Annotated[datetime, typer.Option(formats=["%Y-%m-%d"])],
          format: Annotated[str, typer.Option("--format")] = "xlsx",
          out: Annotated[Path | None, typer.Option()] = None) -> None:
    """日报 / daily report."""
    _one("daily", day, format, out)
