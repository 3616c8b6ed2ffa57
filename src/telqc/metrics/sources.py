"""The only reads metrics makes of other tables, both for rebuilds from raw facts.

Contacts seeded in bulk (``telqc seed``) never emitted "contact.closed", so a backfill reads
them here and turns each into the payload the event would have carried. The subscriber base
(denominator of complaint rates) is counted from customers. Everything else reaches metrics
through events only.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import Any

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from telqc.contacts.models import Contact
from telqc.core.models import User
from telqc.customers.models import Customer
from telqc.metrics.models import SubscriberBase


def iter_contact_facts(session: Session, start: datetime, end: datetime, page: int = 5000) -> Iterator[dict[str, Any]]:
    """Raw contacts of [start, end) as "contact.closed" payloads (dimensions joined from customer and agent)."""
    last = 0
    while True:
        stmt = (
            select(Contact, Customer.city_code, Customer.district_code, Customer.area_type, Customer.tier,
                   Customer.province_code, User.team_id)
            .outerjoin(Customer, Customer.id == Contact.customer_id)
            .outerjoin(User, User.id == Contact.agent_id)
            .where(Contact.started_at >= start, Contact.started_at < end, Contact.id > last)
            .order_by(Contact.id).limit(page)
        )
        rows = session.execute(stmt).all()
        if not rows:
            return
        for c, city, district, area, tier, cust_province, team in rows:
            yield {
                "contact_id": c.id, "customer_id": c.customer_id, "started_at": c.started_at.isoformat(),
                "queue_wait_s": c.queue_wait_s, "talk_s": c.talk_s, "hold_s": c.hold_s, "acw_s": c.acw_s,
                "abandoned": c.abandoned, "transferred": c.transferred,
                "answered_within_s": None if c.abandoned else c.queue_wait_s,
                "dims": {"province_code": c.province_code or cust_province, "city_code": city,
                         "district_code": district, "area_type": area, "tier": tier, "channel": c.channel,
                         "team_id": team, "agent_id": c.agent_id, "category": c.category},
            }
        last = rows[-1][0].id


def refresh_subscriber_base(session: Session, now: datetime) -> int:
    """Recount active subscribers by province, city, urban/rural and tier; returns rows written."""
    session.execute(delete(SubscriberBase))
    stmt = (select(Customer.province_code, Customer.city_code, Customer.area_type, Customer.tier, func.count())
            .group_by(Customer.province_code, Customer.city_code, Customer.area_type, Customer.tier))
    rows = [SubscriberBase(province_code=p, city_code=c, area_type=a, tier=t, subscribers=n, as_of=now)
            for p, c, a, t, n in session.execute(stmt)]
    session.add_all(rows)
    return len(rows)
