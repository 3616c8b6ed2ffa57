"""抽检计划: saved sampling rules that run once per period, so an inspector's queue fills without anyone
posting JSON.

A plan is a name, a period (daily or weekly) and the rules of one sampling run (`schemas.SampleRules`:
targets, at least N per agent per week, a random share, blind double scoring, the inspectors). Running it
samples the *last complete* period in the service time zone — yesterday, or last Monday to this Monday —
through `sampling.run`, which keeps the run as a batch. One batch per plan and period (a unique key), so a
second run of the same week, by hand or by the nightly job, is refused rather than doubling the queue.
The seed is derived from the plan and the period, so a rerun on a restored database draws the same sample.
"""

from __future__ import annotations

import zlib
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.orm.exc import StaleDataError

from telqc.core.context import Ctx
from telqc.core.errors import Conflict, Invalid, NotFound
from telqc.inspection import sampling, scorecards
from telqc.inspection import schemas as s
from telqc.inspection.models import SamplingBatch, SamplingPlan

RULE_FIELDS = tuple(s.SampleRules.model_fields)


def last_period(period: str, now: datetime, tz: ZoneInfo) -> tuple[datetime, datetime]:
    """[since, until) of the last complete day or ISO week before `now`, as UTC instants."""
    today = now.astimezone(tz).date()
    end = today - timedelta(days=today.weekday()) if period == "weekly" else today
    start = end - timedelta(days=7 if period == "weekly" else 1)
    return (datetime.combine(start, time(), tz).astimezone(UTC), datetime.combine(end, time(), tz).astimezone(UTC))


def seed_for(plan_id: int, since: datetime) -> int:
    return zlib.crc32(f"{plan_id}:{since.isoformat()}".encode()) & 0x7FFFFFFF


def _out(plan: SamplingPlan, last: SamplingBatch | None) -> s.PlanOut:
    return s.PlanOut(id=plan.id, name=plan.name, period=plan.period, rules=plan.rules, active=plan.active,
                     created_at=plan.created_at, last_since=last.since if last else None,
                     last_until=last.until if last else None)


def _get(ctx: Ctx, plan_id: int) -> SamplingPlan:
    plan = ctx.session.get(SamplingPlan, plan_id)
    if plan is None:
        raise NotFound(what="w.sampling_plan")
    return plan


def _latest(ctx: Ctx, plan_ids: list[int]) -> dict[int, SamplingBatch]:
    newest = (select(SamplingBatch.plan_id, func.max(SamplingBatch.since).label("since"))
              .where(SamplingBatch.plan_id.in_(plan_ids)).group_by(SamplingBatch.plan_id).subquery())
    rows = ctx.session.scalars(select(SamplingBatch).join(
        newest, (SamplingBatch.plan_id == newest.c.plan_id) & (SamplingBatch.since == newest.c.since)))
    return {b.plan_id: b for b in rows if b.plan_id is not None}


def create(ctx: Ctx, data: s.PlanIn) -> s.PlanOut:
    """Check what a run would check (inspectors who may score, the scorecard, two inspectors for double
    scoring) now, so a saved plan never fails at night."""
    if ctx.session.scalar(select(SamplingPlan.id).where(SamplingPlan.name == data.name)) is not None:
        raise Conflict("qa.plan_exists", field="body.name")
    sampling.check_inspectors(ctx, list(dict.fromkeys(data.inspectors)))
    if data.double_pct and len(set(data.inspectors)) < 2:
        raise Invalid("qa.double_needs_two", field="body.inspectors")
    scorecards.resolve(ctx, data.scorecard_id)
    rules = data.model_dump(mode="json", include=set(RULE_FIELDS))
    plan = SamplingPlan(name=data.name, period=data.period, rules=rules, active=True,
                        created_by=ctx.principal.user_id if ctx.principal else None, created_at=ctx.now())
    ctx.session.add(plan)
    ctx.session.flush()
    ctx.audit("sampling_plan.created", "sampling_plan", plan.id, name=plan.name, period=plan.period, rules=rules)
    return _out(plan, None)


def set_active(ctx: Ctx, plan_id: int, active: bool) -> s.PlanOut:
    plan = _get(ctx, plan_id)
    if plan.active != active:
        plan.active = active
        try:
            ctx.session.flush()
        except StaleDataError as exc:
            raise Conflict("error.conflict") from exc
        ctx.audit("sampling_plan.activated" if active else "sampling_plan.paused", "sampling_plan", plan.id)
    return _out(plan, _latest(ctx, [plan.id]).get(plan.id))


def listing(ctx: Ctx) -> list[s.PlanOut]:
    plans = list(ctx.session.scalars(select(SamplingPlan).order_by(SamplingPlan.active.desc(), SamplingPlan.name)))
    last = _latest(ctx, [p.id for p in plans])
    return [_out(p, last.get(p.id)) for p in plans]


def batches(ctx: Ctx, limit: int = 50) -> list[s.BatchOut]:
    rows = ctx.session.scalars(select(SamplingBatch).order_by(SamplingBatch.created_at.desc(),
                                                             SamplingBatch.id.desc()).limit(limit))
    return [s.BatchOut.model_validate(b, from_attributes=True) for b in rows]


def run(ctx: Ctx, plan_id: int) -> s.BatchOut:
    """Sample the plan's last complete period now (by hand or from the nightly job)."""
    plan = _get(ctx, plan_id)
    if not plan.active:
        raise Conflict("qa.plan_paused", field="plan_id")
    since, until = last_period(plan.period, ctx.now(), ZoneInfo(ctx.settings.timezone))
    done = ctx.session.scalar(select(SamplingBatch.id).where(SamplingBatch.plan_id == plan.id,
                                                             SamplingBatch.since == since))
    if done is not None:
        raise Conflict("qa.plan_already_run", field="plan_id")
    data = s.SampleIn.model_validate({**plan.rules, "since": since, "until": until, "seed": seed_for(plan.id, since)})
    sampling.run(ctx, data, plan_id=plan.id)
    batch = ctx.session.scalars(select(SamplingBatch).where(SamplingBatch.plan_id == plan.id,
                                                            SamplingBatch.since == since)).one()
    return s.BatchOut.model_validate(batch, from_attributes=True)


def run_due(ctx: Ctx) -> list[s.BatchOut]:
    """Every active plan whose last complete period has no batch yet (the nightly job; harmless twice)."""
    out = []
    for plan in ctx.session.scalars(select(SamplingPlan).where(SamplingPlan.active).order_by(SamplingPlan.id)):
        since, _ = last_period(plan.period, ctx.now(), ZoneInfo(ctx.settings.timezone))
        if ctx.session.scalar(select(SamplingBatch.id).where(SamplingBatch.plan_id == plan.id,
                                                             SamplingBatch.since == since)) is None:
            out.append(run(ctx, plan.id))
    return out
