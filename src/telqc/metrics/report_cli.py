"""``telqc report monthly --month 2026-10 --format xlsx|pdf`` (wire with NAME/app like a domain cli)."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Annotated

import typer

from telqc.metrics.cli import console, write_report

NAME = "report"
app = typer.Typer(help="服务质量报告 / service-quality reports", no_args_is_help=True)


def _one(period: str, when: datetime, fmt: str, out: Path | None) -> None:
    if fmt not in ("xlsx", "pdf"):
        console.print("[red]--format xlsx|pdf[/red]")
        raise typer.Exit(2)
    console.print(f"[green]written[/green] {write_report(period, when.date(), fmt, out)}")


@app.command()
def monthly(month: Annotated[datetime, typer.Option(formats=["%Y-%m"])],
            format: Annotated[str, typer.Option("--format")] = "xlsx",
            out: Annotated[Path | None, typer.Option()] = None) -> None:
    """月报 / monthly report."""
    _one("monthly", month, format, out)


@app.command()
def weekly(day: Annotated[datetime, typer.Option(formats=["%Y-%m-%d"])],
           format: Annotated[str, typer.Option("--format")] = "xlsx",
           out: Annotated[Path | None, typer.Option()] = None) -> None:
    """周报 / weekly report (the week containing --day)."""
    _one("weekly", day, format, out)


@app.command()
def daily(day: Annotated[datetime, typer.Option(formats=["%Y-%m-%d"])],
          format: Annotated[str, typer.Option("--format")] = "xlsx",
          out: Annotated[Path | None, typer.Option()] = None) -> None:
    """日报 / daily report."""
    _one("daily", day, format, out)
