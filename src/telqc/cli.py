"""The ``telqc`` command."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TaskID, TextColumn, TimeRemainingColumn
from rich.table import Table
from sqlalchemy import func, select

from telqc.core import audit, migrate, pii
from telqc.core.clock import SystemClock
from telqc.core.context import Ctx
from telqc.core.db import make_engine, make_sessionmaker, unit_of_work
from telqc.core.rbac import Role
from telqc.core.settings import Settings, get_settings

app = typer.Typer(help="TelQC 客户服务与服务质量管理平台 / customer service and quality control", no_args_is_help=True)
db_app = typer.Typer(help="数据库 / database")
user_app = typer.Typer(help="用户 / users")
audit_app = typer.Typer(help="审计日志 / audit log")
app.add_typer(db_app, name="db")
app.add_typer(user_app, name="user")
app.add_typer(audit_app, name="audit")
console = Console()


def _factory(settings: Settings):  # type: ignore[no-untyped-def]
    pii.configure(settings)
    return make_sessionmaker(make_engine(settings.effective_database_url))


def _progress() -> Progress:
    return Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn(),
                    console=console, disable=False)


@db_app.command("upgrade")
def db_upgrade(revision: str = "heads") -> None:
    """Apply migrations (SQLite or PostgreSQL, from TELQC_DATABASE_URL)."""
    url = get_settings().effective_database_url
    migrate.upgrade(url, revision)
    console.print(f"[green]database at {revision}[/green]: {url.split('@')[-1]}")


def _ctx(session, settings: Settings) -> Ctx:  # type: ignore[no-untyped-def]
    return Ctx(session=session, clock=SystemClock(), settings=settings)


@app.command()
def seed(
    customers: Annotated[int, typer.Option(help="customers to create")] = 2000,
    days: Annotated[int, typer.Option(help="days of contact history")] = 30,
    seed: Annotated[int, typer.Option("--seed", help="random seed (same seed, same data)")] = 42,
    contacts_per_day: Annotated[float, typer.Option(help="contacts per customer per day")] = 0.03,
    orders: Annotated[int, typer.Option(help="work orders: the first 300 through the order services, "
                                             "the rest bulk-generated")] = 300,
) -> None:
    """Fill the database with deterministic demo data (reference data, demo users, customers, contacts)."""
    from telqc.demo import reference
    from telqc.demo import seed as seeding

    settings = get_settings()
    migrate.upgrade(settings.effective_database_url)
    factory = _factory(settings)
    now = SystemClock().now()
    with unit_of_work(factory) as session:
        ctx = _ctx(session, settings)
        reference.load_reference(ctx)
        reference.load_demo_users(ctx)
    with _progress() as bar, unit_of_work(factory) as session:
        task = bar.add_task("客户 customers", total=customers)
        res = seeding.seed_customers(session, customers, seed, now, progress=lambda k: bar.advance(task, k))
        ctask = bar.add_task("接触 contacts", total=None)
        n = seeding.seed_contacts(session, days, seed, now, contacts_per_day,
                                  progress=lambda k: bar.advance(ctask, k),
                                  total=lambda t: bar.update(ctask, total=t))
        _ctx(session, settings).audit("demo.seeded", "database", "demo", customers=res.customers, contacts=n,
                                      seed=seed)
    with unit_of_work(factory) as session:
        from telqc.demo.kb_seed import load_kb

        load_kb(_ctx(session, settings))
    if orders:
        from telqc.demo.orders_seed import SERVICE_ORDERS, seed_orders

        with _progress() as bar, unit_of_work(factory) as session:
            otask = bar.add_task("工单 orders", total=orders)
            made = seed_orders(_ctx(session, settings), count=orders, days=min(days, 30) or 14, seed=seed,
                               progress=lambda k: bar.advance(otask, k))
        how = ("through the order services" if orders <= SERVICE_ORDERS else
               f"the first {SERVICE_ORDERS} through the order services, the rest bulk-generated")
        console.print(f"[green]seeded[/green] {made} work orders ({how})")
    _relay(factory, settings)
    from datetime import timedelta

    from telqc.metrics import service as metrics

    with _progress() as bar, unit_of_work(factory) as session:
        ctx = _ctx(session, settings)
        today = metrics.local_today(ctx)
        stages: dict[str, TaskID] = {}

        def advance(stage: str, k: int) -> None:
            if stage not in stages:
                stages[stage] = bar.add_task(f"指标 KPI rollups: {stage}", total=None)
            bar.advance(stages[stage], k)

        done = metrics.backfill(ctx, today - timedelta(days=max(days, 1)), today, progress=advance)
    console.print(f"[green]rollups rebuilt[/green] {done}")
    console.print(f"[green]seeded[/green] {res.customers} customers, {res.phones} phones, {res.plans} plans, "
                  f"{n} contacts (seed {seed})")


def _relay(factory, settings: Settings) -> None:  # type: ignore[no-untyped-def]
    """Deliver the events the command produced (rollups, recommendations, notifications)."""
    from telqc.core import events

    with console.status("事件 events …"):
        while events.drain(factory, SystemClock(), settings, limit=5000):
            pass


@user_app.command("create")
def user_create(
    username: str, role: Role,
    password: Annotated[str, typer.Option(prompt=True, hide_input=True, confirmation_prompt=True)],
    display_name: Annotated[str | None, typer.Option()] = None,
    region: Annotated[list[str] | None, typer.Option(help="province code in scope (repeat); none = all")] = None,
    customer_id: Annotated[int | None, typer.Option(help="link a customer login to its profile")] = None,
) -> None:
    """Create a user."""
    from telqc.core.auth import create_user
    from telqc.core.errors import DomainError

    settings = get_settings()
    try:
        with unit_of_work(_factory(settings)) as session:
            u = create_user(_ctx(session, settings), username=username, password=password, role=role,
                            display_name=display_name, region_scope=region or None, customer_id=customer_id)
            uid = u.id
    except DomainError as e:
        console.print(f"[red]{e.field or ''} {e.message(settings.default_language)}[/red]")
        raise typer.Exit(2) from e
    console.print(f"[green]user {username} ({role.value}) created, id {uid}[/green]")


@audit_app.command("verify")
def audit_verify() -> None:
    """Check the audit hash chain; exit 1 and name the first broken row if it was tampered with."""
    settings = get_settings()
    with unit_of_work(_factory(settings)) as session:
        r = audit.verify(session)
    if r.ok:
        console.print(f"[green]audit chain intact: {r.checked} rows[/green]")
        return
    console.print(f"[red]audit chain BROKEN at row {r.bad_id}: {r.reason}[/red]")
    raise typer.Exit(1)


@app.command("pii-rotate")
def pii_rotate() -> None:
    """Re-encrypt personal data under the first key of TELQC_PII_KEYS and rewrite blind indexes under the first
    key of TELQC_BLIND_INDEX_KEY (then the old keys can be removed)."""
    from telqc.core.rotation import reindex, rotate

    settings = get_settings()
    with _progress() as bar, unit_of_work(_factory(settings)) as session:
        task = bar.add_task("重新加密 re-encrypting", total=None)
        n = rotate(session, progress=lambda k: bar.advance(task, k))
        task = bar.add_task("重建盲索引 re-indexing", total=None)
        m = reindex(session, progress=lambda k: bar.advance(task, k))
        _ctx(session, settings).audit("pii.rotated", "keyring", pii.keyring().active, values=n, indexes=m)
    console.print(f"[green]{n} values re-encrypted under key {pii.keyring().active}; {m} blind indexes rewritten"
                  f"[/green]")


@app.command()
def serve(host: str = "127.0.0.1", port: int = 8000, workers: int = 1, log_level: str = "info") -> None:
    """Serve the web app and API (several workers: one listening socket each, see telqc.api.serve)."""
    from telqc.api import serve as server

    server.run(host, port, workers, log_level)


@app.command()
def demo(
    host: str = "127.0.0.1", port: int = 8000,
    customers: Annotated[int, typer.Option(help="customers in a new demo database")] = 2000,
    days: int = 60,
) -> None:
    """Create the embedded demo database (first run only), then serve it."""
    from telqc.customers.models import Customer
    from telqc.demo import reference

    settings = get_settings()
    migrate.upgrade(settings.effective_database_url)
    with unit_of_work(_factory(settings)) as session:
        empty = not session.scalar(select(func.count()).select_from(Customer))
    if empty:
        seed(customers=customers, days=days, seed=42, contacts_per_day=0.03, orders=150)
        with unit_of_work(_factory(settings)) as session:
            reference.link_demo_customer(_ctx(session, settings))
    table = Table(title="TelQC 演示账号 / demo logins")
    table.add_column("用户名 username")
    table.add_column("角色 role")
    table.add_column("范围 scope")
    for username, display, role, province in reference.DEMO_USERS:
        table.add_row(username, f"{display} · {role.value}", province or "全国 all")
    table.add_row("customer", "客户 · customer", "own account")
    console.print(table)
    console.print(f"密码 / password: [bold]{reference.DEMO_PASSWORD}[/bold]")
    console.print(f"打开 / open [bold]http://{host}:{port}[/bold]   API docs: http://{host}:{port}/docs")
    serve(host=host, port=port)


def _add_domain_commands() -> None:
    """A domain adds commands with ``telqc/<domain>/cli.py`` exposing ``NAME`` and a Typer ``app``, and
    ``EXTRA_APPS = {name: app}`` for more top-level groups (``telqc report`` from metrics)."""
    from telqc.domains import modules

    for m in modules("cli"):
        app.add_typer(m.app, name=m.NAME)
        for name, extra in getattr(m, "EXTRA_APPS", {}).items():
            app.add_typer(extra, name=name)


_add_domain_commands()

if __name__ == "__main__":
    app()
