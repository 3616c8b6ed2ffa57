"""Survey triggers: a resolved order or a finished (answered) contact invites the customer."""

from __future__ import annotations

from telqc.core import events
from telqc.core.context import Ctx
from telqc.core.events import Event
from telqc.surveys import repository as repo
from telqc.surveys import service


@events.subscribe_batch("order.resolved", "contact.closed")
def invite(ctx: Ctx, batch: list[Event]) -> None:
    """A resolved order or an answered contact invites its customer: one frequency check for the batch."""
    triggers = []
    for event in batch:
        p = event.payload
        if event.type == "contact.closed":
            if not p.get("abandoned"):
                triggers.append(service.Trigger(p.get("customer_id"), "contact", contact_id=p.get("contact_id"),
                                                dims=p.get("dims") or {}))
            continue
        customer_id = p.get("customer_id")
        if "customer_id" not in p:  # emitted before order.resolved carried the customer: the mapping kept for them
            ref = repo.order_customer(ctx.session, int(p["order_id"]))
            customer_id = ref.customer_id if ref else None
        triggers.append(service.Trigger(customer_id, "order", order_id=int(p["order_id"]), dims=p.get("dims") or {}))
    service.invite_many(ctx, triggers)
