"""Customer queries, starting from the one statement that says what a principal may read."""

from __future__ import annotations

from sqlalchemy import Select, false, select
from sqlalchemy.orm import Session

from telqc.core.models import Region
from telqc.core.rbac import Perm, Principal
from telqc.customers.models import Customer, CustomerPhone, CustomerPlan, Plan


def readable(principal: Principal) -> Select[Customer]:
    stmt = select(Customer)
    if principal.can(Perm.customers_read):
        if principal.region_scope is not None:
            stmt = stmt.where(Customer.province_code.in_(principal.region_scope))
        return stmt
    if principal.can(Perm.self_read) and principal.customer_id is not None:
        return stmt.where(Customer.id == principal.customer_id)
    return stmt.where(false())


def get_readable(session: Session, principal: Principal, customer_id: int) -> Customer | None:
    return session.scalar(readable(principal).where(Customer.id == customer_id))


def find_by_phone_index(session: Session, principal: Principal, indexes: list[str]) -> list[Customer]:
    ids = select(CustomerPhone.customer_id).where(CustomerPhone.phone_index.in_(indexes))
    return list(session.scalars(readable(principal).where(Customer.id.in_(ids)).order_by(Customer.id)))


def find_by_tail_index(session: Session, principal: Principal, indexes: list[str],
                       limit: int) -> list[tuple[Customer, str]]:
    """(customer, decrypted phone) for phones in the 尾号 buckets, readable by the principal, by customer id."""
    stmt = (readable(principal).add_columns(CustomerPhone.phone)
            .join(CustomerPhone, CustomerPhone.customer_id == Customer.id)
            .where(CustomerPhone.tail_index.in_(indexes)).order_by(Customer.id).limit(limit))
    return [(c, phone) for c, phone in session.execute(stmt)]


def search_by_name(session: Session, principal: Principal, name: str, limit: int) -> list[Customer]:
    stmt = readable(principal).where(Customer.name.startswith(name, autoescape=True))
    return list(session.scalars(stmt.order_by(Customer.id).limit(limit)))


def phones_of(session: Session, customer_ids: list[int]) -> dict[int, list[CustomerPhone]]:
    out: dict[int, list[CustomerPhone]] = {cid: [] for cid in customer_ids}
    rows = session.scalars(
        select(CustomerPhone).where(CustomerPhone.customer_id.in_(customer_ids))
        .order_by(CustomerPhone.is_primary.desc(), CustomerPhone.id)
    )
    for p in rows:
        out[p.customer_id].append(p)
    return out


def plans_of(session: Session, customer_ids: list[int]) -> dict[int, list[tuple[CustomerPlan, Plan]]]:
    out: dict[int, list[tuple[CustomerPlan, Plan]]] = {cid: [] for cid in customer_ids}
    rows = session.execute(
        select(CustomerPlan, Plan).join(Plan, Plan.code == CustomerPlan.plan_code)
        .where(CustomerPlan.customer_id.in_(customer_ids), CustomerPlan.ended_on.is_(None))
        .order_by(CustomerPlan.id)
    )
    for cp, plan in rows:
        out[cp.customer_id].append((cp, plan))
    return out


def region_names(session: Session, codes: set[str]) -> dict[str, str]:
    return dict(session.execute(select(Region.code, Region.name).where(Region.code.in_(codes))).all())


def plans(session: Session) -> list[Plan]:
    return list(session.scalars(select(Plan).order_by(Plan.code)))


def names_of(session: Session, principal: Principal, customer_ids: set[int]) -> dict[int, str]:
    """Names of the customers among `customer_ids` the principal may read (one statement)."""
    if not customer_ids:
        return {}
    stmt = (readable(principal).where(Customer.id.in_(sorted(customer_ids)))
            .with_only_columns(Customer.id, Customer.name))
    return {i: n for i, n in session.execute(stmt).all()}
