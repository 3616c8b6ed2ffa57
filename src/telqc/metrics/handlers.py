"""Contract events in, rollups out: each relay batch stored once and folded into every cube in one transaction."""

from __future__ import annotations

from telqc.core import events
from telqc.core.context import Ctx
from telqc.core.events import Event
from telqc.metrics import ingest
from telqc.metrics.facts import FACT_KINDS
from telqc.metrics.service import tz_of


# "agent.availability" is not in the contract yet: workforce may emit {agent_id, at, available_s, dims}
# for occupancy.
@events.subscribe_batch("contact.closed", "order.*", "survey.*", "inspection.*", "agent.availability", "incident.*")
def fold(ctx: Ctx, batch: list[Event]) -> None:
    ingest.ingest_batch(ctx.session, [(e.type, e.payload, e.id) for e in batch if e.type in FACT_KINDS],
                        ctx.now(), tz_of(ctx))
