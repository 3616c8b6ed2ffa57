"""`telqc workforce ...`: the staffing calculator on a file; forecast, backtest, staff and schedule."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, SpinnerColumn, TaskID, TextColumn, TimeElapsedColumn
from rich.table import Table

from telqc.contacts.read import Channel
from telqc.core import terminal
from telqc.core.clock import SystemClock
from telqc.core.context import Ctx
from telqc.core.db import sessionmaker_for
from telqc.core.errors import DomainError
from telqc.core.i18n import LANGUAGES, t
from telqc.core.settings import get_settings
from telqc.jobs.dispatch import job_ctx
from telqc.workforce import erlang_csv, planning, service
from telqc.workforce import schemas as s

NAME = "workforce"
app = typer.Typer(help="排班与人力预测 / workforce management", no_args_is_help=True)
console = terminal.console()


@app.command("erlang")
def erlang(
    cases: Annotated[Path, typer.Argument(help="CSV: case_id, calls_per_interval, interval_s, aht_s, "
                                               "service_level_target, answer_time_s, max_occupancy, shrinkage")],
    out: Annotated[Path, typer.Option("--out", help="where to write the results (CSV)")],
) -> None:
    """Agents needed per case (Erlang C; Erlang A where a patience_s column is given). Nothing is written when
    any row is wrong: the error names its row and column."""
    try:
        text = cases.read_text(encoding="utf-8-sig")
    except OSError as e:
        console.print(f"[red]无法读取 {cases}[/red]: {e.strerror}")
        raise typer.Exit(2) from None
    try:
        result = erlang_csv.run(text)
    except erlang_csv.RowError as e:
        zh, en = (t("workforce.erlang.error_line", lang, where=e.where(lang), reason=e.message(lang))
                  for lang in LANGUAGES)
        console.print(f"[red]{escape(zh)}[/red]\n({escape(en)})", soft_wrap=True)
        raise typer.Exit(2) from None
    out.write_text(result, encoding="utf-8")
    console.print(f"[green]{result.count(chr(10)) - 1} cases[/green] → {out}")


def _progress() -> Progress:
    return Progress(SpinnerColumn(), TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                    TimeElapsedColumn(), console=console)


@contextmanager
def _ctx() -> Iterator[Ctx]:
    """One unit of work on the configured database; a business error is printed (field and message), exit 2."""
    settings = get_settings()
    try:
        with job_ctx(sessionmaker_for(settings), SystemClock(), settings) as ctx:
            yield ctx
    except DomainError as e:
        console.print(f"[red]{e.field or ''} {e.message(settings.default_language)}[/red]")
        raise typer.Exit(2) from None


Channels = Annotated[list[Channel] | None,
                     typer.Option("--channel", help="channel (repeat); default: all with history")]


@app.command("forecast")
def forecast_cmd(
    days: Annotated[int, typer.Option(min=1, max=42, help="days to forecast")] = 14,
    start: Annotated[str | None, typer.Option(help="first day (YYYY-MM-DD; default tomorrow)")] = None,
    history_days: Annotated[int, typer.Option(min=28, max=730, help="days of history to fit on")] = 60,
    channel: Channels = None,
    note: Annotated[str | None, typer.Option(help="a note stored with the version")] = None,
) -> None:
    """Forecast contacts per 30-minute interval and store it as a new version."""
    with _ctx() as ctx, _progress() as bar:
        chans = [c.value for c in channel] if channel else None
        task = bar.add_task("预测 forecast", total=len(chans) if chans else None)
        f = service.run_forecast(ctx, s.ForecastIn(start_date=date.fromisoformat(start) if start else None, days=days,
                                                   history_days=history_days, channels=channel, note=note),
                                 progress=lambda ch: bar.update(task, advance=1, description=f"预测 forecast: {ch}"))
        fid, fstart, fdays, fchannels = f.id, f.start_date, f.days, f.channels
    console.print(f"[green]forecast {fid}[/green]: {fstart} + {fdays} days, channels {', '.join(fchannels)}")


@app.command("backtest")
def backtest_cmd(
    history_days: Annotated[int, typer.Option(min=35, max=730, help="days of history up to yesterday")] = 60,
    origins: Annotated[int, typer.Option(min=1, max=26, help="rolling origins (one held-out week each)")] = 4,
    channel: Channels = None,
) -> None:
    """MASE and WAPE on held-out weeks (rolling origins) against the seasonal-naive forecast (same interval
    one week earlier). Lower is better; the model should beat the baseline on every channel."""
    table = Table("渠道 channel", "MASE", "WAPE", "naive MASE", "naive WAPE", "origins")
    with _ctx() as ctx, _progress() as bar:
        chans = [c.value for c in channel] if channel else service.history_channels(ctx)
        for ch in chans:
            task = bar.add_task(f"回测 backtest: {ch}", total=origins)

            def step(task: TaskID = task) -> None:
                bar.advance(task)

            b = service.backtest(ctx, ch, history_days, origins, progress=step)
            table.add_row(ch, f"{b.mase:.3f}", f"{b.wape:.3f}", f"{b.naive_mase:.3f}", f"{b.naive_wape:.3f}",
                          str(len(b.scores)))
    console.print(table)


@app.command("staff")
def staff_cmd(
    forecast: Annotated[int, typer.Option("--forecast", min=1, help="forecast version")],
    day: Annotated[str | None, typer.Option(help="day (YYYY-MM-DD; default the forecast's first)")] = None,
    channel: Annotated[Channel, typer.Option(help="channel")] = Channel.hotline,
) -> None:
    """Agents needed per interval of one day under the channel's queue rules (Erlang A with patience, else C)."""
    with _ctx() as ctx:
        ser = service.series(ctx, forecast, channel.value, date.fromisoformat(day) if day else None, 1)
        rules = service.rules_view(ctx, channel.value)
        tz = service.zone(ctx)
    table = Table("时段 interval", "预测 contacts", "AHT s", "坐席 agents", "排班 scheduled", "实际 actual",
                  title=f"{channel.value}: {rules.model}, {rules.service_level_target:.0%}/{rules.answer_time_s:.0f}s, "
                        f"occupancy ≤ {rules.max_occupancy:.0%}, shrinkage {rules.shrinkage:.0%}")
    for k, at in enumerate(ser.intervals):
        table.add_row(f"{at.astimezone(tz):%m-%d %H:%M}", f"{ser.contacts[k]:.1f}", f"{ser.aht_s[k]:.0f}",
                      str(ser.agents[k]), str(ser.scheduled[k]), "" if ser.actual[k] is None else str(ser.actual[k]))
    console.print(table)
    console.print(f"peak {max(ser.scheduled, default=0)} scheduled; {sum(ser.agents) / 2:.1f} agent-hours on the queue")


@app.command("schedule")
def schedule_cmd(
    forecast: Annotated[int, typer.Option("--forecast", min=1, help="forecast version")],
    start: Annotated[str | None, typer.Option(help="first day (default the forecast's first)")] = None,
    days: Annotated[int, typer.Option(min=1, max=28, help="days to roster")] = 7,
) -> None:
    """Build a roster of the active staff against the forecast's requirement (HiGHS) and store it."""
    with _ctx() as ctx:
        with console.status("排班求解 solving the roster …"):
            r, res = planning.build_roster(ctx, s.RosterIn(forecast_id=forecast, days=days,
                                                           start_date=date.fromisoformat(start) if start else None))
        rid = r.id
    console.print(f"[green]roster {rid}[/green] ({res.status}, {res.solve_s:.1f} s): {len(res.shifts)} shifts, "
                  f"{res.under:.0f} agent-intervals short, {res.over:.0f} over, {res.dropped} planned shifts "
                  "nobody could take")
    for ch, short in sorted(res.unmet.items()):
        console.print(f"  {ch}: {short:.0f} agent-intervals short")
