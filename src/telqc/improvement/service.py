"""Improvement plans through the PDCA cycle: plan, do, check the effect on the KPI, standardise or adjust.

Every change is audited, written to the plan's history and published as an event (``improvement.*``). The
effect is measured on the metrics domain's rollups through its service (`telqc.metrics.service`), never on its
tables, and judged by `telqc.improvement.effect`.
"""

from __future__ import annotations

from dataclasses import asdict
from datetime import date, timedelta
from typing import Any

from telqc.core import events
from telqc.core import repository as core_repo
from telqc.core.context import Ctx
from telqc.core.errors import Conflict, Invalid, NotFound
from telqc.core.models import User
from telqc.improvement import effect as fx
from telqc.improvement import repository as repo
from telqc.improvement import schemas as s
from telqc.improvement.models import ImprovementAction, ImprovementHistory, ImprovementPlan
from telqc.improvement.states import ActionStatus, PlanState, Source, allowed
from telqc.metrics import registry
from telqc.metrics import service as metrics

MAX_WINDOW_DAYS = 366

# Rates whose successes and trials are rollup parts: without a comparison group their change is judged by a
# two-proportion test on the counts (more power than comparing daily rates).
RATE_PARTS: dict[str, tuple[str, str]] = {
    "sla_compliance": ("resolved_in_time", "resolved"),
    "timely_complaint_handling": ("cmp_closed_in_time", "cmp_closed"),
    "closed_loop_rate": ("cmp_closed_loop", "cmp_closed"),
    "complaint_satisfaction": ("cb_satisfied", "cb_answers"),
    "repeat_complaint_rate": ("cmp_repeat", "complaints"),
    "csat": ("csat_good", "csat_n"),
    "fcr_survey": ("fcrs_yes", "fcrs_n"),
    "answer_rate_15s": ("answered_15", "offered"),
    "abandonment_rate": ("abandoned_late", "offered"),
    "transfer_rate": ("transferred", "handled"),
    "qa_pass_rate": ("qa_pass", "qa_n"),
    "fatal_error_rate": ("qa_fatal", "qa_n"),
    "handling_accuracy": ("biz_accurate", "biz_completed"),
    "survey_response_rate": ("survey_answered", "survey_invited"),
}


def _plan(ctx: Ctx, plan_id: int) -> ImprovementPlan:
    p = repo.plan(ctx.session, ctx.principal, plan_id)
    if p is None:
        raise NotFound(what="w.improvement_plan")
    return p


def _history(ctx: Ctx, p: ImprovementPlan, event: str, *, from_state: str | None = None,
             to_state: str | None = None, note: str | None = None) -> None:
    ctx.session.add(ImprovementHistory(plan_id=p.id, at=ctx.now(), actor_id=ctx.principal.user_id if ctx.principal
                                       else None, event=event, from_state=from_state, to_state=to_state, note=note))


def _user(ctx: Ctx, user_id: int, field: str) -> User:
    u = ctx.session.get(User, user_id)
    if u is None or not u.is_active:
        raise Invalid("error.not_found", field=field, what="w.user")
    return u


def _window(start: date, end: date, field: str) -> None:
    if end < start:
        raise Invalid("improvement.error.window", field=field)
    if (end - start).days >= MAX_WINDOW_DAYS:
        raise Invalid("improvement.error.window_long", field=field, days=MAX_WINDOW_DAYS)


def _province_of(ctx: Ctx, scope: s.Scope, field: str) -> str | None:
    """The plan's data scope: its one province, or None (national). A provincial user plans inside their own."""
    provinces = scope.get("province", [])
    mine = ctx.principal.region_scope if ctx.principal else None
    if mine is not None and (not provinces or any(p not in mine for p in provinces)):
        raise Invalid("improvement.error.scope", field=field)
    return provinces[0] if len(provinces) == 1 else None


def _check_kpi(name: str, scope: s.Scope, field: str) -> registry.KPI:
    kpi = registry.get(name)
    if kpi is None:
        raise Invalid("error.not_found", field="body.kpi", what="w.kpi")
    bad = [d for d in scope if d not in kpi.dims]
    if bad:
        raise Invalid("metrics.error.dim_not_allowed", field=field, kpi=name, dim=bad[0])
    if kpi.direction not in ("higher", "lower"):
        raise Invalid("improvement.error.kpi_direction", field="body.kpi")
    return kpi


