"""The customer's insight profile (issue 23 §2, §5) and the data it is computed from (§1): imported usage and
bills, the plan catalogue, household size.

Tier, lifecycle and the access check come from the customers service (`customers.get` raises NotFound unless
the reader may see the customer, the same rule as the customer 360 view); the current plans from the
customers read model. Usage is, in this order: what the caller passes, the household's stored months (the
months among the 3 ending at its latest stored month, its subscriptions summed: usage_source "stored"), or
the deterministic synthetic usage of `catalogue.demo_usage` ("synthetic"). The catalogue is the stored one,
or `DEMO_CATALOGUE` while none is stored.

Imports (usage, bills, household sizes) are all or nothing: the file is parsed and checked whole
(`imports`, then the references here) and any problem refuses it with `ImportRejected` before a row is
written. Importing the same file again changes nothing: each row replaces the stored row with the same key
(customer, subscription, month for usage; customer, month for bills; customer for households). Every write
is audited; no service checks permissions (the caller does: the CLI runs as an administrator's job, a route
would require its permission).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from datetime import date, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from sqlalchemy import select

from telqc.core import repository as core_repo
from telqc.core.context import Ctx
from telqc.core.errors import Invalid, NotFound
from telqc.core.i18n import t
from telqc.customers import service as customers
from telqc.customers.read import CUSTOMER_PLANS
from telqc.insight import imports
from telqc.insight import repository as repo
from telqc.insight import schemas as s
from telqc.insight import scores as churn_scores
from telqc.insight.catalogue import DEMO_CATALOGUE, demo_usage
from telqc.insight.imports import Kind, RowError
from telqc.insight.models import HOUSEHOLD_SOURCES, InsightHousehold, InsightPlan
from telqc.insight.recommend import Month, Plan, recommend
from telqc.insight.retention import ACTION_LABELS
from telqc.orders import read as orders_read

RECENT_MONTHS = 3  # 近3个月流量使用曲线 (质量分析 三.三)
HISTORY_DAYS = 90  # the fault and complaint counts' recent window, as the stage rules' complaints_90d
FLAT = 0.05  # an ARPU within 5% of the 3 months before reads as steady


def _yuan(fen: int | None) -> Decimal | None:
    return None if fen is None else Decimal(fen) / 100


def _brief(plan: Plan | None) -> s.PlanBrief | None:
    return None if plan is None else s.PlanBrief(code=plan.code, name=plan.name)


def profile(
    ctx: Ctx,
    customer_id: int,
    usage: Sequence[Month] | None = None,
    household: int | None = None,
    catalogue: Sequence[Plan] | None = None,
) -> s.ProfileOut:
    """The profile of a customer the reader may see (NotFound otherwise); `usage`, `household` and
    `catalogue` override the stored (or synthetic) ones."""
    c = customers.get(ctx, customer_id)
    cp = CUSTOMER_PLANS.c
    codes = list(
        ctx.session.scalars(
            select(cp.plan_code).where(cp.customer_id == c.id, cp.ended_on.is_(None)).order_by(cp.plan_code)
        )
    )
    names = {p.code: p.name for p in customers.plans(ctx)}
    stored = [] if usage is not None else repo.recent_usage(ctx.session, c.id, RECENT_MONTHS)
    synthetic_usage, synthetic_household = demo_usage(c.id)
    usage_source: s.UsageSource
    if usage is not None:
        months, usage_source = list(usage), "given"
        shown = [s.UsageMonth(data_mb=m.data_mb, voice_min=m.voice_min) for m in months]
    elif stored:
        months, usage_source = [Month(d, v) for _, d, v in stored], "stored"
        shown = [s.UsageMonth(data_mb=d, voice_min=v, month=m) for m, d, v in stored]
    else:
        months, usage_source = synthetic_usage, "synthetic"
        shown = [s.UsageMonth(data_mb=m.data_mb, voice_min=m.voice_min) for m in months]
    people, household_source = _household(ctx, c.id, household, usage_source, synthetic_household)
    plans = list(catalogue) if catalogue is not None else plan_catalogue(ctx)
    priced = {p.code for p in plans}
    current = next((code for code in codes if code in priced), None)
    r = recommend(plans, current, months, people)
    return s.ProfileOut(
        customer_id=c.id,
        tier=c.tier,
        lifecycle=c.lifecycle,
        plans=[s.PlanBrief(code=code, name=names.get(code, code)) for code in codes],
        household=people,
        household_source=household_source,
        usage_source=usage_source,
        usage=shown,
        recommendation=s.RecommendationOut(
            plan=_brief(r.plan),
            monthly_cost=_yuan(r.cost_fen),
            current_plan=_brief(r.current),
            current_cost=_yuan(r.current_cost_fen),
            saving=_yuan(r.saving_fen),
            text=r.text,
        ),
        churn=_churn(ctx, c.id),
    )


def _churn(ctx: Ctx, customer_id: int) -> s.ChurnOut | None:
    sc = churn_scores.stored(ctx, [customer_id]).get(customer_id)
    return None if sc is None else s.ChurnOut(
        score=sc.score, model_version=sc.model_version, scored_at=sc.scored_at,
        reasons=churn_scores.reason_texts(sc.reasons, ctx.lang), codes=[str(r[0]) for r in sc.reasons])


def _month_index(d: date) -> int:
    return d.year * 12 + d.month - 1


def brief(ctx: Ctx, customer_id: int) -> s.AgentBriefOut:
    """The profile's key facts for the agent's order page (NotFound unless the reader may see the customer):
    the read model other domains show, so none of them reads insight's tables."""
    c = customers.get(ctx, customer_id)
    now = ctx.now().astimezone(ZoneInfo(ctx.settings.timezone))
    now_m = _month_index(now.date())
    bills = {_month_index(m): fen for m, fen in repo.bill_amounts(
        ctx.session, c.id, date((now_m - 6) // 12, (now_m - 6) % 12 + 1, 1)).items()}
    last3 = [bills[m] for m in range(now_m - 3, now_m) if m in bills]
    before3 = [bills[m] for m in range(now_m - 6, now_m - 3) if m in bills]
    arpu = Decimal(sum(last3)) / len(last3) / 100 if last3 else None
    before = Decimal(sum(before3)) / len(before3) / 100 if before3 else None
    change = float(arpu / before - 1) if arpu is not None and before else None
    trend: s.Trend | None = (None if change is None else "flat" if abs(change) <= FLAT
                             else "up" if change > 0 else "down")
    history = orders_read.history_of(ctx.session, c.id, now - timedelta(days=HISTORY_DAYS))
    tasks = repo.open_tasks(ctx.session, c.id)
    names = core_repo.display_names(ctx.session, (m.agent_id for m, _ in tasks))
    return s.AgentBriefOut(
        customer_id=c.id, tier=c.tier, lifecycle=c.lifecycle,
        arpu=None if arpu is None else round(arpu, 2), arpu_before=None if before is None else round(before, 2),
        arpu_trend=trend, arpu_change=None if change is None else round(change, 4),
        device=repo.latest_terminal(ctx.session, c.id),
        faults=s.OrderHistoryOut(recent=history.get("repair", (0, 0))[0], total=history.get("repair", (0, 0))[1]),
        complaints=s.OrderHistoryOut(recent=history.get("complaint", (0, 0))[0],
                                     total=history.get("complaint", (0, 0))[1]),
        churn=_churn(ctx, c.id),
        retention=[s.RetentionTaskBrief(action=m.action, action_name=ACTION_LABELS.get(m.action, m.action),
                                        campaign=name, agent=names.get(m.agent_id) if m.agent_id else None,
                                        stage=m.stage) for m, name in tasks],
    )


def _household(ctx: Ctx, customer_id: int, given: int | None, usage_source: s.UsageSource,
               synthetic: int) -> tuple[int, s.HouseholdSource]:
    """Given, stored, or with synthetic usage the synthetic household; with real usage and no household known,
    one person: a family plan is never offered on a guess (三.三)."""
    if given is not None:
        return given, "given"
    row = repo.household(ctx.session, customer_id)
    if row is not None:
        return row.size, "stored"
    return (synthetic, "synthetic") if usage_source == "synthetic" else (1, "default")


# --- the plan catalogue --------------------------------------------------------------------------------------


def _plan(row: InsightPlan) -> Plan:
    return Plan(row.code, row.name, row.fee_fen, row.data_mb, row.voice_min, row.data_fen_per_gb,
                row.voice_fen_per_min, is_family=row.is_family, members=row.members)


def plan_catalogue(ctx: Ctx) -> list[Plan]:
    """The plans a recommendation may offer: the stored catalogue, or the demo one while none is stored."""
    rows = repo.catalogue(ctx.session)
    return [_plan(r) for r in rows] if rows else list(DEMO_CATALOGUE)


def stored_catalogue(ctx: Ctx) -> list[s.PlanOut]:
    return [s.PlanOut.model_validate(r) for r in repo.catalogue(ctx.session)]


def ensure_catalogue(ctx: Ctx) -> int:
    """Store `DEMO_CATALOGUE` when no plan is stored (so it can be edited); how many plans were stored."""
    if repo.catalogue(ctx.session):
        return 0
    now = ctx.now()
    for p in DEMO_CATALOGUE:
        ctx.session.add(InsightPlan(code=p.code, name=p.name, fee_fen=p.fee_fen, data_mb=p.data_mb,
                                    voice_min=p.voice_min, data_fen_per_gb=p.data_fen_per_gb,
                                    voice_fen_per_min=p.voice_fen_per_min, is_family=p.is_family,
                                    members=p.members, updated_at=now))
    ctx.session.flush()
    ctx.audit("insight.catalogue_seeded", "insight_plan", "catalogue", codes=[p.code for p in DEMO_CATALOGUE])
    return len(DEMO_CATALOGUE)


def save_plan(ctx: Ctx, data: s.PlanIn) -> s.PlanOut:
    """Add a plan to the catalogue or change one (by code)."""
    if data.is_family != (data.members >= 2):
        raise Invalid("insight.error.family_members", field="body.members")
    row = repo.plan(ctx.session, data.code)
    values = data.model_dump(exclude={"code"})
    before = None if row is None else {k: getattr(row, k) for k in values}
    if row is None:
        row = InsightPlan(code=data.code, **values, updated_at=ctx.now())
        ctx.session.add(row)
    else:
        for k, v in values.items():
            setattr(row, k, v)
        row.updated_at = ctx.now()
    ctx.session.flush()
    changed = values if before is None else {k: [before[k], v] for k, v in values.items() if before[k] != v}
    ctx.audit("insight.plan_saved", "insight_plan", data.code, created=before is None, changed=changed)
    return s.PlanOut.model_validate(row)


def remove_plan(ctx: Ctx, code: str) -> None:
    row = repo.plan(ctx.session, code)
    if row is None:
        raise NotFound(what="w.insight_plan")
    ctx.session.delete(row)
    ctx.session.flush()
    ctx.audit("insight.plan_removed", "insight_plan", code, name=row.name, fee_fen=row.fee_fen)


# --- household, stored usage and bills ----------------------------------------------------------------------


def set_household(ctx: Ctx, customer_id: int, size: int, source: str) -> None:
    """Record how many people share a customer's plans (a customer the actor may see)."""
    if source not in HOUSEHOLD_SOURCES:
        raise Invalid("v.enum", field="body.source", expected=list(HOUSEHOLD_SOURCES))
    if not 1 <= size <= 20:
        raise Invalid("v.less_than_equal" if size > 20 else "v.greater_than_equal", field="body.size", ge=1, le=20)
    c = customers.get(ctx, customer_id)
    row = repo.household(ctx.session, c.id)
    before = None if row is None else (row.size, row.source)
    if row is None:
        ctx.session.add(InsightHousehold(customer_id=c.id, size=size, source=source, updated_at=ctx.now()))
    else:
        row.size, row.source, row.updated_at = size, source, ctx.now()
    ctx.session.flush()
    ctx.audit("insight.household_set", "customer", c.id, size=size, source=source,
              before=None if before is None else {"size": before[0], "source": before[1]})


def stored_usage(ctx: Ctx, customer_id: int) -> list[s.UsageOut]:
    c = customers.get(ctx, customer_id)
    return [s.UsageOut.model_validate(r) for r in repo.usage_rows(ctx.session, c.id)]


def bills(ctx: Ctx, customer_id: int) -> list[s.BillOut]:
    c = customers.get(ctx, customer_id)
    return [s.BillOut.model_validate(b) for b in repo.bills(ctx.session, c.id)]


# --- imports ---------------------------------------------------------------------------------------------------

Progress = Callable[[int], None]


def import_usage(ctx: Ctx, data: bytes, filename: str, progress: Progress | None = None,
                 total: Progress | None = None) -> s.ImportOut:
    """Store a usage file (CSV or Parquet); seeds the catalogue the stored usage will be priced with.
    `total` is told the number of rows once the file is checked, `progress` the rows stored as they are."""
    out = _import(ctx, "usage", data, filename, progress, total)
    ensure_catalogue(ctx)
    return out


def import_bills(ctx: Ctx, data: bytes, filename: str, progress: Progress | None = None,
                 total: Progress | None = None) -> s.ImportOut:
    return _import(ctx, "bills", data, filename, progress, total)


def import_households(ctx: Ctx, data: bytes, filename: str, progress: Progress | None = None,
                      total: Progress | None = None) -> s.ImportOut:
    """Household sizes (customer_id, size): each replaces the customer's stored size, with source "import"."""
    return _import(ctx, "households", data, filename, progress, total)


def import_churn_events(ctx: Ctx, data: bytes, filename: str, progress: Progress | None = None,
                        total: Progress | None = None) -> s.ImportOut:
    """Port-out requests, port-outs and cancellations by customer and month (the labels and a feature
    `retrain` learns from): each replaces the stored count of the same customer, month and event."""
    return _import(ctx, "churn_events", data, filename, progress, total)


def parse(ctx: Ctx, kind: Kind, data: bytes, filename: str) -> imports.Parsed:
    """The file's rows, checked whole including what they refer to; raises `ImportRejected`."""
    parsed = imports.parse(kind, data, filename, lang=ctx.lang, tz=ZoneInfo(ctx.settings.timezone))
    _check_references(ctx, parsed)
    return parsed


def _import(ctx: Ctx, kind: Kind, data: bytes, filename: str, progress: Progress | None,
            total: Progress | None) -> s.ImportOut:
    parsed = parse(ctx, kind, data, filename)
    if total:
        total(len(parsed.rows))
    constants = {"source": "import", "updated_at": ctx.now()} if kind == "households" else {"imported_at": ctx.now()}
    inserted, replaced = repo.replace_rows(ctx.session, kind, parsed.columns, imports.KEYS[kind], parsed.rows,
                                           constants, progress)
    month = parsed.columns.index("month") if "month" in parsed.columns else None
    out = s.ImportOut(kind=kind, file=filename, digest=hashlib.sha256(data).hexdigest()[:16], rows=inserted,
                      replaced=replaced, customers=len({r[0] for r in parsed.rows}),
                      months=[] if month is None else sorted({r[month] for r in parsed.rows}))
    ctx.audit(f"insight.{kind}_imported", "insight_import", out.digest, file=filename, rows=out.rows,
              replaced=out.replaced, customers=out.customers, months=[m.isoformat() for m in out.months])
    return out


def _check_references(ctx: Ctx, parsed: imports.Parsed) -> None:
    """Every row's customer exists; a usage row's subscription is one of the customer's plans (held or held
    before: history is imported after a plan change)."""
    lang, errors = ctx.lang, imports.Errors()
    ids = {r[0] for r in parsed.rows}
    known = repo.existing_customers(ctx.session, ids)
    held = repo.subscriptions(ctx.session, known) if parsed.kind == "usage" else set()
    for row, n in zip(parsed.rows, parsed.row_numbers, strict=True):
        if row[0] not in known:
            errors.add(RowError(n, "customer_id", t("insight.import.unknown_customer", lang, id=row[0])))
        elif parsed.kind == "usage" and (row[0], row[1]) not in held:
            errors.add(RowError(n, "subscription", t("insight.import.unknown_subscription", lang,
                                                            id=row[0], code=row[1])))
    errors.raise_if_any()



# --- usage storage ---------------------------------------------------------------------------------------------


def usage_partitions(ctx: Ctx, ahead: int, start: date | None = None
                     ) -> tuple[list[str], list[repo.Partition]] | None:
    """Create the monthly usage partitions from `start`'s month (default this month in the operator's zone) to
    `ahead` months after it, those missing; (created names, every partition). None on SQLite, whose usage
    table is a plain one.

    A maintenance step, like a migration, so not audited: it changes no row. The import creates its file's
    months anyway; running this ahead keeps the ACCESS EXCLUSIVE lock of a CREATE off the import's path."""
    if not 0 <= ahead <= 120:
        raise Invalid("v.less_than_equal" if ahead > 120 else "v.greater_than_equal", field="ahead", ge=0, le=120)
    if not repo.usage_partitioned(ctx.session):
        return None
    today = start or ctx.now().astimezone(ZoneInfo(ctx.settings.timezone)).date()
    index = today.year * 12 + today.month - 1
    months = [date((index + i) // 12, (index + i) % 12 + 1, 1) for i in range(ahead + 1)]
    created = repo.ensure_partitions(ctx.session, months)
    return created, repo.usage_partition_list(ctx.session)
