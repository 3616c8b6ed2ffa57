"""`telqc orders ...`: run the SLA sweep by hand, write the default configuration."""

from __future__ import annotations

import typer

from telqc.core import terminal
from telqc.core.clock import SystemClock
from telqc.core.db import sessionmaker_for
from telqc.core.settings import get_settings
from telqc.jobs.dispatch import job_ctx
from telqc.orders import config
from telqc.orders.tasks import run_sweep

NAME = "orders"
app = typer.Typer(help="工单 / work orders", no_args_is_help=True)
console = terminal.console()


@app.command("sweep")
def sweep() -> None:
    """Apply SLA warnings, breaches and escalations to every order due now."""
    settings = get_settings()
    res = run_sweep(sessionmaker_for(settings), SystemClock(), settings)
    console.print(f"[green]sweep[/green] due={res['due']} warned={res['warned']} breached={res['breached']} "
                  f"escalated={res['escalated']}")


@app.command("init")
def init() -> None:
    """Write the default categories, China business calendar and SLA policies (if none exist)."""
    settings = get_settings()
    with job_ctx(sessionmaker_for(settings), SystemClock(), settings) as ctx:
        config.ensure_defaults(ctx)
    console.print("[green]order configuration ready[/green]")