def create(ctx: Ctx, data: s.PlanIn, *, parent: ImprovementPlan | None = None) -> ImprovementPlan:
    _window(data.baseline_start, data.baseline_end, "body.baseline_end")
    kpi = _check_kpi(data.kpi, data.scope, "body.scope")
    if data.comparison is not None:
        _check_kpi(data.kpi, data.comparison, "body.comparison")
        if data.comparison == data.scope:
            raise Invalid("improvement.error.same_comparison", field="body.comparison")
        _province_of(ctx, data.comparison, "body.comparison")
    _user(ctx, data.owner_id, "body.owner_id")
    now = ctx.now()
    p = ImprovementPlan(
        title=data.title, problem=data.problem, source=data.source.value, source_ref=data.source_ref, kpi=data.kpi,
        target=data.target if data.target is not None else kpi.target_for(None), scope=data.scope,
        comparison=data.comparison, why=[], fishbone={}, owner_id=data.owner_id,
        province_code=_province_of(ctx, data.scope, "body.scope"), state=PlanState.PLANNING.value,
        baseline_start=data.baseline_start, baseline_end=data.baseline_end, parent_id=parent.id if parent else None,
        created_by=ctx.principal.user_id if ctx.principal else data.owner_id, created_at=now, updated_at=now)
    ctx.session.add(p)
    ctx.session.flush()
    _history(ctx, p, "created", to_state=p.state, note=data.problem[:200])
    ctx.audit("improvement.created", "improvement_plan", p.id, kpi=p.kpi, scope=p.scope, source=p.source,
              owner_id=p.owner_id, parent_id=p.parent_id)
    events.emit(ctx, "improvement.created", "improvement_plan", p.id, plan_id=p.id, kpi=p.kpi, source=p.source,
                owner_id=p.owner_id)
    return p


def analyse(ctx: Ctx, plan_id: int, data: s.AnalysisIn) -> ImprovementPlan:
    p = _plan(ctx, plan_id)
    if p.state not in (PlanState.PLANNING, PlanState.DOING):
        raise Conflict("improvement.error.state", field="path.plan_id", state=p.state)
    p.root_cause, p.why = data.root_cause.value, data.why
    p.fishbone = {k.value: [x.strip()[:200] for x in v if x.strip()][:20] for k, v in data.fishbone.items()}
    p.updated_at = ctx.now()
    _history(ctx, p, "analysed", note=" → ".join(data.why)[:500] or None)
    ctx.audit("improvement.analysed", "improvement_plan", p.id, root_cause=p.root_cause, whys=len(p.why))
    return p


def add_action(ctx: Ctx, plan_id: int, data: s.ActionIn) -> ImprovementAction:
    p = _plan(ctx, plan_id)
    if p.state not in (PlanState.PLANNING, PlanState.DOING, PlanState.CHECKING):
        raise Conflict("improvement.error.state", field="path.plan_id", state=p.state)
    _user(ctx, data.owner_id, "body.owner_id")
    a = ImprovementAction(plan_id=p.id, title=data.title, owner_id=data.owner_id, due_on=data.due_on,
                          status=ActionStatus.OPEN.value)
    ctx.session.add(a)
    ctx.session.flush()
    _history(ctx, p, "action_added", note=data.title)
    ctx.audit("improvement.action_added", "improvement_action", a.id, plan_id=p.id, owner_id=a.owner_id,
              due_on=a.due_on.isoformat())
    return a


def complete_action(ctx: Ctx, action_id: int, data: s.ActionDoneIn, *, cancel: bool = False) -> ImprovementAction:
    a = repo.action(ctx.session, action_id)
    if a is None:
        raise NotFound(what="w.improvement_action")
    p = _plan(ctx, a.plan_id)  # the plan's scope decides who may
    if a.status != ActionStatus.OPEN:
        raise Conflict("improvement.error.action_closed", field="path.action_id")
    a.status = (ActionStatus.CANCELLED if cancel else ActionStatus.DONE).value
    a.note, a.done_at = data.note, ctx.now()
    _history(ctx, p, "action_cancelled" if cancel else "action_done", note=a.title)
    ctx.audit("improvement.action_" + a.status, "improvement_action", a.id, plan_id=p.id)
    events.emit(ctx, "improvement.action_" + a.status, "improvement_action", a.id, plan_id=p.id,
                owner_id=a.owner_id)
    return a


