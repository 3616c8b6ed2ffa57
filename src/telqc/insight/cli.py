"""`telqc insight ...`: usage and bill imports and the plan catalogue (issue 23 §1), and the churn model
judged on synthetic customer-months (§4).

Every `telqc` command imports this module, so the domain code a command needs is imported inside it (see
`telqc.knowledge.cli`: the service, models and their imports would add to the start of any `telqc ...`).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn
from rich.table import Table

from telqc.core import terminal
from telqc.core.i18n import t

if TYPE_CHECKING:
    from telqc.core.context import Ctx
    from telqc.insight.imports import ImportRejected

NAME = "insight"
app = typer.Typer(help="客户洞察 / customer insight", no_args_is_help=True)
churn_app = typer.Typer(help="流失风险 / churn risk", no_args_is_help=True)
import_app = typer.Typer(help="导入用量、账单、家庭人数与离网事件 / import usage, bills, household sizes and churn "
                              "events (CSV or Parquet, all or nothing)",
                         no_args_is_help=True)
catalogue_app = typer.Typer(help="推荐套餐目录 / the plan catalogue of recommendations", no_args_is_help=True)
app.add_typer(churn_app, name="churn")
app.add_typer(import_app, name="import")
app.add_typer(catalogue_app, name="catalogue")
campaign_app = typer.Typer(help="挽留活动 / retention campaigns", no_args_is_help=True)
app.add_typer(campaign_app, name="campaign")
console = terminal.console()

FileArg = Annotated[Path, typer.Argument(exists=True, dir_okay=False, help=".csv (UTF-8) or .parquet file")]
ActorOpt = Annotated[str, typer.Option("--actor", help="username recorded in the audit log as having imported")]


def _rejected(exc: ImportRejected) -> None:
    table = Table(title=f"导入被拒绝，未写入任何数据 / import rejected, nothing stored ({exc.total})")
    for col in ("行 row", "字段 field", "列 column", "原因 reason"):
        table.add_column(col)
    for e in exc.errors:
        table.add_row(str(e.row), e.field, e.column or "", e.reason)
    console.print(table)
    if exc.total > len(exc.errors):
        console.print(f"[red]… {exc.total - len(exc.errors):,} more error(s) not shown / 另有错误未列出[/red]")


@contextmanager
def _session(actor: str) -> Iterator[Ctx]:
    """A command's unit of work acting as `actor` (exit 2 when there is no such active user)."""
    from sqlalchemy import select  # noqa: PLC0415

    from telqc.core.auth import principal_of  # noqa: PLC0415
    from telqc.core.clock import SystemClock  # noqa: PLC0415
    from telqc.core.db import sessionmaker_for  # noqa: PLC0415
    from telqc.core.models import User  # noqa: PLC0415
    from telqc.core.settings import get_settings  # noqa: PLC0415
    from telqc.jobs.dispatch import job_ctx  # noqa: PLC0415

    settings = get_settings()
    with job_ctx(sessionmaker_for(settings), SystemClock(), settings) as ctx:
        user = ctx.session.scalar(select(User).where(User.username == actor))
        if user is None or not user.is_active:
            console.print(f"[red]--actor: no active user {actor!r}[/red]")
            raise typer.Exit(2)
        ctx.principal = principal_of(user)
        yield ctx


def _run(kind: str, file: Path, actor: str) -> None:
    from telqc.core.textfile import MAX_IMPORT_BYTES  # noqa: PLC0415
    from telqc.insight import service  # noqa: PLC0415
    from telqc.insight.imports import ImportRejected  # noqa: PLC0415

    size = file.stat().st_size
    if size > MAX_IMPORT_BYTES:
        console.print(f"[red]{file}: {size:,} bytes, above the import limit of {MAX_IMPORT_BYTES:,} (split the file)"
                      "[/red]")
        raise typer.Exit(1)
    data = file.read_bytes()
    store = {"usage": service.import_usage, "bills": service.import_bills,
             "households": service.import_households, "churn_events": service.import_churn_events}[kind]
    try:
        with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn(),
                      console=console, transient=True) as bar, _session(actor) as ctx:
            task = bar.add_task(f"导入 import {kind}", total=None)
            out = store(ctx, data, file.name, progress=lambda n: bar.advance(task, n),
                        total=lambda n: bar.update(task, total=n))
    except ImportRejected as exc:
        _rejected(exc)
        raise typer.Exit(1) from exc
    months = f", months {', '.join(m.strftime('%Y-%m') for m in out.months)}" if out.months else ""
    console.print(f"[green]{out.rows:,} {kind} row(s) imported[/green] from {out.file} ({out.customers:,} "
                  f"customer(s){months}); {out.replaced:,} stored row(s) with the same key replaced")


