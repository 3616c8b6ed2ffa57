"""What the incidents domain asks of orders (through `orders.service`): the open orders of an area, brief
rows for an incident's detail page, and the bulk resolution of the orders a restored incident explains.

Resolution goes through `lifecycle.change_state` like any other state change (history, audit, events), and
the resolve brings the customer's notification and the complaint's callback (`followup`), each under its
unique key: resolving the same orders again (a resumed job) changes and sends nothing twice.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from telqc.core.context import Ctx
from telqc.orders import followup, lifecycle
from telqc.orders.lifecycle import history
from telqc.orders.models import Order
from telqc.orders.states import OrderState

S = OrderState
_DONE = (S.RESOLVED.value, S.CALLBACK.value, S.CLOSED.value, S.CANCELLED.value)
# the shortest legal walk from each open state to `resolved`
_WALK: dict[str, tuple[OrderState, ...]] = {
    S.NEW.value: (S.ACKNOWLEDGED, S.IN_PROGRESS, S.RESOLVED),
    S.ACKNOWLEDGED.value: (S.IN_PROGRESS, S.RESOLVED),
    S.IN_PROGRESS.value: (S.RESOLVED,),
    S.PENDING.value: (S.RESOLVED,),
    S.REOPENED.value: (S.IN_PROGRESS, S.RESOLVED),
}


@dataclass(frozen=True)
class OrderBrief:
    id: int
    customer_id: int
    type: str
    category: str
    title: str
    status: str
    sla_status: str
    created_at: datetime
    province_code: str
    city_code: str | None
    district_code: str | None


def _brief(o: Order) -> OrderBrief:
    return OrderBrief(o.id, o.customer_id, o.type, o.category_code, o.title, o.status, o.sla_status, o.created_at,
                      o.province_code, o.city_code, o.district_code)


def briefs(ctx: Ctx, order_ids: Sequence[int]) -> list[OrderBrief]:
    """The orders as brief rows (the caller has decided the viewer may see them: an incident in its scope)."""
    if not order_ids:
        return []
    rows = ctx.session.scalars(select(Order).where(Order.id.in_(list(order_ids))).order_by(Order.id))
    return [_brief(o) for o in rows]


def open_in_area(ctx: Ctx, province_code: str, city_code: str | None, district_code: str | None,
                 categories: Sequence[str], limit: int = 5000, after_id: int = 0) -> list[OrderBrief]:
    """Open orders of these categories in the area (for linking existing complaints in bulk), `limit` at a
    time in id order: the caller pages on with `after_id` = the last id it got."""
    stmt = select(Order).where(Order.province_code == province_code, Order.status.not_in(_DONE),
                               Order.category_code.in_(list(categories)), Order.id > after_id)
    if city_code:
        stmt = stmt.where(Order.city_code == city_code)
    if district_code:
        stmt = stmt.where(Order.district_code == district_code)
    return [_brief(o) for o in ctx.session.scalars(stmt.order_by(Order.id).limit(limit))]


def resolve_for_incident(ctx: Ctx, order_ids: Sequence[int], reason: str, message: str,
                         solution_code: str | None = None) -> list[int]:
    """Resolve every still-open order of `order_ids` (locked), telling each customer `message`; answers the ids
    that are resolved (or were already done) after the call, in one statement for the reads."""
    if not order_ids:
        return []
    rows = list(ctx.session.scalars(select(Order).where(Order.id.in_(list(order_ids)))
                                    .order_by(Order.id).with_for_update()))
    for o in rows:
        if o.status in _DONE:
            continue
        o.version += 1  # one write of the order, as `access.get_for_update` counts it
        for step in _WALK[o.status]:
            lifecycle.change_state(ctx, o, step, reason, solution_code=solution_code)
        history(ctx, o, "incident", None, "restored", message, public=True)
        followup.after_transition(ctx, o, S.RESOLVED)
    ctx.session.flush()
    return [o.id for o in rows]
