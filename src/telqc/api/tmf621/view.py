"""A TroubleTicket as one caller sees it: the GET answers and the hub's event payloads are the same shape.

Scope comes from `orders.service.get` (`orders.access`: 404 outside the caller's regions) and masking from
`mapping.ticket(staff=...)` (owner and handler parties, note authors and internal notes only for staff), so
an event can never carry more than its subscriber's own GET of the ticket would.
"""

from __future__ import annotations

from typing import Any

from telqc.api.tmf621 import mapping
from telqc.core.context import Ctx
from telqc.core.errors import NotFound
from telqc.core.rbac import Perm
from telqc.orders import service, timeline


def ticket(ctx: Ctx, order: Any, fields: str | None = None, with_detail: bool = True,
           read_saved: bool = False) -> dict[str, Any]:
    """The resource of an order the caller (``ctx.principal``) has read; ``read_saved``: notes of this request too."""
    detail = timeline.detail(ctx, order, read_saved=read_saved) if with_detail else None
    staff = ctx.principal is not None and ctx.principal.can(Perm.orders_read)
    return mapping.project(mapping.ticket(order, detail, staff=staff), fields)


def readable(ctx: Ctx, order_id: int) -> tuple[dict[str, Any], Any] | None:
    """The resource and the order, if the caller may read it; None where GET would answer 404."""
    try:
        order = service.get(ctx, order_id)
    except NotFound:
        return None
    return ticket(ctx, order), order