@import_app.command("usage")
def import_usage(file: FileArg, actor: ActorOpt = "admin") -> None:
    """Monthly usage per subscription: customer_id, subscription (the plan code), month, data_mb, voice_min,
    sms, roaming_mb, broadband_mbps, broadband_gb, home_devices, terminal_model (or the Chinese headers).
    A row replaces the stored row of the same customer, subscription and month: importing again is harmless."""
    _run("usage", file, actor)


@import_app.command("bills")
def import_bills(file: FileArg, actor: ActorOpt = "admin") -> None:
    """Bills: customer_id, month, amount_fen, paid_fen, paid_at (money in fen; a time without a zone is local).
    A row replaces the stored bill of the same customer and month."""
    _run("bills", file, actor)


@import_app.command("households")
def import_households(file: FileArg, actor: ActorOpt = "admin") -> None:
    """Household sizes: customer_id, size (家庭人数), 1 to 20. A row replaces the customer's stored size."""
    _run("households", file, actor)


@app.command("import-churn")
@import_app.command("churn")
def import_churn(file: FileArg, actor: ActorOpt = "admin") -> None:
    """Churn events by month: customer_id, month, kind, count (客户编号, 月份, 事件, 次数). kind is
    port_out_request (携号转网申请), port_out (携号转网) or cancelled (销户); count is 1 when left out. A row
    replaces the stored count of the same customer, month and kind. The churn model learns from these
    (`telqc insight churn train`). Also `telqc insight import churn`."""
    _run("churn_events", file, actor)


@catalogue_app.command("show")
def catalogue_show() -> None:
    """The plans recommendations are priced with (the stored catalogue, or the demo one while none is)."""
    from telqc.core.clock import SystemClock  # noqa: PLC0415
    from telqc.core.db import sessionmaker_for  # noqa: PLC0415
    from telqc.core.settings import get_settings  # noqa: PLC0415
    from telqc.insight import service  # noqa: PLC0415
    from telqc.jobs.dispatch import job_ctx  # noqa: PLC0415

    settings = get_settings()
    with job_ctx(sessionmaker_for(settings), SystemClock(), settings) as ctx:
        stored, plans = bool(service.stored_catalogue(ctx)), service.plan_catalogue(ctx)
    table = Table(title="推荐套餐目录 / plan catalogue" + ("" if stored else " (演示 demo: none stored)"))
    for col in ("code", "name", "月费 fee (元)", "流量 data (GB)", "通话 voice (min)", "超出 per GB (元)",
                "超出 per min (元)", "family"):
        table.add_column(col)
    for p in plans:
        table.add_row(p.code, p.name, f"{p.fee_fen / 100:.2f}", f"{p.data_mb / 1024:g}", str(p.voice_min),
                      f"{p.data_fen_per_gb / 100:.2f}", f"{p.voice_fen_per_min / 100:.2f}",
                      f"≤{p.members}" if p.is_family else "")
    console.print(table)


@catalogue_app.command("seed")
def catalogue_seed(actor: ActorOpt = "admin") -> None:
    """Store the demo catalogue when no plan is stored, so it can be edited (does nothing otherwise)."""
    from telqc.insight import service  # noqa: PLC0415

    with _session(actor) as ctx:
        n = service.ensure_catalogue(ctx)
    console.print(f"[green]{n} plan(s) stored[/green]" if n else "a catalogue is stored already: nothing changed")


@app.command("partitions")
def partitions(
    ahead: Annotated[int, typer.Option(min=0, max=120, help="also create the partitions of this many months "
                                                           "after the first")] = 2,
    start: Annotated[str | None, typer.Option("--from", metavar="YYYY-MM",
                                              help="the first month (default: the current one), e.g. to "
                                                   "prepare the months of a backfill")] = None,
) -> None:
    """Monthly partitions of the usage table on PostgreSQL: create the missing ones from this month (or --from)
    to --ahead months after it, then list them all (estimated rows, size). A monthly maintenance step; the usage import
    creates its file's months by itself. SQLite keeps a plain table: nothing to do."""
    from telqc.core.clock import SystemClock  # noqa: PLC0415
    from telqc.core.db import sessionmaker_for  # noqa: PLC0415
    from telqc.core.settings import get_settings  # noqa: PLC0415
    from telqc.insight import service  # noqa: PLC0415
    from telqc.jobs.dispatch import job_ctx  # noqa: PLC0415

    first = None
    if start is not None:
        try:
            first = datetime.strptime(start, "%Y-%m").date()
        except ValueError:
            raise typer.BadParameter("expected YYYY-MM, e.g. 2027-01", param_hint="--from") from None
    settings = get_settings()
    with job_ctx(sessionmaker_for(settings), SystemClock(), settings) as ctx:
        out = service.usage_partitions(ctx, ahead, first)
    if out is None:
        console.print("用量表为普通表（SQLite），无分区 / the usage table is a plain table on SQLite: no partitions")
        return
    created, every = out
    table = Table(title=f"用量月分区 / usage partitions ({len(every)}; {len(created)} created)")
    for col in ("月份 month", "分区 partition", "估计行数 rows (est.)", "大小 size (MB)", ""):
        # a partition's name is copied into SQL: never wrapped or cut, however narrow the terminal
        table.add_column(col, no_wrap=col.startswith("分区"), min_width=max((len(p.name) for p in every), default=0)
                         if col.startswith("分区") else None)
    for p in every:
        table.add_row(p.month.strftime("%Y-%m"), p.name, f"{p.rows:,}", f"{p.bytes / 2**20:,.1f}",
                      "新建 created" if p.name in created else "")
    console.print(table)


