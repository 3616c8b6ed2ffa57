"""Contact queries, scoped like customers: by region, or a customer's own."""

from __future__ import annotations

from sqlalchemy import Select, false, or_, select

from telqc.contacts.models import Contact
from telqc.core.rbac import Perm, Principal


def readable(principal: Principal) -> Select[Contact]:
    stmt = select(Contact)
    if principal.can(Perm.contacts_read):
        if principal.region_scope is not None:
            stmt = stmt.where(or_(Contact.province_code.in_(principal.region_scope),
                                  Contact.agent_id == principal.user_id))
        return stmt
    if principal.can(Perm.self_read) and principal.customer_id is not None:
        return stmt.where(Contact.customer_id == principal.customer_id)
    return stmt.where(false())
