"""Incident reactions to events: detection as orders arrive, bulk resolution after a restore, and sending
the broadcasts that changes queued."""

from __future__ import annotations

from telqc.core import events
from telqc.core.context import Ctx
from telqc.incidents import broadcast, detect, resolution


@events.subscribe_batch("order.created")
def detect_mass_complaints(ctx: Ctx, batch: list[events.Event]) -> None:
    """The whole relay batch in one transaction: 2,000 complaints a second cost one commit per batch."""
    detect.observe(ctx, batch)


@events.subscribe("incident.restored")
def resolve_linked_orders(ctx: Ctx, event: events.Event) -> None:
    resolution.resolve_chunk(ctx, int(event.payload["incident_id"]))


@events.subscribe("incident.resolution_continued")
def continue_resolution(ctx: Ctx, event: events.Event) -> None:
    resolution.resolve_chunk(ctx, int(event.payload["incident_id"]))


@events.subscribe_batch("incident.*", ledger=False)
def send_notices(ctx: Ctx, batch: list[events.Event]) -> None:
    """Claim-based like the orders' sender: running twice sends nothing twice."""
    broadcast.deliver(ctx.session, ctx.clock)
