"""Contact rules: opening a contact and recording identity verification on it."""

from __future__ import annotations

from telqc.contacts import repository as repo
from telqc.contacts import schemas as s
from telqc.contacts.models import Contact, Interaction, VerificationAttempt
from telqc.core import events
from telqc.core.context import Ctx
from telqc.core.errors import Conflict, NotFound


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
        from telqc.customers import service as customers

        province = customers.get(ctx, data.customer_id).province_code
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


def record_verification(ctx: Ctx, contact: Contact, customer_id: int, method: str, ok: bool) -> None:
    now = ctx.now()
    ctx.session.add(VerificationAttempt(contact_id=contact.id, customer_id=customer_id, at=now,
                                        method=method, success=ok))
    if ok:
        contact.customer_id = customer_id
        contact.identity_verified = True
        contact.verified_method = method
        contact.verified_at = now
    ctx.audit("contact.verification", "contact", contact.id, customer_id=customer_id, method=method, success=ok)


def require_verified(ctx: Ctx, contact_id: int, customer_id: int) -> Contact:
    """Account changes need a contact on which this very customer passed verification."""
    contact = get(ctx, contact_id)
    if not contact.identity_verified or contact.customer_id != customer_id:
        raise Conflict("error.unverified", field="body.contact_id")
    return contact


def recent_for_customer(ctx: Ctx, customer_id: int, limit: int = 20) -> list[Contact]:
    assert ctx.principal is not None
    stmt = (repo.readable(ctx.principal).where(Contact.customer_id == customer_id)
            .order_by(Contact.started_at.desc()).limit(limit))
    return list(ctx.session.scalars(stmt))




def dims_of(ctx: Ctx, contact: Contact) -> dict[str, object]:
    """The event-contract dimensions of a contact, so no other domain has to read our tables."""
    from telqc.core.models import User
    from telqc.customers.models import Customer

    cust = ctx.session.get(Customer, contact.customer_id) if contact.customer_id else None
    agent = ctx.session.get(User, contact.agent_id) if contact.agent_id else None
    return {
        "province_code": cust.province_code if cust else contact.province_code,
        "city_code": cust.city_code if cust else None,
        "district_code": cust.district_code if cust else None,
        "area_type": cust.area_type if cust else None,
        "tier": cust.tier if cust else None,
        "channel": contact.channel,
        "team_id": agent.team_id if agent else None,
        "agent_id": contact.agent_id,
        "category": contact.category,
    }


def record_interaction(ctx: Ctx, contact: Contact, turns: list[dict[str, object]], *, source: str,
                       external_id: str | None = None, complaint: bool = False, csat: int | None = None) -> Interaction:
    """Store a finished interaction with its transcript and announce it ("contact.closed").

    The caller has validated the turns; the contact row is new and complete (times, durations).
    """
    ctx.session.add(contact)
    ctx.session.flush()
    duration = max((int(t["end_ms"]) for t in turns), default=0)  # type: ignore[call-overload]
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
                dims=dims_of(ctx, contact))
    return inter


def get_interaction(ctx: Ctx, contact_id: int) -> tuple[Contact, Interaction]:
    """A readable contact and its transcript (NotFound when either is missing or out of scope)."""
    contact = get(ctx, contact_id)
    inter = ctx.session.get(Interaction, contact_id)
    if inter is None:
        raise NotFound(what="w.contact")
    return contact, inter


def set_csat(ctx: Ctx, contact_id: int, csat: int | None) -> None:
    """A survey answer reached us (event); low CSAT is a targeted-sampling criterion."""
    inter = ctx.session.get(Interaction, contact_id)
    if inter is not None and csat is not None:
        inter.csat = csat
