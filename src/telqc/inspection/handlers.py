"""Events quality inspection reacts to."""

from __future__ import annotations

from telqc.contacts import service as contacts
from telqc.core import events
from telqc.core.context import Ctx
from telqc.core.events import Event


@events.subscribe("survey.answered")
def remember_csat(ctx: Ctx, event: Event) -> None:
    """Low CSAT is a targeted-sampling criterion: keep the answer next to the interaction it rates."""
    contact_id, csat = event.payload.get("contact_id"), event.payload.get("csat")
    if isinstance(contact_id, int) and isinstance(csat, int) and 1 <= csat <= 5:
        contacts.set_csat(ctx, contact_id, csat)
        ctx.audit("interaction.csat", "contact", contact_id, csat=csat, survey_id=event.payload.get("survey_id"))
