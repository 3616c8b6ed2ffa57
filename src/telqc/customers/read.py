"""What other domains may read of customers without the service: published columns, and one scoped lookup.

A domain that needs customer facts inside its own statement (the routing read of a new order, which takes
the repeated complaint in the same round trip; a metrics rebuild that dimensions raw contacts) selects or
joins `CUSTOMERS` instead of importing `models.Customer`. Only these columns are published and none of them
is personal data, which is read through `service.present` (masked unless allowed, audited). Renaming or
dropping one is an interface change for every reader.
"""

from __future__ import annotations

from sqlalchemy import column, table
from sqlalchemy.orm import Session

from telqc.core.rbac import Principal
from telqc.customers import repository as repo
from telqc.customers.models import Customer, CustomerPlan, Plan

_c = Customer.__table__.c
CUSTOMERS = table("customers", *(column(c.name, c.type) for c in (
    _c.id, _c.province_code, _c.city_code, _c.district_code, _c.area_type, _c.tier, _c.lifecycle, _c.joined_on,
    _c.contract_end)))

# A customer's current plans (`ended_on` null) and each plan's kind (mobile | broadband | fusion | iptv): which
# services a customer takes, e.g. to tell only the customers a broadband outage affects.
_cp, _p = CustomerPlan.__table__.c, Plan.__table__.c
CUSTOMER_PLANS = table("customer_plans", *(column(c.name, c.type) for c in (_cp.customer_id, _cp.plan_code,
                                                                              _cp.ended_on, _cp.site_id)))
PLANS = table("plans", *(column(c.name, c.type) for c in (_p.code, _p.kind)))


def readable_province(session: Session, principal: Principal, customer_id: int) -> str | None:
    """The customer's province, or None when it does not exist or ``principal`` may not read it."""
    c = repo.get_readable(session, principal, customer_id)
    return c.province_code if c else None
