"""The customer 360 view (客户360视图): one customer's profile, recent contacts and work orders.

A composition of three domains, so it lives in the HTTP layer rather than in any of them: `customers` must
not call `orders` to build it (orders already reads customers), and each domain keeps its own access rule —
the profile read decides whether the reader may see this customer at all, contacts are listed through their
own scope. The pages (`telqc.web.pages`) render the same `view`.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter

from telqc.api.deps import CtxDep, IdPath, require
from telqc.contacts import service as contacts
from telqc.core.context import Ctx
from telqc.core.errors import NotFound
from telqc.core.rbac import Perm, Principal
from telqc.core.schemas import Out
from telqc.customers import schemas as cs
from telqc.customers import service as customers
from telqc.orders import service as orders

router = APIRouter(prefix="/api/v1", tags=["customers"])


class ContactBrief(Out):
    id: int
    channel: str
    started_at: str
    category: str | None
    summary: str | None
    identity_verified: bool


class Customer360(Out):
    customer: cs.CustomerOut
    recent_contacts: list[ContactBrief]
    orders: list[dict[str, object]]
    surveys: list[dict[str, object]]


def view(ctx: Ctx, customer_id: int) -> Customer360:
    c = customers.get(ctx, customer_id)  # NotFound unless the reader may see this customer
    recent = contacts.recent_for_customer(ctx, c.id, limit=20)
    return Customer360(
        customer=customers.present(ctx, [c])[0],
        recent_contacts=[ContactBrief(id=x.id, channel=x.channel, started_at=x.started_at.isoformat(),
                                      category=x.category, summary=x.summary,
                                      identity_verified=x.identity_verified) for x in recent],
        orders=orders.recent_for_customer(ctx, c.id), surveys=[],
    )


@router.get("/customers/{customer_id}/360", response_model=Customer360)
def customer_360(ctx: CtxDep, customer_id: IdPath,
                 _: Annotated[Principal, require(Perm.customers_read)]) -> Customer360:
    return view(ctx, customer_id)


@router.get("/me/customer", response_model=Customer360)
def my_customer(ctx: CtxDep, p: Annotated[Principal, require(Perm.self_read)]) -> Customer360:
    if p.customer_id is None:
        raise NotFound(what="w.customer")
    return view(ctx, p.customer_id)
