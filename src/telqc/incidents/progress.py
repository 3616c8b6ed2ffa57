"""What agents and customers see of incidents: the known-issue banner while an order is created for a
customer of an affected area, and the incident's progress on the customer's own orders."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel
from sqlalchemy import select

from telqc.core.context import Ctx
from telqc.core.errors import NotFound
from telqc.customers.read import readable_province
from telqc.incidents import repository as repo
from telqc.incidents.models import Incident, IncidentHistory, IncidentLink
from telqc.incidents.service import principal


class Step(BaseModel):
    at: datetime
    field: str
    to_value: str | None
    note: str | None


class CustomerProgress(BaseModel):
    order_id: int
    incident_id: int
    title: str
    status: str
    estimated_restore_at: datetime | None
    restored_at: datetime | None
    steps: list[Step]


def active_for_customer(ctx: Ctx, customer_id: int, site_id: str | None = None) -> list[Incident]:
    """Active incidents covering the customer (404 outside the caller's scope): their address, and the site the
    order names (`site_id`), else their subscriptions' sites, for an incident that lists sites (`area`)."""
    if readable_province(ctx.session, principal(ctx), customer_id) is None:
        raise NotFound(what="w.customer")
    place = repo.customer_place(ctx.session, customer_id, site_id)
    assert place is not None
    return repo.active_for(ctx.session, place)


def for_me(ctx: Ctx) -> list[CustomerProgress]:
    """The signed-in customer's orders that an incident explains, with its public steps."""
    me = principal(ctx).customer_id
    if me is None:
        return []
    rows = ctx.session.execute(select(IncidentLink.order_id, Incident).join(
        Incident, Incident.id == IncidentLink.incident_id).where(IncidentLink.customer_id == me)
        .order_by(IncidentLink.id.desc()).limit(50)).all()
    return [_progress(ctx, order_id, i) for order_id, i in rows]


def for_order(ctx: Ctx, order_id: int) -> CustomerProgress | None:
    """Progress of the incident explaining the signed-in customer's order `order_id` (None: none, or not theirs)."""
    link = repo.link_of_order(ctx.session, order_id)
    if link is None or link.incident_id is None or link.customer_id != principal(ctx).customer_id:
        return None
    i = ctx.session.get(Incident, link.incident_id)
    return _progress(ctx, order_id, i) if i is not None else None


def _progress(ctx: Ctx, order_id: int, i: Incident) -> CustomerProgress:
    steps = ctx.session.scalars(select(IncidentHistory).where(IncidentHistory.incident_id == i.id,
                                                              IncidentHistory.public.is_(True))
                                .order_by(IncidentHistory.id))
    return CustomerProgress(order_id=order_id, incident_id=i.id, title=i.title, status=i.status,
                            estimated_restore_at=i.estimated_restore_at, restored_at=i.restored_at,
                            steps=[Step(at=h.at, field=h.field, to_value=h.to_value, note=h.note) for h in steps])
