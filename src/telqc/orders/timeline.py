"""Presenting orders: the agent's detail with full timeline, and the customer's progress view.

The customer view is built from public items only (status changes, public
notes, engineer and network progress, notifications) and never names staff:
DESIGN.md "a customer sees the timeline of their own orders, no internal notes".
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from sqlalchemy import CompoundSelect, Integer, Text, bindparam, cast, false, literal, null, or_, select, union_all
from sqlalchemy.sql.expression import BindParameter

from telqc.core.context import Ctx
from telqc.core.errors import NotFound
from telqc.core.i18n import is_key
from telqc.core.i18n import t as word
from telqc.orders import complaints, config, repairs
from telqc.orders import repository as repo
from telqc.orders import schemas as s
from telqc.orders.models import Order, OrderEscalation, OrderHistory, OrderLink, OrderNote, OrderTransfer
from telqc.orders.states import OrderType, allowed

_ORDER_FIELDS = [f for f in s.OrderOut.model_fields if hasattr(Order, f)]


def _category_names(ctx: Ctx, codes: set[str]) -> dict[str, str]:
    cats = config.snapshot(ctx).categories
    return {c: cats[c].name for c in codes if c in cats}


def _fields(o: Order, names: dict[str, str]) -> dict[str, Any]:
    out = {f: getattr(o, f) for f in _ORDER_FIELDS}
    out["version"] = o.version  # a write's service flushed the order: the version its commit writes
    out.update(category=o.category_code, category_name=names.get(o.category_code),
               allowed_transitions=sorted(str(x) for x in allowed(o.type, o.status)))
    return out


def to_out(ctx: Ctx, orders: list[Order]) -> list[s.OrderOut]:
    names = _category_names(ctx, {o.category_code for o in orders})
    return [s.OrderOut.model_validate(_fields(o, names)) for o in orders]


_HISTORY, _NOTE, _TRANSFER, _ESCALATION, _LINK = range(5)
_NO_TEXT = cast(null(), Text)
_NO_INT = cast(null(), Integer)


def _sources(public_only: bool) -> CompoundSelect[*tuple[Any, ...]]:
    """Every timeline source, and for staff the order's links, in one statement (one round trip instead of
    five): columns (src, id, at, actor_id, public, a, b, c, d, e, f), meaning per source as read in `_item`."""
    h, n, t, e, k = OrderHistory, OrderNote, OrderTransfer, OrderEscalation, OrderLink
    oid: BindParameter[int] = bindparam("order_id")
    history = select(literal(_HISTORY).label("src"), h.id.label("id"), h.at, h.actor_id, h.public, h.field,
                     h.from_value, h.to_value, h.reason, _NO_INT, _NO_INT).where(h.order_id == oid)
    notes = select(literal(_NOTE), n.id, n.at, n.author_id, n.public, _NO_TEXT, _NO_TEXT, _NO_TEXT, n.body,
                   _NO_INT, _NO_INT).where(n.order_id == oid)
    if public_only:
        return union_all(history.where(h.public.is_(True)), notes.where(n.public.is_(True))).order_by("src", "id")
    transfers = select(literal(_TRANSFER), t.id, t.at, t.by_id, false(), t.to_queue, _NO_TEXT, _NO_TEXT,
                       t.handoff_note, t.from_handler_id, t.to_handler_id).where(t.order_id == oid)
    escalations = select(literal(_ESCALATION), e.id, e.at, e.by_id, false(), e.level, cast(e.actions, Text),
                         cast(e.reasons, Text), _NO_TEXT, _NO_INT, _NO_INT).where(e.order_id == oid)
    links = select(literal(_LINK), k.id, k.at, _NO_INT, false(), k.kind, _NO_TEXT, _NO_TEXT, _NO_TEXT,
                   cast(k.order_id, Integer), cast(k.linked_id, Integer)).where(or_(k.order_id == oid,
                                                                                   k.linked_id == oid))
    return union_all(history, notes, transfers, escalations, links).order_by("src", "id")


# built once: constructing and cache-keying this union costs more than running it
_TIMELINE = {public_only: _sources(public_only) for public_only in (False, True)}


def _item(row: Any, public_only: bool) -> s.TimelineItem:
    src, _id, at, actor, public, a, b, c, d, e, f = row
    actor = None if public_only else actor
    if src == _HISTORY:
        field, old, new, reason = a, b, c, d
        if field == "status":
            # the words the pages use (ostatus.*): the app's "已受理" for new read 新建 on the web
            text = word(f"ostatus.{new}", "zh-CN") if is_key(f"ostatus.{new}") else new or ""
            if reason and not public_only:
                text = f"{text}（{reason}）"
        elif public_only:
            text = (reason if field == "notify" else new) or ""
        else:
            text = f"{old or '—'} → {new or '—'}" + (f"：{reason}" if reason else "")
        data: dict[str, object] = {"from": old, "to": new}
        if reason and not public_only:
            # the reason as given (TMF621 statusChangeReason), apart from the text; pages word it
            # (`timeline_words`)
            data["reason"] = reason
        return s.TimelineItem(at=at, kind=field, text=text, public=public, actor_id=actor, data=data)
    if src == _NOTE:
        return s.TimelineItem(at=at, kind="note", text=d, public=public, actor_id=actor)
    if src == _TRANSFER:
        return s.TimelineItem(at=at, kind="transfer", text=f"→ {a}：{d}", public=False, actor_id=actor,
                              data={"to_handler_id": f, "from_handler_id": e, "to_queue": a, "note": d})
    reasons = json.loads(c or "[]")
    return s.TimelineItem(at=at, kind="escalation", text="; ".join(reasons), public=False,
                          actor_id=actor, data={"level": a, "actions": json.loads(b or "[]"), "reasons": reasons})


def _nothing_saved(o: Order, queued_history: list[dict[str, Any]]) -> bool:
    """True when no timeline row of `o` can be saved yet: its creation row is still a row of the unit of work
    (so is every history and link row since: only the commit or an explicit flush writes them), and it has
    not escalated (the one row a new order writes through the ORM: `escalations.apply` on a complaint that
    threatens an outside appeal)."""
    return o.escalation_level == "none" and any(
        h["order_id"] == o.id and h["field"] == "status" and h["from_value"] is None for h in queued_history)


def _items(ctx: Ctx, o: Order, public_only: bool,
           read_saved: bool = False) -> tuple[list[s.TimelineItem], list[int]]:
    """The timeline, oldest first, and the ids of linked orders (staff view only)."""
    queued = ctx.uow.pending(OrderHistory.__table__)
    skip = not read_saved and _nothing_saved(o, queued)
    rows = [] if skip else ctx.session.execute(_TIMELINE[public_only], {"order_id": o.id}).all()
    saved: list[Sequence[Any]] = [r for r in rows if r[0] != _LINK]
    saved += [(_HISTORY, None, h["at"], h["actor_id"], h["public"], h["field"], h["from_value"], h["to_value"],
               h["reason"], None, None) for h in queued if h["order_id"] == o.id and (h["public"] or not public_only)]
    # by time, then as the statement orders its sources (history, notes, transfers, escalations); the sort
    # is stable, so queued history rows follow the saved ones of the same instant
    out = [_item(r, public_only) for r in sorted(saved, key=lambda r: (r[2], r[0]))]
    links = [(r[9], r[10]) for r in rows if r[0] == _LINK]
    links += [(k["order_id"], k["linked_id"]) for k in ctx.uow.pending(OrderLink.__table__)]
    linked = sorted({b if a == o.id else a for a, b in links if o.id in (a, b)})
    return out, linked


def detail(ctx: Ctx, o: Order, *, read_saved: bool = False) -> s.OrderDetail:
    """Everything an agent sees on the order page.

    Every write answers with this, so only the tables that can hold rows for this order are read: a repair
    detail exists only for repairs, a network problem only once the timeline shows the hand-off (the
    "network" history row `hand_to_network` writes with it), callbacks only once the order has been
    resolved (`open_callback` runs on resolve). ``read_saved``: the caller wrote rows of a new order that
    `_nothing_saved` cannot see (the notes a TMF621 create carries), so the timeline is read anyway."""
    timeline, linked = _items(ctx, o, public_only=False, read_saved=read_saved)
    d = repairs.detail(ctx, o.id) if o.type == OrderType.REPAIR else None
    handed = any(i.kind == "network" for i in timeline)  # `hand_to_network` writes this history row
    np = complaints.network_problem_of(ctx, o.id) if handed else None
    resolved_once = o.resolved_at is not None or o.reopen_count > 0
    cbs = complaints.callbacks_of(ctx, o) if resolved_once else []
    return s.OrderDetail.model_validate({
        **_fields(o, _category_names(ctx, {o.category_code})), "timeline": timeline,
        "repair": s.RepairOut.model_validate(d) if d else None,
        "network_problem": s.NetworkProblemOut.model_validate(np) if np else None,
        "callbacks": cbs,
        "linked_order_ids": linked,
    })


def for_customer(ctx: Ctx, o: Order, with_timeline: bool = True) -> s.CustomerOrderOut:
    d = repairs.detail(ctx, o.id)
    np = complaints.network_problem_of(ctx, o.id)
    return s.CustomerOrderOut(
        id=o.id, type=o.type, category_name=_category_names(ctx, {o.category_code}).get(o.category_code),
        title=o.title, status=o.status, created_at=o.created_at, resolution_due=o.resolution_due,
        resolved_at=o.resolved_at, closed_at=o.closed_at,
        timeline=_items(ctx, o, public_only=True)[0] if with_timeline else [],
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
