"""Contact rules: opening a contact, recording a finished interaction, and the facts other domains read.

Identity verification on a contact belongs to `customers` (its secrets, lockout and the account changes it
gates are customer data); it marks the contact verified through `mark_verified` here. This module reads
customers only through `customers.read`, so the two services never import each other.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import cast

from sqlalchemy import select

from telqc.contacts import read
from telqc.contacts import repository as repo
from telqc.contacts import schemas as s
from telqc.contacts.models import Contact, Interaction
from telqc.core import events
from telqc.core.context import Ctx
from telqc.core.errors import NotFound
from telqc.core.models import User
from telqc.customers import read as customers


def get(ctx: Ctx, contact_id: int) -> Contact:
    assert ctx.principal is not None
    c = ctx.session.scalar(repo.readable(ctx.principal).where(Contact.id == contact_id))
    if c is None:
        raise NotFound(what="w.contact")
    return c


def open_contact(ctx: Ctx, data: s.ContactCreate) -> Contact:
    assert ctx.principal is not None
    province = None
    if data.customer_id is not None:
        province = customers.readable_province(ctx.session, ctx.principal, data.customer_id)
        if province is None:
            raise NotFound(what="w.customer")
    elif ctx.principal.region_scope:
        province = ctx.principal.region_scope[0]
    c = Contact(
        channel=data.channel.value, customer_id=data.customer_id, province_code=province,
        direction=data.direction, started_at=ctx.now(), agent_id=ctx.principal.user_id,
        category=data.category, summary=data.summary, queue_wait_s=0, talk_s=0, hold_s=0, acw_s=0,
        abandoned=False, transferred=False, identity_verified=False,
    )
    ctx.session.add(c)
    ctx.session.flush()
    ctx.audit("contact.opened", "contact", c.id, channel=c.channel, customer_id=c.customer_id)
    return c


def mark_verified(ctx: Ctx, contact: Contact, customer_id: int, method: str) -> None:
    """The caller on ``contact`` proved to be ``customer_id`` (decided and audited by `customers`)."""
    contact.customer_id = customer_id
    contact.identity_verified = True
    contact.verified_method = method
    contact.verified_at = ctx.now()


def recent_for_customer(ctx: Ctx, customer_id: int, limit: int = 20) -> list[Contact]:
    assert ctx.principal is not None
    stmt = (repo.readable(ctx.principal).where(Contact.customer_id == customer_id)
            .order_by(Contact.started_at.desc()).limit(limit))
    return list(ctx.session.scalars(stmt))


_CUSTOMER = customers.CUSTOMERS
_DIMS = (select(Contact.province_code, Contact.channel, Contact.agent_id, Contact.category, _CUSTOMER.c.id,
                _CUSTOMER.c.province_code, _CUSTOMER.c.city_code, _CUSTOMER.c.district_code, _CUSTOMER.c.area_type,
                _CUSTOMER.c.tier, User.team_id)
         .outerjoin(_CUSTOMER, _CUSTOMER.c.id == Contact.customer_id)
         .outerjoin(User, User.id == Contact.agent_id))


def dims(ctx: Ctx, contact_id: int) -> dict[str, object]:
    """The event-contract dimensions of a contact (its customer's region and tier, its agent's team), so no
    other domain has to read our tables to label a KPI fact."""
    (province, channel, agent, category, customer, cust_province, city, district, area, tier,
     team) = ctx.session.execute(_DIMS.where(Contact.id == contact_id)).one()
    known = customer is not None
    return {
        "province_code": cust_province if known else province,
        "city_code": city, "district_code": district, "area_type": area, "tier": tier,
        "channel": channel, "team_id": team, "agent_id": agent, "category": category,
    }


@dataclass(frozen=True)
class FinishedContact:
    """A contact that already happened (an imported call or chat), as another domain hands it in."""

    channel: str
    customer_id: int | None
    province_code: str | None
    agent_id: int
    started_at: datetime
    ended_at: datetime
    queue_wait_s: int
    talk_s: int
    hold_s: int
    acw_s: int
    abandoned: bool
    transferred: bool
    category: str | None


def record_interaction(ctx: Ctx, data: FinishedContact, turns: list[dict[str, object]], *, source: str,
                       external_id: str | None = None, complaint: bool = False, csat: int | None = None) -> int:
    """Store a finished contact with its transcript, announce it ("contact.closed") and return its id.

    The caller has validated the turns and the references (agent, customer, unique external id).
    """
    contact = Contact(
        channel=data.channel, customer_id=data.customer_id, province_code=data.province_code, direction="in",
        started_at=data.started_at, ended_at=data.ended_at, agent_id=data.agent_id, queue_wait_s=data.queue_wait_s,
        talk_s=data.talk_s, hold_s=data.hold_s, acw_s=data.acw_s, abandoned=data.abandoned,
        transferred=data.transferred, category=data.category, summary=None, identity_verified=False,
    )
    ctx.session.add(contact)
    ctx.session.flush()
    duration = max((int(cast(int, t["end_ms"])) for t in turns), default=0)  # the caller validated the turns
    inter = Interaction(contact_id=contact.id, external_id=external_id, source=source, turns=turns,
                        turn_count=len(turns), duration_ms=duration, complaint=complaint, csat=csat,
                        created_at=ctx.now())
    ctx.session.add(inter)
    ctx.audit("interaction.recorded", "contact", contact.id, source=source, external_id=external_id,
              turns=len(turns))
    answered = not contact.abandoned
    events.emit(ctx, "contact.closed", "contact", contact.id,
                contact_id=contact.id, customer_id=contact.customer_id,
                started_at=contact.started_at.isoformat(), queue_wait_s=contact.queue_wait_s,
                talk_s=contact.talk_s, hold_s=contact.hold_s, acw_s=contact.acw_s, abandoned=contact.abandoned,
                transferred=contact.transferred, answered_within_s=contact.queue_wait_s if answered else None,
                dims=dims(ctx, contact.id))
    return contact.id


def get_interaction(ctx: Ctx, contact_id: int) -> read.InteractionView:
    """A readable contact and its transcript (NotFound when either is missing or out of scope)."""
    view = read.interaction(ctx.session, get(ctx, contact_id).id)
    if view is None:
        raise NotFound(what="w.contact")
    return view


def set_csat(ctx: Ctx, contact_id: int, csat: int | None) -> None:
    """A survey answer reached us (event); low CSAT is a targeted-sampling criterion."""
    inter = ctx.session.get(Interaction, contact_id)
    if inter is not None and csat is not None:
        inter.csat = csat
