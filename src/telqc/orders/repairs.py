"""Fault repair (报修): dispatch to a field engineer and the engineer's progress.

KPI.md "field response time" runs from the repair order to the engineer's
acceptance, with different urban and rural targets: the repair SLA policies
(7×24) give the first-response limit per area, copied to `response_due` at
dispatch.  Engineer updates drive the order: accepted = first response,
on site → in progress, parts needed → pending on a third party, fixed → resolved.
"""

from __future__ import annotations

from zoneinfo import ZoneInfo

from sqlalchemy import select

from telqc.core.context import Ctx
from telqc.core.errors import Invalid, NotFound, PreconditionFailed
from telqc.core.models import User
from telqc.customers import service as customers
from telqc.orders import followup, lifecycle, routing
from telqc.orders import schemas as s
from telqc.orders.access import get_for_update
from telqc.orders.lifecycle import history, iso
from telqc.orders.models import Order, RepairDetail, RepairUpdate
from telqc.orders.repository import Staff
from telqc.orders.states import OrderState

S = OrderState

# engineer status → order state it moves the order to (None: note only), in order of the field visit
_DRIVES: dict[str, tuple[OrderState, ...]] = {
    "accepted": (S.ACKNOWLEDGED,),
    "on_the_way": (S.ACKNOWLEDGED,),
    "on_site": (S.ACKNOWLEDGED, S.IN_PROGRESS),
    "parts_needed": (S.ACKNOWLEDGED, S.IN_PROGRESS, S.PENDING),
    "not_fixed": (S.ACKNOWLEDGED, S.IN_PROGRESS),
    "fixed": (S.ACKNOWLEDGED, S.IN_PROGRESS, S.RESOLVED),
}


def attach(ctx: Ctx, o: Order, data: s.RepairIn, skill: str) -> RepairDetail:
    """The repair details of a new repair order; the visit goes to the customer's address unless one is given."""
    address = data.address
    if not address:
        address = customers.visit_address(ctx, o.customer_id) or ""
    d = RepairDetail(order_id=o.id, product=data.product, serial=data.serial, purchase_date=data.purchase_date,
                     address=address, skill=skill)
    ctx.session.add(d)
    ctx.session.flush()
    return d


def detail(ctx: Ctx, order_id: int) -> RepairDetail | None:
    return ctx.session.get(RepairDetail, order_id)


def dispatch(ctx: Ctx, order_id: int, data: s.DispatchIn, if_match: int | None = None) -> RepairDetail:
    """派单: engineer by district, skill and load (or named), with the customer's appointment slot."""
    o = get_for_update(ctx, order_id, if_match)
    d = ctx.session.get(RepairDetail, o.id)
    if d is None:
        raise Invalid("orders.error.not_repair", field="path.order_id")
    if OrderState(o.status) in (S.RESOLVED, S.CALLBACK, S.CLOSED, S.CANCELLED):
        raise Invalid("orders.error.final", field="path.order_id")
    if (data.appointment_start is None) != (data.appointment_end is None) or (
            data.appointment_start and data.appointment_end and data.appointment_end <= data.appointment_start):
        raise Invalid("orders.error.bad_slot", field="body.appointment_end")
    eng: User | Staff | None
    if data.engineer_id is not None:
        eng = ctx.session.get(User, data.engineer_id)
        if eng is None or eng.role != "engineer" or not eng.is_active or not (
                eng.region_scope is None or o.province_code in eng.region_scope):
            raise Invalid("orders.error.not_assignable", field="body.engineer_id")
    else:
        eng = routing.pick_engineer(ctx.session, o.province_code, o.district_code, d.skill,
                                    data.appointment_start or ctx.now(), ZoneInfo(ctx.settings.timezone))
        if eng is None:
            raise Invalid("orders.error.no_candidate", field="body.engineer_id")
    now = ctx.now()
    old = d.engineer_id
    d.engineer_id, d.engineer_status, d.dispatched_at = eng.id, "dispatched", now
    d.appointment_start, d.appointment_end = data.appointment_start, data.appointment_end
    d.response_due = o.first_response_due
    o.updated_at = now
    history(ctx, o, "engineer", old, eng.id, f"dispatch; appointment {iso(d.appointment_start)}", public=False)
    ctx.audit("repair.dispatched", "order", o.id, engineer_id=eng.id, appointment_start=iso(d.appointment_start))
    ctx.session.flush()
    return d


def my_jobs(ctx: Ctx, open_only: bool = True) -> list[tuple[Order, RepairDetail]]:
    p = ctx.principal
    assert p is not None
    stmt = (select(Order, RepairDetail).join(RepairDetail, RepairDetail.order_id == Order.id)
            .where(RepairDetail.engineer_id == p.user_id).order_by(Order.id.desc()).limit(200))
    if open_only:
        stmt = stmt.where(Order.status.not_in(["closed", "cancelled", "resolved", "callback"]))
    return [(o, d) for o, d in ctx.session.execute(stmt).all()]


def engineer_update(ctx: Ctx, order_id: int, data: s.EngineerUpdateIn, if_match: int | None = None) -> RepairDetail:
    """An engineer's status on a job dispatched to them (others get 404), moving the order along."""
    p = ctx.principal
    assert p is not None
    o = ctx.session.scalar(select(Order).join(RepairDetail, RepairDetail.order_id == Order.id)
                           .where(Order.id == order_id, RepairDetail.engineer_id == p.user_id).with_for_update())
    if o is None:
        raise NotFound(what="w.order")
    if if_match is not None and if_match != o.version:
        raise PreconditionFailed()
    o.version += 1  # this write's version, once (see `Order.version`)
    d = ctx.session.get(RepairDetail, o.id)
    assert d is not None
    now = ctx.now()
    old = d.engineer_status
    d.engineer_status = data.status
    if data.status == "accepted" and d.accepted_at is None:
        d.accepted_at = now
    ctx.session.add(RepairUpdate(order_id=o.id, at=now, engineer_id=p.user_id, status=data.status, note=data.note))
    history(ctx, o, "engineer_status", old, data.status, data.note, public=True)
    ctx.audit("repair.engineer_update", "order", o.id, **{"from": old, "to": data.status})
    for step in _DRIVES[data.status]:
        current = OrderState(o.status)
        if current is step or (step is S.ACKNOWLEDGED and current not in (S.NEW,)):
            continue
        if current is S.REOPENED and step is not S.IN_PROGRESS:
            continue
        if current is S.PENDING and step is S.PENDING:
            continue
        lifecycle.change_state(ctx, o, step, f"engineer: {data.status}",
                               pending_reason="third_party" if step is S.PENDING else None,
                               solution_code="fixed_onsite" if step is S.RESOLVED else None)
        followup.after_transition(ctx, o, step)
    ctx.session.flush()
    return d
