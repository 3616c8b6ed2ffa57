"""Contact rules: opening a contact and recording identity verification on it."""

from __future__ import annotations

from telqc.contacts import repository as repo
from telqc.contacts import schemas as s
from telqc.contacts.models import Contact, VerificationAttempt
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


