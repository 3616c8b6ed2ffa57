"""Complaint closed loop (投诉闭环), repeat complaints and network-problem hand-off.

Loop: acknowledge within the first-response limit → verify → locate the
responsible department → resolve → tell the customer (resolve notification) →
callback task (回访) created on resolve → satisfied closes; unsatisfied reopens
and, on a second failure, escalates to the manager.  KPI.md "closed-loop rate"
counts closes where all of these happened; "complaint satisfaction" counts the
callback answers emitted here as order.callback_recorded.
"""

from __future__ import annotations

from datetime import UTC, timedelta

from sqlalchemy import bindparam, select

from telqc.core import events
from telqc.core.context import Ctx
from telqc.core.errors import Invalid, NotFound, PreconditionFailed
from telqc.core.rbac import Perm
from telqc.orders import escalations, lifecycle, notify
from telqc.orders import schemas as s
from telqc.orders.access import get_for_update
from telqc.orders.escalation_rules import Escalation, EscalationAction, EscalationLevel, raise_priority
from telqc.orders.lifecycle import actor_id, dims, history, iso
from telqc.orders.models import NetworkProblem, NetworkUpdate, Order, OrderCallback, OrderLink
from telqc.orders.sla import Priority
from telqc.orders.states import OrderState

S = OrderState
REPEAT_WINDOW = timedelta(days=30)  # KPI.md "repeat complaint rate": same category within 30 days
CALLBACK_BUSINESS_MINUTES = 450  # one business day to call the customer back
MAX_CALLBACK_ATTEMPTS = 3  # 回访 three times without reaching the customer closes the loop as unreachable
NETWORK_CATEGORIES = ("complaint.network", "complaint.technical")

# Read on every resolve and in every order detail: built once (see orders.repository).
_OPEN_CALLBACK = select(OrderCallback).where(OrderCallback.order_id == bindparam("order_id"),
                                             OrderCallback.status == "open")
_CALLBACK_TABLE = OrderCallback.__table__
_LINK_TABLE = OrderLink.__table__
_CALLBACKS = select(OrderCallback).where(OrderCallback.order_id == bindparam("order_id")).order_by(OrderCallback.id)
_NETWORK_PROBLEM = select(NetworkProblem).where(NetworkProblem.order_id == bindparam("order_id"))


def flag_repeat(o: Order, prior_id: int | None) -> None:
    """Flag `o` (not yet saved) as repeating complaint `prior_id`: same customer, same category, within
    REPEAT_WINDOW (found with the customer's read, `repository.customer_facts`)."""
    if prior_id is not None:
        o.is_repeat = True
        o.repeat_of_id = prior_id


def link_repeat(ctx: Ctx, o: Order, prior_id: int) -> None:
    """Record the repeat link flagged by `flag_repeat` once `o` has its id."""
    ctx.uow.add(_LINK_TABLE, {"order_id": o.id, "linked_id": prior_id, "kind": "repeat_of", "at": ctx.now()})
    history(ctx, o, "link", None, prior_id, "repeat complaint within 30 days")
    ctx.audit("order.repeat_linked", "order", o.id, repeat_of=prior_id, category=o.category_code)


def open_callback(ctx: Ctx, o: Order) -> None:
    """The 回访 task, due one business day after the resolution (a row of the unit of work: `callbacks_of`
    merges it into the answer of the resolve, and `record_callback` runs in a later transaction)."""
    # a first resolution has none yet: resolving again always passes through a reopen
    if o.reopen_count:
        ctx.uow.flush()  # this transaction may have opened one already
        if ctx.session.scalar(_OPEN_CALLBACK, {"order_id": o.id}) is not None:
            return
    cal = lifecycle.policy_of(ctx, o).calendar
    now = ctx.now()
    due = lifecycle.due_in(cal, now, CALLBACK_BUSINESS_MINUTES)
    ctx.uow.add(_CALLBACK_TABLE, {"order_id": o.id, "created_at": now, "due_at": due, "status": "open",
                                  "attempts": 0})
    ctx.audit("order.callback_created", "order", o.id, due_at=iso(due))


