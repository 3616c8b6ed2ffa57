"""The ``telqc`` command."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Annotated

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TaskID, TextColumn, TimeRemainingColumn
from rich.table import Table
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from telqc.api import serve as server
from telqc.core import audit, audit_anchor, migrate, pii, terminal, users
from telqc.core.audit_keys import keys_for
from telqc.core.clock import SystemClock
from telqc.core.db import sessionmaker_for
from telqc.core.errors import DomainError
from telqc.core.i18n import LANGUAGES, t
from telqc.core.rbac import Role
from telqc.core.rotation import reindex, rotate
from telqc.core.settings import Settings, get_settings
from telqc.customers.read import CUSTOMERS
from telqc.domains import modules
from telqc.jobs.dispatch import job_ctx
from telqc.jobs.relay import relay_backlog
from telqc.tables import metadata

app = typer.Typer(help="TelQC 客户服务与服务质量管理平台 / customer service and quality control", no_args_is_help=True)
db_app = typer.Typer(help="数据库 / database")
user_app = typer.Typer(help="用户 / users")
audit_app = typer.Typer(help="审计日志 / audit log")
app.add_typer(db_app, name="db")
app.add_typer(user_app, name="user")
app.add_typer(audit_app, name="audit")
console = terminal.console()
DEMO_ORDERS = 1000  # `telqc demo`'s work orders (see `demo`; measured in docs/BENCHMARKS.md)
DEMO_SUBSCRIBERS_PER_CUSTOMER = 1000


def _progress() -> Progress:
    return Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn(),
                    console=console, disable=False)


@db_app.command("upgrade")
def db_upgrade(revision: str = "heads") -> None:
    """Apply migrations (SQLite or PostgreSQL, from TELQC_DATABASE_URL)."""
    url = get_settings().effective_database_url
    migrate.upgrade(url, revision)
    console.print(f"[green]database at {revision}[/green]: {url.split('@')[-1]}")


@app.command()
def seed(
    customers: Annotated[int, typer.Option(help="customers to create")] = 2000,
    days: Annotated[int, typer.Option(help="days of contact history")] = 30,
    seed: Annotated[int, typer.Option("--seed", help="random seed (same seed, same data)")] = 42,
    contacts_per_day: Annotated[float, typer.Option(help="contacts per customer per day")] = 0.03,
    orders: Annotated[int, typer.Option(help="work orders: the first 300 through the order services, "
                                             "the rest bulk-generated")] = 300,
    subscribers_per_customer: Annotated[int, typer.Option(
        help="active subscribers one demo customer stands for (the complaint rate's base, per 10,000)")] = 250,
) -> None:
    """Fill the database with deterministic demo data (reference data, demo users, customers, contacts)."""
    # The demo loaders and the metrics backfill are imported by this command only: together they are about
    # 0.6 s of the 1.2 s that importing telqc.cli takes otherwise (measured module by module after
    # `import telqc.cli`), paid by every `telqc` command (serve, audit verify, --help ...).
    from telqc.demo import reference  # noqa: PLC0415
    from telqc.demo import seed as seeding  # noqa: PLC0415
    from telqc.demo.evaluation_seed import evaluated_months, load_demo_floor, seed_evaluations  # noqa: PLC0415
    from telqc.demo.improvement_seed import seed_improvement  # noqa: PLC0415
    from telqc.demo.incidents_seed import advance_incidents, seed_incidents  # noqa: PLC0415
    from telqc.demo.inspection_seed import seed_inspection, seed_store_visits  # noqa: PLC0415
    from telqc.demo.kb_seed import load_kb, train_kb  # noqa: PLC0415
    from telqc.demo.orders_seed import SERVICE_ORDERS, seed_earlier_orders, seed_orders  # noqa: PLC0415
    from telqc.demo.quarter_seed import seed_campaign, seed_training  # noqa: PLC0415
    from telqc.demo.retention_seed import seed_retention  # noqa: PLC0415
    from telqc.demo.workforce_seed import seed_workforce  # noqa: PLC0415
    from telqc.metrics import service as metrics  # noqa: PLC0415

    settings = get_settings()
    migrate.upgrade(settings.effective_database_url)
    factory = sessionmaker_for(settings)
    now = SystemClock().now()
    clock = SystemClock()
    with job_ctx(factory, clock, settings) as ctx:
        reference.load_reference(ctx)
        reference.load_demo_users(ctx)
        load_demo_floor(ctx, reference.DEMO_PASSWORD)  # before the contacts: they spread over the floor
    with _progress() as bar, job_ctx(factory, clock, settings) as ctx:
        session = ctx.session
        task = bar.add_task("客户 customers", total=customers)
        res = seeding.seed_customers(session, customers, seed, now, progress=lambda k: bar.advance(task, k))
        ctask = bar.add_task("接触 contacts", total=None)
        n = seeding.seed_contacts(session, days, seed, now, contacts_per_day,
                                  progress=lambda k: bar.advance(ctask, k),
                                  total=lambda t: bar.update(ctask, total=t))
        ctx.audit("demo.seeded", "database", "demo", customers=res.customers, contacts=n, seed=seed)
    with job_ctx(factory, clock, settings) as ctx:
        load_kb(ctx)
    if orders:
        with _progress() as bar, job_ctx(factory, clock, settings) as ctx:
            otask = bar.add_task("工单 orders", total=orders)
            order_days = min(days, 30) or 14
            made = seed_orders(ctx, count=orders, days=order_days, seed=seed,
                               progress=lambda k: bar.advance(otask, k))
            # the evaluated months before that window: a complaint and another order per agent and month
            earlier = seed_earlier_orders(ctx, evaluated_months(ctx, days), now - timedelta(days=order_days), seed)
        how = ("through the order services" if orders <= SERVICE_ORDERS else
               f"the first {SERVICE_ORDERS} through the order services, the rest bulk-generated")
        console.print(f"[green]seeded[/green] {made} work orders ({how}), and {earlier} in the evaluated months "
                      "before them")
    with job_ctx(factory, clock, settings) as ctx:
        storm = seed_incidents(ctx)  # a complaint storm, a network alarm, a planned cutover
    _relay(factory, settings)  # detection opens the storm's incident as its complaints' events arrive
    with job_ctx(factory, clock, settings) as ctx:
        advance_incidents(ctx)
    console.print(f"[green]seeded[/green] network incidents (a storm of {storm} complaints, an alarm, a cutover)")
    _relay(factory, settings)
    # the demo's customers are a sample: the subscriber base they stand for is larger (KPI.md complaint rate)
    scaled = settings.model_copy(update={"subscribers_per_customer": subscribers_per_customer})
    with _progress() as bar, job_ctx(factory, clock, scaled) as ctx:
        today = metrics.local_today(ctx)
        stages: dict[str, TaskID] = {}

        def advance(stage: str, k: int) -> None:
            if stage not in stages:
                stages[stage] = bar.add_task(f"指标 KPI rollups: {stage}", total=None)
            bar.advance(stages[stage], k)

        done = metrics.backfill(ctx, today - timedelta(days=max(days, 1)), today, progress=advance)
    console.print(f"[green]rollups rebuilt[/green] {done}")
    with job_ctx(factory, clock, settings) as ctx:
        plans = seed_improvement(ctx, days)
    if plans:
        console.print(f"[green]seeded[/green] {plans} improvement plans, measured on these rollups")
    with job_ctx(factory, clock, settings) as ctx:
        sat = seed_training(ctx, days)
        answers = seed_campaign(ctx, days, seed)
    console.print(f"[green]seeded[/green] training: {sat} exam attempts; a quarterly satisfaction campaign with "
                  f"{answers} answers")
    with job_ctx(factory, clock, settings) as ctx:
        sampled = seed_inspection(ctx, evaluated_months(ctx, days))  # a week of each evaluated month too
        visits = seed_store_visits(ctx)
    _relay(factory, settings)  # the scored samples reach the QA rollups the evaluations read
    console.print(f"[green]seeded[/green] quality inspection: a week of Guangdong calls per evaluated month and last "
                  f"week's, a weekly sampling plan, "
                  f"{sampled} samples for the inspector, {visits} store visits")
    with job_ctx(factory, clock, settings) as ctx:
        runs = seed_evaluations(ctx, days)
    console.print(f"[green]seeded[/green] {runs} agent evaluation runs (monthly and quarterly, by province)")
    with console.status("排班 workforce: forecast and roster …"), job_ctx(factory, clock, settings) as ctx:
        wf = seed_workforce(ctx, seed=seed)
    console.print(f"[green]seeded[/green] workforce: {wf.intervals} interval actuals (60 days), forecast "
                  f"{wf.forecast_id} (14 days), roster {wf.roster_id} ({wf.shifts} shifts, one week)")
    with job_ctx(factory, clock, settings) as ctx:
        kept = seed_retention(ctx)
    console.print(f"[green]seeded[/green] a retention campaign: {kept} tasks (the demo agent has a few)")
    with job_ctx(factory, clock, settings) as ctx:
        model = train_kb(ctx)
    console.print(f"[green]trained[/green] knowledge search's learned component on {model['articles']} articles "
                  f"and {model['examples']} verdicts -> {model['path']}")
    console.print(f"[green]seeded[/green] {res.customers} customers, {res.phones} phones, {res.plans} plans, "
                  f"{n} contacts (seed {seed})")


def _relay(factory: sessionmaker[Session], settings: Settings) -> None:
    """Deliver the events the command produced (rollups, recommendations, notifications)."""
    with console.status("事件 events …"):
        relay_backlog(factory, SystemClock(), settings, limit=5000)


@user_app.command("create")
def user_create(
    username: str, role: Role,
    password: Annotated[str, typer.Option(prompt=True, hide_input=True, confirmation_prompt=True)],
    display_name: Annotated[str | None, typer.Option()] = None,
    region: Annotated[list[str] | None, typer.Option(help="province code in scope (repeat); none = all")] = None,
    customer_id: Annotated[int | None, typer.Option(help="link a customer login to its profile")] = None,
) -> None:
    """Create a user."""
    settings = get_settings()
    try:
        with job_ctx(sessionmaker_for(settings), SystemClock(), settings) as ctx:
            u = users.create(ctx, username=username, password=password, role=role,
                             display_name=display_name, region_scope=region or None, customer_id=customer_id)
            uid = u.id
    except DomainError as e:
        console.print(f"[red]{e.field or ''} {e.message(settings.default_language)}[/red]")
        raise typer.Exit(2) from e
    console.print(f"[green]user {username} ({role.value}) created, id {uid}[/green]")


@audit_app.command("verify")
def audit_verify(
    anchors: Annotated[Path | None, typer.Option(help="also check every signed anchor in this directory "
                                                      "(e.g. TELQC_AUDIT_ANCHOR_DIR)")] = None,
) -> None:
    """Chain the entries still pending, then check the keyed audit chain (and, with --anchors, that every anchored
    row still has its anchored hash); exit 1 and name the first broken row if it was tampered with."""
    settings = get_settings()
    keys = keys_for(settings)
    with sessionmaker_for(settings)() as session:
        chained = audit.chain_all(session, keys)
        r = audit.verify(session, keys)
        a = audit_anchor.check(session, keys, anchors) if r.ok and anchors is not None else None
    for bad in (r, a):
        if bad is not None and not bad.ok:
            for lang in LANGUAGES:
                console.print(f"[red]{t('audit.broken', lang, row=bad.bad_id, reason=bad.message(lang))}[/red]",
                              soft_wrap=True)
            raise typer.Exit(1)
    for lang in LANGUAGES:
        console.print(f"[green]{t('audit.intact', lang, n=r.checked)}[/green]"
                      + (f"[green]; {t('audit.anchors_ok', lang, n=a.checked)}[/green]" if a else ""), soft_wrap=True)
    console.print(f"({chained} pending entries chained now)")


@audit_app.command("anchor")
def audit_anchor_cmd() -> None:
    """Chain what is pending, then write a signed checkpoint of the chain's head into TELQC_AUDIT_ANCHOR_DIR (the
    Celery beat job does it every hour)."""
    settings = get_settings()
    path, anchor = audit_anchor.anchor_now(sessionmaker_for(settings), settings, SystemClock())
    for lang in LANGUAGES:
        console.print(f"[green]{t('audit.anchored', lang, file=str(path), row=anchor.head_id)}[/green]", soft_wrap=True)


@app.command("pii-rotate")
def pii_rotate() -> None:
    """Re-encrypt personal data under the first key of TELQC_PII_KEYS and rewrite blind indexes under the first
    key of TELQC_BLIND_INDEX_KEY (then the old keys can be removed)."""
    settings = get_settings()
    with _progress() as bar, job_ctx(sessionmaker_for(settings), SystemClock(), settings) as ctx:
        session = ctx.session
        task = bar.add_task("重新加密 re-encrypting", total=None)
        n = rotate(session, metadata, progress=lambda k: bar.advance(task, k))
        task = bar.add_task("重建盲索引 re-indexing", total=None)
        m = reindex(session, metadata, progress=lambda k: bar.advance(task, k))
        ctx.audit("pii.rotated", "keyring", pii.keyring().active, values=n, indexes=m)
    console.print(f"[green]{n} values re-encrypted under key {pii.keyring().active}; {m} blind indexes rewritten"
                  f"[/green]")


@app.command()
def serve(host: str = "127.0.0.1", port: int = 8000, workers: int = 1, log_level: str = "info") -> None:
    """Serve the web app and API (several workers: one listening socket each, see telqc.api.serve)."""
    server.run(host, port, workers, log_level)


@app.command()
def demo(
    host: str = "127.0.0.1", port: int = 8000,
    customers: Annotated[int, typer.Option(help="customers in a new demo database")] = 2000,
    days: Annotated[int, typer.Option(help="days of history: 92 covers the quarter the evaluations show")] = 92,
) -> None:
    """Create the embedded demo database (first run only), then serve it."""
    from telqc.demo import reference  # noqa: PLC0415  (demo loaders: see `seed`)

    settings = get_settings()
    migrate.upgrade(settings.effective_database_url)
    with sessionmaker_for(settings)() as session:
        empty = not session.scalar(select(func.count()).select_from(CUSTOMERS))
    if empty:
        # 1,000 orders over the last 30 days (the first 300 through the services, the rest in bulk): about 30 a day,
        # so lists, queues and daily trends look like a real floor's; each demo customer stands for 1,000
        # subscribers, so that volume is a complaint rate near the 2 per 10,000 target (KPI.md).
        seed(customers=customers, days=days, seed=42, contacts_per_day=0.03, orders=DEMO_ORDERS,
             subscribers_per_customer=DEMO_SUBSCRIBERS_PER_CUSTOMER)
        with job_ctx(sessionmaker_for(settings), SystemClock(), settings) as ctx:
            reference.link_demo_customer(ctx)
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
    for m in modules("cli"):
        app.add_typer(m.app, name=m.NAME)
        for name, extra in getattr(m, "EXTRA_APPS", {}).items():
            app.add_typer(extra, name=name)


_add_domain_commands()

if __name__ == "__main__":
    app()
