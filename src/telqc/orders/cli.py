"""`telqc orders ...`: run the SLA sweep by hand, write the default configuration."""

from __future__ import annotations

import typer
from rich.console import Console

from telqc.core import pii
from telqc.core.clock import SystemClock
from telqc.core.context import Ctx
from telqc.core.db import make_engine, make_sessionmaker, unit_of_work
from telqc.core.settings import get_settings

NAME = "orders"
app = typer.Typer(help="工单 / work orders", no_args_is_help=True)
console = Console()


def _factory():  # type: ignore[no-untyped-def]
    s = get_settings()
    pii.configure(s)
    return make_sessionmaker(make_engine(s.effective_database_url))


@app.command("sweep")
def sweep() -> None:
    """Apply SLA warnings, breaches and escalations to every order due now."""
    from telqc.orders.jobs import run_sweep

    res = run_sweep(_factory(), SystemClock(), get_settings())
    console.print(f"[green]sweep[/green] due={res['due']} warned={res['warned']} breached={res['breached']} "
                  f"escalated={res['escalated']}")


@app.command("init")
def init() -> None:
    """Write the default categories, China business calendar and SLA policies (if none exist)."""
    from telqc.orders import config

    settings = get_settings()
    with unit_of_work(_factory()) as session:
        config.ensure_defaults(Ctx(session=session, clock=SystemClock(), settings=settings))
    console.print("[green]order configuration ready[/green]")
