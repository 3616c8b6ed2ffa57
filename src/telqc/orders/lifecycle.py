"""The one path every order state change takes: state machine → pauses → SLA clocks → history, audit, events.

Shared by the API services, the complaint loop, repairs and the SLA sweep, so a
status change made by a job is recorded exactly like one made by an agent
(DESIGN.md data flow step 3; KPI "SLA compliance" and "closed-loop rate" are
computed from the events emitted here).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import bindparam, select

from telqc.core import events
from telqc.core.context import Ctx
from telqc.core.errors import Conflict
from telqc.orders import config
from telqc.orders.calendar import BusinessCalendar
from telqc.orders.models import Order, OrderCallback, OrderHistory, OrderPause
from telqc.orders.sla import Pause, SlaPolicy, SlaReport, business_elapsed, evaluate, target_deadline
from telqc.orders.states import FINAL_STATES, IllegalTransition, OrderState, pauses_clock
from telqc.orders.states import transition as check_transition

S = OrderState
ESCALATION_FRACTIONS = (1.5, 2.0)
"""Overdue fractions at which escalation_rules.DEFAULT_RULES fire again (manager, crisis): the sweep wakes there too."""


class IllegalTransitionError(Conflict):
    """409 carrying the allowed targets, so a client can offer only legal next steps."""

    key = "orders.error.illegal_transition"

    def __init__(self, exc: IllegalTransition) -> None:
        self.allowed = [str(s) for s in exc.allowed_targets]
        super().__init__(self.key, field="body.to", current=f"ostatus.{exc.current}",
                         target=f"ostatus.{exc.target}", allowed=[f"ostatus.{x}" for x in self.allowed])

    def extra(self) -> dict[str, Any]:
        return {"allowed": self.allowed}


def dims(o: Order) -> dict[str, Any]:
    """The event-contract dimensions block, so metrics never reads the orders tables."""
    return {"province_code": o.province_code, "city_code": o.city_code, "district_code": o.district_code,
            "area_type": o.area_type, "tier": o.tier, "channel": o.channel, "team_id": o.team_id,
            "agent_id": o.handler_id, "category": o.category_code}


def iso(dt: datetime | None) -> str | None:
    return None if dt is None else dt.isoformat()


def actor_id(ctx: Ctx) -> int | None:
    return ctx.principal.user_id if ctx.principal else None


_HISTORY = OrderHistory.__table__


def history(ctx: Ctx, o: Order, field: str, old: object, new: object, reason: str | None = None,
            public: bool = False) -> None:
    ctx.uow.add(_HISTORY, {"order_id": o.id, "at": ctx.now(), "actor_id": actor_id(ctx), "field": field,
                           "from_value": None if old is None else str(old),
                           "to_value": None if new is None else str(new), "reason": reason, "public": public})


_PAUSE_TABLE = OrderPause.__table__
_PAUSES = select(OrderPause).where(OrderPause.order_id == bindparam("order_id")).order_by(OrderPause.start)


def pauses_of(ctx: Ctx, order_id: int) -> list[Pause]:
    return [Pause(p.start, p.end) for p in ctx.session.scalars(_PAUSES, {"order_id": order_id})]


def policy_of(ctx: Ctx, o: Order, pols: config.Policies | None = None) -> SlaPolicy:
    pols = pols or config.policies(ctx)
    if o.sla_policy_id is not None and o.sla_policy_id in pols.by_id:
        return pols.by_id[o.sla_policy_id]
    return pols.table.match(o.type, o.priority, o.tier, o.area_type)


def report(o: Order, policy: SlaPolicy, pauses: list[Pause], at: datetime) -> SlaReport:
    completed = o.resolved_at if o.status in (S.RESOLVED, S.CALLBACK, S.CLOSED) else None
    return evaluate(policy, o.created_at, at, pauses, o.first_response_at, completed)


def refresh_sla(o: Order, policy: SlaPolicy, pauses: list[Pause], at: datetime) -> SlaReport:
    """Recompute deadlines, SLA status and `next_due_at` (the sweep's index key) at instant `at`."""
    rep = report(o, policy, pauses, at)
    if rep.first_response.deadline is not None:
        o.first_response_due = rep.first_response.deadline
    if rep.resolution.deadline is not None:
        o.resolution_due = rep.resolution.deadline
    o.sla_status = rep.status.value
    if o.status in FINAL_STATES:
        o.next_due_at = None
        return rep
    candidates = [rep.next_change] if rep.next_change is not None else []
    if rep.resolution.completed_at is None and rep.resolution.deadline is not None:
        for f in ESCALATION_FRACTIONS:
            t = target_deadline(policy.calendar, o.created_at, policy.resolution * f, pauses)
            if t is not None and t > at:
                candidates.append(t)
                break
    o.next_due_at = min(candidates, default=None)
    return rep


def business_seconds(calendar: BusinessCalendar, o: Order, until: datetime, pauses: list[Pause]) -> int:
    return int(business_elapsed(calendar, o.created_at, until, pauses).total_seconds())


def change_state(ctx: Ctx, o: Order, target: OrderState | str, reason: str | None = None,
                 pending_reason: str | None = None, solution_code: str | None = None) -> OrderState:
    """Validate and apply one state change with all its consequences, in the caller's transaction."""
    try:
        new = check_transition(o.type, o.status, target)
    except IllegalTransition as exc:
        raise IllegalTransitionError(exc) from exc
    old = S(o.status)
    now = ctx.now()
    s = ctx.session
    # `has_pauses` is read with the locked row: most orders never pause, and then nothing is read here.
    # A pause opened in this transaction is still a row of the unit of work (one opens on every resolve).
    saved = list(s.scalars(_PAUSES, {"order_id": o.id})) if o.has_pauses else []
    opened = [r for r in ctx.uow.pending(_PAUSE_TABLE) if r["order_id"] == o.id]
    if pauses_clock(old) and not pauses_clock(new):
        for p in saved:
            if p.end is None:
                p.end = now
        for r in opened:
            if r["end"] is None:
                r["end"] = now  # not written yet: it is written closed
    if pauses_clock(new) and not pauses_clock(old):
        row = {"order_id": o.id, "state": new.value, "start": now, "end": None}
        ctx.uow.add(_PAUSE_TABLE, row)
        opened.append(row)
    pauses = [Pause(p.start, p.end) for p in saved] + [Pause(r["start"], r["end"]) for r in opened]
    with s.no_autoflush:  # one UPDATE of the order per change: nothing is written before all fields are set
        return _apply(ctx, o, old, new, now, pauses, reason, pending_reason, solution_code)


def _apply(ctx: Ctx, o: Order, old: OrderState, new: OrderState, now: datetime, pauses: list[Pause],
           reason: str | None, pending_reason: str | None, solution_code: str | None) -> OrderState:
    o.status = new.value
    o.pending_reason = pending_reason if new is S.PENDING else None
    o.updated_at = now
    first_response = old is S.NEW and o.first_response_at is None
    if first_response:
        o.first_response_at = now
    if new is S.RESOLVED:
        o.resolved_at = now
        if solution_code:
            o.solution_code = solution_code
    elif new is S.REOPENED:
        o.resolved_at = None
        o.closed_at = None
        o.reopen_count += 1
    elif new in FINAL_STATES:
        o.closed_at = now
    policy = policy_of(ctx, o)
    rep = refresh_sla(o, policy, pauses, now)
    history(ctx, o, "status", old.value, new.value, reason, public=True)
    ctx.audit("order.status_changed", "order", o.id, **{"from": old.value, "to": new.value, "reason": reason})
    d = dims(o)
    if first_response:
        events.emit(ctx, "order.first_response", "order", o.id, order_id=o.id, type=o.type, at=iso(now),
                    business_s=business_seconds(policy.calendar, o, now, []), dims=d)
    events.emit(ctx, "order.status_changed", "order", o.id, order_id=o.id, type=o.type, at=iso(now),
                actor_id=actor_id(ctx), dims=d, **{"from": old.value, "to": new.value})
    if new is S.RESOLVED:
        events.emit(ctx, "order.resolved", "order", o.id, order_id=o.id, type=o.type, at=iso(now),
                    customer_id=o.customer_id,
                    resolution_business_s=business_seconds(policy.calendar, o, now, pauses),
                    within_deadline=bool(rep.resolution.met), reopened=o.reopen_count > 0,
                    solution_code=o.solution_code, description=o.description, dims=d)
    elif new is S.REOPENED:
        events.emit(ctx, "order.reopened", "order", o.id, order_id=o.id, type=o.type, at=iso(now), dims=d)
    elif new is S.CLOSED:
        events.emit(ctx, "order.closed", "order", o.id, order_id=o.id, type=o.type, at=iso(now),
                    within_deadline=o.resolution_due is None or (o.resolved_at or now) <= o.resolution_due,
                    closed_loop=closed_loop(ctx, o), dims=d)
    return new


def closed_loop(ctx: Ctx, o: Order) -> bool:
    """投诉闭环: resolved, customer told the result, and a satisfied callback (complaints only)."""
    if o.type != "complaint":
        return False
    done = ctx.session.scalar(select(OrderCallback.id).where(
        OrderCallback.order_id == o.id, OrderCallback.outcome == "satisfied"))
    return o.resolved_at is not None and o.customer_notified_at is not None and done is not None


def due_in(calendar: BusinessCalendar, start: datetime, minutes: int) -> datetime:
    return calendar.add(start, timedelta(minutes=minutes))