@churn_app.command("evaluate")
def churn_evaluate(
    customers: Annotated[int, typer.Option(help="synthetic customers")] = 50_000,
    months: Annotated[int, typer.Option(help="months (the first 6 are history)")] = 12,
    test_months: Annotated[int, typer.Option(help="the last months, held out for the evaluation")] = 3,
    seed: Annotated[int, typer.Option(help="random seed (same seed, same data)")] = 42,
) -> None:
    """Train on earlier months and print AUC, Brier and calibration on the held-out later months, for data
    with the planted churn signal and for the same data with it removed (AUC should then be near 0.5)."""
    # scikit-learn takes 1.5–3 s to import (measured on this machine); only this command pays it, not every
    # `telqc` command that builds the Typer app.
    from telqc.insight import churn, synth  # noqa: PLC0415

    if months - 6 <= test_months:
        console.print(f"[red]{months} 个月中前 6 个月为历史，留出 {test_months} 个月后没有训练月份[/red]")
        raise typer.Exit(2)
    for signal in (True, False):
        e = churn.evaluate(synth.generate(customers, months, seed=seed, signal=signal), test_months)
        title = "植入流失信号 / planted signal" if signal else "无信号 / signal removed"
        head = Table(title=f"{title} · {e.version}")
        for col in (
            "训练月 train",
            "训练行 rows",
            "留出月 test",
            "留出行 rows",
            "流失率 rate",
            "AUC",
            "Brier",
            "Brier (基准 base)",
        ):
            head.add_column(col)
        head.add_row(
            f"{e.train_months[0]}–{e.train_months[1]}",
            f"{e.train_rows:,}",
            f"{e.test_months[0]}–{e.test_months[1]}",
            f"{e.test_rows:,}",
            f"{e.base_rate:.2%}",
            f"{e.auc:.3f}",
            f"{e.brier:.4f}",
            f"{e.brier_base:.4f}",
        )
        console.print(head)
        cal = Table(title="校准 / calibration (留出月，按预测风险十等分 / held-out deciles of predicted risk)")
        for col in ("预测区间 range", "人数 n", "平均预测 predicted", "实际流失 observed"):
            cal.add_column(col)
        for b in e.calibration:
            cal.add_row(f"{b.low:.2%}–{b.high:.2%}", f"{b.n:,}", f"{b.predicted:.3%}", f"{b.observed:.3%}")
        console.print(cal)
        if e.top_reasons:
            console.print(
                "常见原因 / reasons given: "
                + "，".join(f"{churn.LABELS[name]} ×{count:,}" for name, count in e.top_reasons[:6])
            )


@app.command("assess")
def assess(
    rules: Annotated[Path | None, typer.Option("--rules", exists=True, dir_okay=False,
                                               help="a tiering YAML file (default: the shipped rules)")] = None,
    actor: ActorOpt = "admin",
) -> None:
    """Assess every customer's tier and lifecycle stage now (the nightly job does the same); changes audited."""
    from pydantic import ValidationError  # noqa: PLC0415

    from telqc.insight import assessments  # noqa: PLC0415

    try:
        with _session(actor) as ctx:
            summary = assessments.run(ctx, rules)
    except ValidationError as exc:
        for err in exc.errors():
            console.print(f"[red]--rules {'.'.join(map(str, err['loc']))}: {err['msg']}[/red]")
        raise typer.Exit(2) from exc
    table = Table(title=f"已评估 {summary.assessed:,} 位客户，变更 {summary.changed:,} 位 / assessed, changed")
    table.add_column("星级 tier")
    table.add_column("人数 n", justify="right")
    for tier, n in sorted(summary.tiers.items()):
        table.add_row(f"{t(f'tier.{tier}', 'zh-CN')} {tier}", f"{n:,}")
    console.print(table)
    stages = Table(title="生命周期阶段 / lifecycle stages")
    stages.add_column("阶段 stage")
    stages.add_column("人数 n", justify="right")
    for stage, n in sorted(summary.stages.items()):
        stages.add_row(f"{t(f'lifecycle.{stage}', 'zh-CN')} {stage}", f"{n:,}")
    console.print(stages)


