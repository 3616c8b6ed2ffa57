"""What other domains may read of contacts without the service: the channel vocabulary, published columns,
and one interaction with its transcript.

Inspection samples, imports and scores interactions, and a metrics rebuild dimensions raw contacts; they
select or join `CONTACTS` and `INTERACTIONS` in their own statements instead of importing `models`. Only
these columns are published; renaming or dropping one is an interface change for every reader. Writes go
through `service`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from sqlalchemy import column, table
from sqlalchemy.orm import Session

from telqc.contacts.models import Contact, Interaction


class Channel(StrEnum):
    hotline = "hotline"
    app = "app"
    web = "web"
    wechat = "wechat"
    store = "store"
    social = "social"


_c = Contact.__table__.c
CONTACTS = table("contacts", *(column(c.name, c.type) for c in (
    _c.id, _c.customer_id, _c.province_code, _c.channel, _c.started_at, _c.ended_at, _c.agent_id, _c.queue_wait_s,
    _c.talk_s, _c.hold_s, _c.acw_s, _c.abandoned, _c.transferred, _c.category)))

_i = Interaction.__table__.c
INTERACTIONS = table("interactions", *(column(c.name, c.type) for c in (
    _i.contact_id, _i.external_id, _i.turn_count, _i.duration_ms, _i.complaint, _i.csat)))


@dataclass(frozen=True)
class InteractionView:
    """A contact with its transcript, as other domains see it: a copy, so changing it changes nothing."""

    contact_id: int
    channel: str
    agent_id: int | None
    customer_id: int | None
    started_at: datetime
    external_id: str | None
    turn_count: int
    duration_ms: int
    complaint: bool
    csat: int | None
    turns: list[dict[str, object]]


def interaction(session: Session, contact_id: int) -> InteractionView | None:
    """The interaction of a contact, unscoped: for work the caller has authorised already (scoring an
    inspection it may read, automatic inspection). A reader's own request goes through
    `service.get_interaction`, which applies the contact's access scope."""
    contact, inter = session.get(Contact, contact_id), session.get(Interaction, contact_id)
    if contact is None or inter is None:
        return None
    return InteractionView(
        contact_id=contact.id, channel=contact.channel, agent_id=contact.agent_id, customer_id=contact.customer_id,
        started_at=contact.started_at, external_id=inter.external_id, turn_count=inter.turn_count,
        duration_ms=inter.duration_ms, complaint=inter.complaint, csat=inter.csat, turns=inter.turns)