def transition(ctx: Ctx, plan_id: int, data: s.TransitionIn) -> ImprovementPlan:
    """Move the plan one step of the cycle; each step checks what it needs (the handbook's order of work)."""
    p = _plan(ctx, plan_id)
    current, target = PlanState(p.state), data.to
    if not allowed(current, target):
        raise Conflict("improvement.error.transition", field="body.to", state=current, to=target)
    acts = repo.actions(ctx.session, [p.id])
    if target is PlanState.DOING and current is PlanState.PLANNING:
        if p.root_cause is None:
            raise Conflict("improvement.error.no_cause", field="body.to")
        if not acts:
            raise Conflict("improvement.error.no_actions", field="body.to")
    if target is PlanState.CHECKING and any(a.status == ActionStatus.OPEN for a in acts):
        raise Conflict("improvement.error.actions_open", field="body.to")
    if target is PlanState.STANDARDISED and p.verdict != fx.Verdict.EFFECTIVE:
        raise Conflict("improvement.error.not_effective", field="body.to")
    if target is PlanState.ADJUSTING and p.verdict is None:
        raise Conflict("improvement.error.not_measured", field="body.to")
    p.state, p.updated_at = target.value, ctx.now()
    _history(ctx, p, "state", from_state=current.value, to_state=target.value, note=data.note)
    ctx.audit("improvement.state", "improvement_plan", p.id, **{"from": current.value, "to": target.value})
    events.emit(ctx, "improvement.state", "improvement_plan", p.id, plan_id=p.id, to=target.value)
    return p


def _daily(ctx: Ctx, kpi: str, start: date, end: date, scope: s.Scope) -> dict[str, float | None]:
    out = metrics.series(ctx, kpi, start, end, "day", [], scope)
    return {label: v for points in out.values() for label, v in points}


def measure(ctx: Ctx, plan_id: int, data: s.MeasureIn) -> ImprovementPlan:
    """Measure the KPI after the measures against the baseline (and the comparison group, if any)."""
    p = _plan(ctx, plan_id)
    if p.state != PlanState.CHECKING:
        raise Conflict("improvement.error.state", field="path.plan_id", state=p.state)
    _window(data.after_start, data.after_end, "body.after_end")
    if data.after_start <= p.baseline_end:
        raise Invalid("improvement.error.after_overlaps", field="body.after_start")
    if data.after_end >= metrics.local_today(ctx):
        raise Invalid("improvement.error.after_future", field="body.after_end")
    kpi = registry.get(p.kpi)
    assert kpi is not None, "checked at creation"
    before = _daily(ctx, p.kpi, p.baseline_start, p.baseline_end, p.scope)
    after = _daily(ctx, p.kpi, data.after_start, data.after_end, p.scope)
    series: dict[str, Any] = {"treated": before | after}
    if p.comparison is not None:
        cb = _daily(ctx, p.kpi, p.baseline_start, p.baseline_end, p.comparison)
        ca = _daily(ctx, p.kpi, data.after_start, data.after_end, p.comparison)
        e = fx.difference_in_differences(before, after, cb, ca, kpi.direction)
        series["comparison"] = cb | ca
    else:
        counts = None
        if p.kpi in RATE_PARTS:
            num, den = RATE_PARTS[p.kpi]
            t0 = metrics.totals(ctx, [num, den], p.baseline_start, p.baseline_end, p.scope)
            t1 = metrics.totals(ctx, [num, den], data.after_start, data.after_end, p.scope)
            counts = (fx.Counts(t0[num], t0[den]), fx.Counts(t1[num], t1[den]))
        e = fx.before_after(before, after, kpi.direction, counts)
    p.after_start, p.after_end = data.after_start, data.after_end
    p.effect = {**asdict(e), "series": series}
    p.verdict, p.updated_at = e.verdict.value, ctx.now()
    _history(ctx, p, "measured", note=e.verdict.value)  # the page names the verdict in the reader's language
    ctx.audit("improvement.measured", "improvement_plan", p.id, method=e.method.value, verdict=e.verdict.value,
              estimate=e.estimate, p_value=e.p_value)
    events.emit(ctx, "improvement.measured", "improvement_plan", p.id, plan_id=p.id, verdict=e.verdict.value)
    return p


def next_cycle(ctx: Ctx, plan_id: int, data: s.NextCycleIn) -> ImprovementPlan:
    """Roll a standardised plan out to another scope, or start the next cycle of one being adjusted; each is a new
    plan linked to this one, with the same cause analysis and measures (new due dates), and this one closes."""
    p = _plan(ctx, plan_id)
    if p.state == PlanState.STANDARDISED:
        source, scope = Source.ROLLOUT, data.scope
        if not scope or scope == p.scope:
            raise Invalid("improvement.error.rollout_scope", field="body.scope")
    elif p.state == PlanState.ADJUSTING:
        source, scope = Source.ADJUSTMENT, data.scope or p.scope
    else:
        raise Conflict("improvement.error.state", field="path.plan_id", state=p.state)
    child = create(ctx, s.PlanIn(
        title=p.title, problem=p.problem, source=source, source_ref=str(p.id), kpi=p.kpi, target=p.target,
        scope=scope, comparison=data.comparison, owner_id=data.owner_id or p.owner_id,
        baseline_start=data.baseline_start, baseline_end=data.baseline_end), parent=p)
    child.root_cause, child.why, child.fishbone = p.root_cause, list(p.why), dict(p.fishbone)
    start = metrics.local_today(ctx)
    for a in repo.actions(ctx.session, [p.id]):
        if a.status == ActionStatus.DONE:
            span = max(1, (a.due_on - p.baseline_end).days)
            add_action(ctx, child.id, s.ActionIn(title=a.title, owner_id=a.owner_id,
                                                 due_on=start + timedelta(days=span)))
    transition(ctx, p.id, s.TransitionIn(to=PlanState.CLOSED, note=data.note or f"→ #{child.id}"))
    return child