@churn_app.command("score")
def churn_score(actor: ActorOpt = "admin") -> None:
    """Score every customer and store the score, model version and top reasons (audited once); the campaign
    draw then uses these scores."""
    from telqc.insight import scores, scoring  # noqa: PLC0415

    with _session(actor) as ctx:
        r = scoring.run(ctx)
    console.print(f"[green]{r.scored:,} customer(s) scored[/green] with {r.model_version}: mean {r.mean:.1%}, "
                  f"{r.high:,} at or above {scores.HIGH:.0%} / 流失评分已保存")


@churn_app.command("train")
def churn_train(
    months: Annotated[int, typer.Option(help="full months of history read (the first 6 are warm-up)")] = 18,
    test_months: Annotated[int, typer.Option(help="the newest labelled months, held out for the evaluation")] = 3,
    score: Annotated[bool, typer.Option(help="score every customer with the new model")] = True,
    actor: ActorOpt = "admin",
) -> None:
    """Train the churn model on the operator's own history (usage, bills, complaints, port-out requests; the
    label: a port-out or cancellation the next month), print AUC and Brier on the held-out months, store it
    with its version (the monthly job does the same)."""
    from telqc.core.errors import Invalid  # noqa: PLC0415
    from telqc.insight import retrain, scoring  # noqa: PLC0415  (scikit-learn: 1.5–3 s to import)

    try:
        with _session(actor) as ctx:
            r = retrain.train(ctx, months, test_months)
            e, version = r.evaluation, r.row.version
            scored = scoring.run(ctx, r.model).scored if score else None
    except Invalid as exc:
        console.print(f"[red]{exc.message('zh-CN')}[/red]")
        raise typer.Exit(1) from exc
    table = Table(title=f"流失模型（运营商历史）/ churn model on own history · {version}")
    for col in ("训练行 rows", "留出行 test rows", "流失率 rate", "AUC", "Brier", "Brier (基准 base)"):
        table.add_column(col)
    table.add_row(f"{e.train_rows:,}", f"{e.test_rows:,}", f"{e.base_rate:.2%}", f"{e.auc:.3f}", f"{e.brier:.4f}",
                  f"{e.brier_base:.4f}")
    console.print(table)
    console.print(f"留出月 held out: {r.row.test_first:%Y-%m} – {r.row.test_last:%Y-%m}"
                  + (f"; {scored:,} customer(s) scored" if scored is not None else ""))


@campaign_app.command("run")
def campaign_run(
    name: Annotated[str, typer.Option(help="the campaign's name, shown to agents and on the board")] = "",
    rules: Annotated[Path | None, typer.Option("--rules", exists=True, dir_okay=False,
                                               help="a retention YAML file (default: the shipped rules)")] = None,
    actor: ActorOpt = "admin",
) -> None:
    """Draw the eligible customers into holdout and treated groups and assign the tasks (audited)."""
    from pydantic import ValidationError  # noqa: PLC0415

    from telqc.insight import campaigns, retention  # noqa: PLC0415

    try:
        loaded = retention.load_rules(rules)
    except ValidationError as exc:
        for err in exc.errors():
            console.print(f"[red]--rules {'.'.join(map(str, err['loc']))}: {err['msg']}[/red]")
        raise typer.Exit(2) from exc
    with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), console=console,
                  transient=True) as bar, _session(actor) as ctx:
        task = bar.add_task("分派 assign", total=None)
        c = campaigns.run(ctx, name or f"挽留活动 {ctx.now():%Y-%m-%d}", loaded,
                          progress=lambda done, total: bar.update(task, completed=done, total=total))
    console.print(f"[green]campaign {c.id} {c.name}[/green]: {c.treated:,} task(s) assigned, {c.held_out:,} "
                  f"held out ({c.holdout_share:.0%}, seed {c.seed})")


@campaign_app.command("measure")
def campaign_measure(campaign_id: int, actor: ActorOpt = "admin") -> None:
    """Mark each member retained or not from their current stage and print the uplift with its interval."""
    from telqc.insight import campaigns  # noqa: PLC0415

    with _session(actor) as ctx:
        campaigns.measure(ctx, campaign_id)
        v = next(x for x in campaigns.campaigns(ctx) if x.campaign.id == campaign_id)
    if v.effect is None:
        console.print("[yellow]a group is empty: no uplift / 对照组或干预组为空[/yellow]")
        return
    e = v.effect
    console.print(f"挽留率 retained: treated {e.treated_rate:.1%} (n={v.treated:,}) vs holdout {e.control_rate:.1%} "
                  f"(n={v.held_out:,}); uplift {e.difference * 100:+.1f} pp, 95% CI [{e.low * 100:+.1f}, "
                  f"{e.high * 100:+.1f}]{' significant' if e.significant else ' not significant'}")
