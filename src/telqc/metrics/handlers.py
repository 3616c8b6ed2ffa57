"""Contract events in, rollups out: each fact stored once and folded into every cube."""

from __future__ import annotations

from telqc.core import events
from telqc.core.context import Ctx
from telqc.core.events import Event
from telqc.metrics import ingest
from telqc.metrics.facts import FACT_KINDS
from telqc.metrics.service import tz_of


def _fold(ctx: Ctx, event: Event) -> None:
    if event.type in FACT_KINDS:
        ingest.ingest(ctx.session, event.type, event.payload, event.id, ctx.now(), tz_of(ctx))


@events.subscribe("contact.closed")
def on_contact(ctx: Ctx, event: Event) -> None:
    _fold(ctx, event)


@events.subscribe("order.*")
def on_order(ctx: Ctx, event: Event) -> None:
    _fold(ctx, event)


@events.subscribe("survey.*")
def on_survey(ctx: Ctx, event: Event) -> None:
    _fold(ctx, event)


@events.subscribe("inspection.*")
def on_inspection(ctx: Ctx, event: Event) -> None:
    _fold(ctx, event)


@events.subscribe("agent.availability")
def on_availability(ctx: Ctx, event: Event) -> None:
    """Not in the contract yet: workforce may emit {agent_id, at, available_s, dims} for occupancy."""
    _fold(ctx, event)
