"""Incident reactions to events: detection as orders arrive, sending the broadcasts that changes queued,
and (after each relay pass) the bulk resolution of restored incidents' orders."""

from __future__ import annotations

from sqlalchemy.orm import Session, sessionmaker

from telqc.core import events
from telqc.core.clock import Clock
from telqc.core.context import Ctx
from telqc.core.settings import Settings
from telqc.core.uow import transaction
from telqc.incidents import broadcast, detect, escalation, resolution
from telqc.orders import notify


@events.subscribe_batch("order.created")
def detect_mass_complaints(ctx: Ctx, batch: list[events.Event]) -> None:
    """The whole relay batch in one transaction: 2,000 complaints a second cost one commit per batch."""
    detect.observe(ctx, batch)


@events.subscribe_batch("incident.*", ledger=False)
def send_notices(ctx: Ctx, batch: list[events.Event]) -> None:
    """Claim-based like the orders' sender: running twice sends nothing twice."""
    broadcast.deliver(ctx.session, ctx.clock)
    escalation.deliver(ctx.session, ctx.clock)


@events.after_drain
def resolve_restored(factory: sessionmaker[Session], clock: Clock, settings: Settings) -> int:
    """Chunked, one transaction each, outside the handlers' transactions (which stay short); the resolution
    notifications the chunks queued are sent at once, not at the next relay pass."""
    done = resolution.work_off(factory, clock, settings)
    if done:
        notify.deliver_pending(factory, clock, limit=max(500, 2 * done))
    return done


@events.after_drain
def interval_updates(factory: sessionmaker[Session], clock: Clock, settings: Settings) -> int:
    """At each update interval of the grade with no news from netops, the affected customers hear that the
    repair goes on (`broadcast.due_updates`), sent in the same transaction."""
    with transaction(factory) as uow:
        told = broadcast.due_updates(Ctx(uow=uow, clock=clock, settings=settings))
        if told:
            broadcast.deliver(uow.session, clock)
    return told