def remind_and_escalate(ctx: Ctx) -> tuple[int, int]:
    """Daily: remind an action's owner the day before it is due; escalate to the plan's owner once it is overdue.
    Each happens once per action (reminded_at, escalated_at). Returns (reminded, escalated)."""
    today = metrics.local_today(ctx)
    reminded = escalated = 0
    for a in repo.open_actions_due_by(ctx.session, today + timedelta(days=1)):
        p = ctx.session.get(ImprovementPlan, a.plan_id)
        assert p is not None
        if a.reminded_at is None:
            a.reminded_at = ctx.now()
            reminded += 1
            ctx.audit("improvement.action_reminded", "improvement_action", a.id, plan_id=p.id, owner_id=a.owner_id)
            events.emit(ctx, "improvement.action_due", "improvement_action", a.id, plan_id=p.id,
                        owner_id=a.owner_id, due_on=a.due_on.isoformat())
        if a.escalated_at is None and a.due_on < today:
            a.escalated_at = ctx.now()
            escalated += 1
            _history(ctx, p, "action_overdue", note=a.title)
            ctx.audit("improvement.action_escalated", "improvement_action", a.id, plan_id=p.id, to=p.owner_id)
            events.emit(ctx, "improvement.action_overdue", "improvement_action", a.id, plan_id=p.id,
                        owner_id=a.owner_id, escalate_to=p.owner_id, due_on=a.due_on.isoformat())
    return reminded, escalated


# --- reads ------------------------------------------------------------------------------------------------

def view(ctx: Ctx, p: ImprovementPlan) -> s.PlanOut:
    acts = repo.actions(ctx.session, [p.id])
    return _out(ctx, [p], acts)[0]


def _out(ctx: Ctx, plans: list[ImprovementPlan], acts: list[ImprovementAction]) -> list[s.PlanOut]:
    names = core_repo.display_names(ctx.session, [*(p.owner_id for p in plans), *(a.owner_id for a in acts)])
    today = metrics.local_today(ctx)
    by_plan: dict[int, list[s.ActionOut]] = {}
    for a in acts:
        by_plan.setdefault(a.plan_id, []).append(s.ActionOut.model_validate(a).model_copy(update={
            "owner": names.get(a.owner_id, ""), "overdue": a.status == ActionStatus.OPEN and a.due_on < today}))
    return [s.PlanOut.model_validate(p).model_copy(update={"owner": names.get(p.owner_id, ""),
                                                           "actions": by_plan.get(p.id, [])}) for p in plans]


def get(ctx: Ctx, plan_id: int) -> s.PlanOut:
    return view(ctx, _plan(ctx, plan_id))


def listing(ctx: Ctx, states: list[str] | None, offset: int, limit: int) -> tuple[list[s.PlanOut], int]:
    plans, total = repo.plans(ctx.session, ctx.principal, states, offset, limit)
    return _out(ctx, plans, repo.actions(ctx.session, [p.id for p in plans])), total


def history(ctx: Ctx, plan_id: int) -> list[dict[str, Any]]:
    p = _plan(ctx, plan_id)
    rows = repo.history(ctx.session, p.id)
    names = core_repo.display_names(ctx.session, [r.actor_id for r in rows])
    return [{"at": r.at, "actor": names.get(r.actor_id or 0, ""), "event": r.event, "from_state": r.from_state,
             "to_state": r.to_state, "note": r.note} for r in rows]


def children(ctx: Ctx, plan_id: int) -> list[ImprovementPlan]:
    return repo.children(ctx.session, _plan(ctx, plan_id).id)


def overdue_actions(ctx: Ctx) -> list[s.ActionOut]:
    acts = repo.overdue(ctx.session, ctx.principal, metrics.local_today(ctx))
    names = core_repo.display_names(ctx.session, [a.owner_id for a in acts])
    return [s.ActionOut.model_validate(a).model_copy(update={"owner": names.get(a.owner_id, ""), "overdue": True})
            for a in acts]