def record_callback(ctx: Ctx, order_id: int, data: s.CallbackIn, if_match: int | None = None) -> Order:
    """Outcome of a callback attempt: satisfied closes, unsatisfied reopens (escalates on repeat failure)."""
    o = get_for_update(ctx, order_id, if_match)
    ctx.uow.flush()  # a callback task this transaction opened is a row of the unit of work until written
    cb = ctx.session.scalar(_OPEN_CALLBACK, {"order_id": o.id})
    if cb is None or S(o.status) not in (S.RESOLVED, S.CALLBACK):
        raise Invalid("orders.error.no_callback", field="path.order_id")
    now = ctx.now()
    if S(o.status) is S.RESOLVED:
        lifecycle.change_state(ctx, o, S.CALLBACK, "callback started")
    cb.attempts += 1
    cb.by_id = actor_id(ctx)
    if data.outcome != "unreachable" or cb.attempts >= MAX_CALLBACK_ATTEMPTS:
        cb.status, cb.outcome, cb.reason, cb.done_at = "done", data.outcome, data.reason, now
    ctx.session.flush()
    ctx.audit("order.callback_recorded", "order", o.id, outcome=data.outcome, attempts=cb.attempts,
              reason=data.reason)
    events.emit(ctx, "order.callback_recorded", "order", o.id, order_id=o.id, type=o.type, at=iso(now),
                outcome=data.outcome, reason=data.reason, dims=dims(o))
    if data.outcome == "satisfied":
        lifecycle.change_state(ctx, o, S.CLOSED, "callback: satisfied")
    elif data.outcome == "unsatisfied":
        lifecycle.change_state(ctx, o, S.REOPENED, f"callback: unsatisfied {data.reason or ''}".strip())
        if o.reopen_count >= 2 and o.escalation_level in ("none", "team_lead"):
            escalations.apply(ctx, o, Escalation(
                EscalationLevel.MANAGER, (EscalationAction.NOTIFY_SUPERVISOR, EscalationAction.RAISE_PRIORITY),
                (f"unsatisfied callback #{o.reopen_count}",), raise_priority(Priority(o.priority))))
    elif cb.status == "done":  # unreachable three times: close, not counted as closed loop
        lifecycle.change_state(ctx, o, S.CLOSED, f"callback: unreachable after {cb.attempts} attempts")
    ctx.session.flush()
    return o


def callbacks_of(ctx: Ctx, o: Order) -> list[s.CallbackOut]:
    """The order's callback tasks, oldest first. One opened in this transaction is still a row of the unit
    of work, written with its commit, and has no id yet; on a first resolution it is the only one, and
    nothing is read."""
    opened = [s.CallbackOut(id=None, status=r["status"], due_at=r["due_at"].astimezone(UTC), attempts=r["attempts"])
              for r in ctx.uow.pending(_CALLBACK_TABLE) if r["order_id"] == o.id]
    if opened and o.reopen_count == 0:  # only a resolution opens one, and a second passes through a reopen
        return opened
    return [s.CallbackOut.model_validate(c) for c in ctx.session.scalars(_CALLBACKS, {"order_id": o.id})] + opened


# ----- network problems -------------------------------------------------------------


def hand_to_network(ctx: Ctx, order_id: int, summary: str | None = None) -> NetworkProblem:
    """Open the linked network problem for network operations (网络部) from a network complaint."""
    o = get_for_update(ctx, order_id, None)
    if o.category_code not in NETWORK_CATEGORIES:
        raise Invalid("orders.error.not_network", field="path.order_id")
    existing = ctx.session.scalar(select(NetworkProblem).where(NetworkProblem.order_id == o.id))
    if existing is not None:
        return existing
    now = ctx.now()
    np = NetworkProblem(order_id=o.id, created_at=now, updated_at=now, status="open", province_code=o.province_code,
                        district_code=o.district_code, summary=summary or o.description)
    ctx.session.add(np)
    o.department = "网络部"
    o.updated_at = now
    ctx.session.flush()
    history(ctx, o, "network", None, "open", f"network problem #{np.id}", public=True)
    ctx.audit("order.network_handoff", "order", o.id, problem_id=np.id)
    return np


def network_problems(ctx: Ctx, status: str | None = None, limit: int = 100) -> list[NetworkProblem]:
    p = ctx.principal
    assert p is not None
    stmt = select(NetworkProblem).order_by(NetworkProblem.id.desc()).limit(limit)
    if status:
        stmt = stmt.where(NetworkProblem.status == status)
    if p.region_scope is not None:
        stmt = stmt.where(NetworkProblem.province_code.in_(p.region_scope))
    return list(ctx.session.scalars(stmt))


def network_problem_of(ctx: Ctx, order_id: int) -> NetworkProblem | None:
    return ctx.session.scalar(_NETWORK_PROBLEM, {"order_id": order_id})


def update_network(ctx: Ctx, problem_id: int, data: s.NetworkUpdateIn, if_match: int | None = None) -> NetworkProblem:
    """Netops progress; shown on the complaint's timeline (public) so agent and customer see it."""
    p = ctx.principal
    assert p is not None and p.can(Perm.network_work)
    np = ctx.session.scalar(select(NetworkProblem).where(NetworkProblem.id == problem_id).with_for_update())
    if np is None or (p.region_scope is not None and np.province_code not in p.region_scope):
        raise NotFound(what="w.network_problem")
    if if_match is not None and if_match != np.version:
        raise PreconditionFailed()
    if np.status in ("fixed", "not_reproducible"):
        raise Invalid("orders.error.final", field="path.problem_id")
    now = ctx.now()
    old = np.status
    np.status, np.updated_at, np.assignee_id = data.status, now, p.user_id
    ctx.session.add(NetworkUpdate(problem_id=np.id, at=now, by_id=p.user_id, status=data.status, note=data.note))
    o = ctx.session.get(Order, np.order_id)
    assert o is not None
    history(ctx, o, "network", old, data.status, data.note, public=True)
    ctx.audit("network_problem.updated", "network_problem", np.id, **{"from": old, "to": data.status})
    ctx.session.flush()
    notify.notify_customer(ctx, o, f"network.{data.status}", np.id, "orders.sms.progress")
    return np
