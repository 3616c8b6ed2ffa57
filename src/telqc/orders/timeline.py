"""Presenting orders: the agent's detail with full timeline, and the customer's progress view.

The customer view is built from public items only (status changes, public
notes, engineer and network progress, notifications) and never names staff:
DESIGN.md "a customer sees the timeline of their own orders, no internal notes".
"""

from __future__ import annotations

from sqlalchemy import select

from telqc.core.context import Ctx
from telqc.core.errors import NotFound
from telqc.orders import complaints, repairs
from telqc.orders import repository as repo
from telqc.orders import schemas as s
from telqc.orders.models import (
    Order,
    OrderCategory,
    OrderEscalation,
    OrderHistory,
    OrderLink,
    OrderNote,
    OrderTransfer,
)
from telqc.orders.states import allowed

_STATUS_ZH = {"new": "已受理", "acknowledged": "已确认", "in_progress": "处理中", "pending": "等待中",
              "resolved": "已解决", "callback": "回访中", "closed": "已关闭", "reopened": "重新处理",
              "cancelled": "已取消"}


def _category_names(ctx: Ctx, codes: set[str]) -> dict[str, str]:
    if not codes:
        return {}
    return dict(ctx.session.execute(select(OrderCategory.code, OrderCategory.name)
                                    .where(OrderCategory.code.in_(codes))).all())


def to_out(ctx: Ctx, orders: list[Order]) -> list[s.OrderOut]:
    names = _category_names(ctx, {o.category_code for o in orders})
    return [s.OrderOut.model_validate({
        **{c: getattr(o, c) for c in s.OrderOut.model_fields if hasattr(o, c)},
        "category": o.category_code, "category_name": names.get(o.category_code),
        "allowed_transitions": sorted(str(x) for x in allowed(o.type, o.status)),
    }) for o in orders]


def _items(ctx: Ctx, o: Order, public_only: bool) -> list[s.TimelineItem]:
    out: list[s.TimelineItem] = []
    sess = ctx.session
    for h in sess.scalars(select(OrderHistory).where(OrderHistory.order_id == o.id).order_by(OrderHistory.id)):
        if public_only and not h.public:
            continue
        if h.field == "status":
            text = _STATUS_ZH.get(h.to_value or "", h.to_value or "")
            if h.reason and not public_only:
                text = f"{text}（{h.reason}）"
        elif public_only:
            text = (h.reason if h.field == "notify" else h.to_value) or ""
        else:
            text = f"{h.from_value or '—'} → {h.to_value or '—'}" + (f"：{h.reason}" if h.reason else "")
        out.append(s.TimelineItem(at=h.at, kind=h.field, text=text, public=h.public,
                                  actor_id=None if public_only else h.actor_id,
                                  data={"from": h.from_value, "to": h.to_value}))
    notes = select(OrderNote).where(OrderNote.order_id == o.id).order_by(OrderNote.id)
    if public_only:
        notes = notes.where(OrderNote.public.is_(True))
    for n in sess.scalars(notes):
        out.append(s.TimelineItem(at=n.at, kind="note", text=n.body, public=n.public,
                                  actor_id=None if public_only else n.author_id))
    if not public_only:
        for t in sess.scalars(select(OrderTransfer).where(OrderTransfer.order_id == o.id)):
            out.append(s.TimelineItem(at=t.at, kind="transfer", text=f"→ {t.to_queue}：{t.handoff_note}",
                                      public=False, actor_id=t.by_id,
                                      data={"to_handler_id": t.to_handler_id, "from_handler_id": t.from_handler_id}))
        for e in sess.scalars(select(OrderEscalation).where(OrderEscalation.order_id == o.id)):
            out.append(s.TimelineItem(at=e.at, kind="escalation", text="; ".join(e.reasons), public=False,
                                      actor_id=e.by_id, data={"level": e.level, "actions": e.actions}))
    out.sort(key=lambda i: i.at)
    return out


def detail(ctx: Ctx, o: Order) -> s.OrderDetail:
    """Everything an agent sees on the order page."""
    base = to_out(ctx, [o])[0]
    d = repairs.detail(ctx, o.id)
    np = complaints.network_problem_of(ctx, o.id)
    links = ctx.session.scalars(select(OrderLink.linked_id).where(OrderLink.order_id == o.id))
    back = ctx.session.scalars(select(OrderLink.order_id).where(OrderLink.linked_id == o.id))
    return s.OrderDetail(
        **base.model_dump(), timeline=_items(ctx, o, public_only=False),
        repair=s.RepairOut.model_validate(d) if d else None,
        network_problem=s.NetworkProblemOut.model_validate(np) if np else None,
        callbacks=[s.CallbackOut.model_validate(c) for c in complaints.callbacks_of(ctx, o.id)],
        linked_order_ids=sorted({*links, *back}),
    )


def for_customer(ctx: Ctx, o: Order, with_timeline: bool = True) -> s.CustomerOrderOut:
    d = repairs.detail(ctx, o.id)
    np = complaints.network_problem_of(ctx, o.id)
    return s.CustomerOrderOut(
        id=o.id, type=o.type, category_name=_category_names(ctx, {o.category_code}).get(o.category_code),
        title=o.title, status=o.status, created_at=o.created_at, resolution_due=o.resolution_due,
        resolved_at=o.resolved_at, closed_at=o.closed_at,
        timeline=_items(ctx, o, public_only=True) if with_timeline else [],
        network_status=np.status if np else None, engineer_status=d.engineer_status if d else None,
        appointment_start=d.appointment_start if d else None, appointment_end=d.appointment_end if d else None,
    )


def my_orders(ctx: Ctx, limit: int = 50) -> list[s.CustomerOrderOut]:
    """The signed-in customer's own orders, newest first."""
    p = ctx.principal
    assert p is not None
    if p.customer_id is None:
        return []
    rows, _ = repo.search(ctx.session, p, repo.OrderFilter(customer_id=p.customer_id), 0, limit)
    return [for_customer(ctx, o, with_timeline=False) for o in rows]


def my_order(ctx: Ctx, order_id: int) -> s.CustomerOrderOut:
    p = ctx.principal
    assert p is not None
    o = repo.get_readable(ctx.session, p, order_id)
    if o is None or p.customer_id is None or o.customer_id != p.customer_id:
        raise NotFound(what="w.order")
    return for_customer(ctx, o)
