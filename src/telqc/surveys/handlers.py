"""Survey triggers: a resolved order or a finished (answered) contact invites the customer."""

from __future__ import annotations

from telqc.core import events
from telqc.core.context import Ctx
from telqc.core.events import Event
from telqc.surveys import repository as repo
from telqc.surveys import service


@events.subscribe("order.resolved")
def after_resolution(ctx: Ctx, event: Event) -> None:
    p = event.payload
    customer_id = p.get("customer_id")
    if "customer_id" not in p:  # emitted before order.resolved carried the customer: the mapping kept for them
        ref = repo.order_customer(ctx.session, int(p["order_id"]))
        customer_id = ref.customer_id if ref else None
    service.invite(ctx, customer_id=customer_id, trigger="order", order_id=int(p["order_id"]),
                   dims=p.get("dims") or {})


@events.subscribe("contact.closed")
def after_contact(ctx: Ctx, event: Event) -> None:
    p = event.payload
    if p.get("abandoned"):
        return
    service.invite(ctx, customer_id=p.get("customer_id"), trigger="contact", contact_id=p.get("contact_id"),
                   dims=p.get("dims") or {})
