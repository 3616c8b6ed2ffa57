"""Which order a caller may read or change: the one way every service reaches an order by id.

Reads answer 404 outside the caller's data scope (never 403: existence is not disclosed). A write locks the
row (``SELECT … FOR UPDATE`` on PostgreSQL; SQLite serialises writers), compares the caller's ``If-Match``
version and sets the write's new version once (see `Order.version`).
"""

from __future__ import annotations

from telqc.core.context import Ctx
from telqc.core.errors import Forbidden, NotFound, PreconditionFailed
from telqc.core.rbac import Perm, Principal
from telqc.orders import repository as repo
from telqc.orders.models import Order


def principal(ctx: Ctx) -> Principal:
    assert ctx.principal is not None, "order services need an acting user"
    return ctx.principal


def get(ctx: Ctx, order_id: int) -> Order:
    """An order the caller may read, else 404."""
    o = repo.get_readable(ctx.session, principal(ctx), order_id)
    if o is None:
        raise NotFound(what="w.order")
    return o


def get_for_update(ctx: Ctx, order_id: int, if_match: int | None) -> Order:
    """Lock the row for a write and check the caller's version: 412 if someone else changed it first.

    The write's new version is set here, once, so the ETag it answers does not depend on flushes."""
    o = repo.get_readable(ctx.session, principal(ctx), order_id, for_update=True)
    if o is None:
        raise NotFound(what="w.order")
    if if_match is not None and if_match != o.version:
        raise PreconditionFailed()
    o.version += 1
    return o


def may_handle(p: Principal, o: Order) -> bool:
    """orders:write covers orders one owns or handles (or nobody handles); assigners (supervisors) may act on any.

    The pages ask the same question before they show an action (办结, 转派, notes), so no button leads to a 403."""
    return p.can(Perm.orders_write) and _handles(p, o)


def _handles(p: Principal, o: Order) -> bool:
    return p.can(Perm.orders_assign) or p.user_id in (o.handler_id, o.owner_id) or o.handler_id is None


def require_handling(ctx: Ctx, o: Order) -> None:
    if _handles(principal(ctx), o):
        return
    raise Forbidden("orders.error.not_handler", permission=Perm.orders_assign.value)
