"""The only reads metrics makes of other domains' data, both for rebuilds from raw facts.

Contacts seeded in bulk (``telqc seed``) never emitted "contact.closed", so a backfill reads
them here and turns each into the payload the event would have carried. The subscriber base
(denominator of complaint rates) is counted from customers. Both read the columns that contacts
and customers publish (`contacts.read`, `customers.read`), never their models. Everything else
reaches metrics through events only.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import bindparam, delete, func, select
from sqlalchemy.orm import Session

from telqc.contacts.read import CONTACTS
from telqc.core.models import User
from telqc.customers.read import CUSTOMERS
from telqc.metrics import sql
from telqc.metrics.models import SubscriberBase


def iter_contact_facts(session: Session, start: datetime, end: datetime) -> Iterator[dict[str, Any]]:
    """Raw contacts of [start, end) as "contact.closed" payloads (dimensions joined from customer and agent)."""
    for (cid, customer, started, wait, talk, hold, acw, abandoned, transferred, province, channel, agent,
         category, cust_province, city, district, area, tier, team) in sql.stream(session, _CONTACTS,
                                                                                   {"start": start, "end": end}):
        yield {
            "contact_id": cid, "customer_id": customer, "started_at": started.astimezone(UTC).isoformat(),
            "queue_wait_s": wait, "talk_s": talk, "hold_s": hold, "acw_s": acw,
            "abandoned": abandoned, "transferred": transferred,
            "answered_within_s": None if abandoned else wait,
            "dims": {"province_code": province or cust_province, "city_code": city,
                     "district_code": district, "area_type": area, "tier": tier, "channel": channel,
                     "team_id": team, "agent_id": agent, "category": category},
        }


_C, _K = CONTACTS.c, CUSTOMERS.c
_CONTACTS = (
    select(_C.id, _C.customer_id, _C.started_at, _C.queue_wait_s, _C.talk_s, _C.hold_s, _C.acw_s, _C.abandoned,
           _C.transferred, _C.province_code, _C.channel, _C.agent_id, _C.category, _K.province_code,
           _K.city_code, _K.district_code, _K.area_type, _K.tier, User.team_id)
    .outerjoin(CUSTOMERS, _K.id == _C.customer_id)
    .outerjoin(User, User.id == _C.agent_id)
    .where(_C.started_at >= bindparam("start", type_=_C.started_at.type),
           _C.started_at < bindparam("end", type_=_C.started_at.type))
)


def refresh_subscriber_base(session: Session, now: datetime, per_customer: int = 1) -> int:
    """Recount active subscribers by province, city, urban/rural and tier; returns rows written.

    ``per_customer``: subscribers one customer record stands for (settings.subscribers_per_customer)."""
    session.execute(delete(SubscriberBase))
    stmt = (select(_K.province_code, _K.city_code, _K.area_type, _K.tier, func.count())
            .group_by(_K.province_code, _K.city_code, _K.area_type, _K.tier))
    rows = [SubscriberBase(province_code=p, city_code=c, area_type=a, tier=t, subscribers=n * per_customer,
                           as_of=now)
            for p, c, a, t, n in session.execute(stmt)]
    session.add_all(rows)
    return len(rows)
