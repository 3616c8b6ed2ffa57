"""Order queries, starting from the one statement that says which orders a principal may read.

The statements of every order write (read for update, routing load, repeat check) are built once with
bind parameters: building and cache-keying a statement costs SQLAlchemy several times what executing a
prebuilt one does, and each write runs a dozen of them.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, NamedTuple

from sqlalchemy import ColumnElement, Select, Text, bindparam, cast, false, func, or_, select, true
from sqlalchemy.orm import Session, undefer

from telqc.core.models import User
from telqc.core.rbac import Perm, Principal
from telqc.customers.read import CUSTOMERS
from telqc.orders.models import Order, RepairDetail, RepairUpdate
from telqc.orders.states import FINAL_STATES

OPEN_STATES = ("new", "acknowledged", "in_progress", "pending", "resolved", "callback", "reopened")

# Who reads which orders: staff in their regions, a customer only their own, an engineer their dispatches.
_SCOPES: dict[str, ColumnElement[bool]] = {
    "all": true(),
    "regions": Order.province_code.in_(bindparam("scope_regions", expanding=True)),
    "customer": Order.customer_id == bindparam("scope_customer"),
    "engineer": Order.id.in_(select(RepairDetail.order_id).where(RepairDetail.engineer_id == bindparam("scope_user"))),
    "none": false(),
}


def _scope(principal: Principal) -> tuple[str, dict[str, Any]]:
    if principal.can(Perm.orders_read):
        if principal.region_scope is not None:
            return "regions", {"scope_regions": list(principal.region_scope)}
        return "all", {}
    if principal.can(Perm.self_read) and principal.customer_id is not None:
        return "customer", {"scope_customer": principal.customer_id}
    if principal.can(Perm.repair_work):
        return "engineer", {"scope_user": principal.user_id}
    return "none", {}


def readable(principal: Principal) -> Select[Order]:
    """The orders `principal` may read."""
    kind, params = _scope(principal)
    stmt = select(Order).where(_SCOPES[kind])
    return stmt.params(params) if params else stmt


_BY_ID = {(kind, lock): (select(Order).where(cond, Order.id == bindparam("order_id"))
                         .options(undefer(Order.has_pauses)).with_for_update(of=Order) if lock else
                         select(Order).where(cond, Order.id == bindparam("order_id")))
          for kind, cond in _SCOPES.items() for lock in (False, True)}


def get_readable(session: Session, principal: Principal, order_id: int, for_update: bool = False) -> Order | None:
    kind, params = _scope(principal)
    return session.scalar(_BY_ID[kind, for_update], {**params, "order_id": order_id})


@dataclass(frozen=True)
class OrderFilter:
    type: str | None = None
    status: Sequence[str] | None = None
    priority: str | None = None
    category: str | None = None
    customer_id: int | None = None
    handler_id: int | None = None
    owner_id: int | None = None
    province_code: str | None = None
    sla_status: str | None = None
    open_only: bool = False
    created_from: datetime | None = None
    created_to: datetime | None = None
    # TMF621 filtering (api/tmf621/filters.py): any of several values, the exact title, resolution dates
    types: Sequence[str] | None = None
    priorities: Sequence[str] | None = None
    category_codes: Sequence[str] | None = None
    severities: Sequence[int] | None = None
    title: str | None = None
    resolved_from: datetime | None = None
    resolved_to: datetime | None = None
    # work lists (home page, orders page): escalated above none, nobody handling, one team, soonest due first
    escalated: bool = False
    unassigned: bool = False
    team_id: int | None = None
    by_due: bool = False


def _filtered(principal: Principal, f: OrderFilter) -> Select[Order]:
    stmt = readable(principal)
    for col, val in ((Order.type, f.type), (Order.priority, f.priority), (Order.customer_id, f.customer_id),
                     (Order.handler_id, f.handler_id), (Order.owner_id, f.owner_id),
                     (Order.province_code, f.province_code), (Order.sla_status, f.sla_status)):
        if val is not None:
            stmt = stmt.where(col == val)
    if f.category is not None:
        stmt = stmt.where((Order.category_code == f.category) | Order.category_code.startswith(f"{f.category}."))
    if f.status:
        stmt = stmt.where(Order.status.in_(list(f.status)))
    if f.open_only:
        stmt = stmt.where(Order.status.not_in([s.value for s in FINAL_STATES]))
    if f.created_from is not None:
        stmt = stmt.where(Order.created_at >= f.created_from)
    if f.created_to is not None:
        stmt = stmt.where(Order.created_at < f.created_to)
    for col, values in ((Order.type, f.types), (Order.priority, f.priorities), (Order.category_code, f.category_codes),
                        (Order.severity, f.severities)):
        if values is not None:
            stmt = stmt.where(col.in_(list(values)))
    if f.title is not None:
        stmt = stmt.where(Order.title == f.title)
    if f.escalated:
        stmt = stmt.where(Order.escalation_level != "none")
    if f.unassigned:
        stmt = stmt.where(Order.handler_id.is_(None))
    if f.team_id is not None:
        stmt = stmt.where(Order.team_id == f.team_id)
    if f.resolved_from is not None:
        stmt = stmt.where(Order.resolved_at >= f.resolved_from)
    if f.resolved_to is not None:
        stmt = stmt.where(Order.resolved_at < f.resolved_to)
    return stmt


def search(session: Session, principal: Principal, f: OrderFilter, offset: int, limit: int) -> tuple[list[Order], int]:
    stmt = _filtered(principal, f)
    total = session.scalar(select(func.count()).select_from(stmt.order_by(None).subquery())) or 0
    order = (Order.resolution_due.is_(None), Order.resolution_due, Order.id) if f.by_due else (Order.id.desc(),)
    rows = session.scalars(stmt.order_by(*order).offset(offset).limit(limit))
    return list(rows), int(total)


class CustomerFacts(NamedTuple):
    """What a new order copies from its customer (no personal data), and the complaint it repeats, if any."""

    id: int
    province_code: str
    city_code: str
    district_code: str
    area_type: str
    tier: str
    repeat_of: int | None


# The latest complaint of the customer in the category since :since (重复投诉), read with the customer.
_PRIOR = (select(Order.id).where(Order.customer_id == CUSTOMERS.c.id, Order.category_code == bindparam("category"),
                                 Order.type == "complaint", Order.created_at >= bindparam("since"))
          .order_by(Order.created_at.desc(), Order.id.desc()).limit(1).correlate(CUSTOMERS).scalar_subquery())
_CUSTOMER_FACTS = select(CUSTOMERS.c.id, CUSTOMERS.c.province_code, CUSTOMERS.c.city_code,
                         CUSTOMERS.c.district_code, CUSTOMERS.c.area_type, CUSTOMERS.c.tier,
                         _PRIOR).where(CUSTOMERS.c.id == bindparam("customer_id"))


def customer_facts(session: Session, customer_id: int, repeat_category: str | None,
                   since: datetime) -> CustomerFacts | None:
    """The customer's routing and SLA facts, and the id of their latest complaint in `repeat_category` since
    `since` (None when no category is given): one statement for both."""
    row = session.execute(_CUSTOMER_FACTS, {"customer_id": customer_id, "category": repeat_category,
                                            "since": since}).first()
    return None if row is None else CustomerFacts(*row)


def open_repairs_load(session: Session, user_ids: Sequence[int]) -> dict[int, int]:
    if not user_ids:
        return {}
    rows = session.execute(select(RepairDetail.engineer_id, func.count()).join(Order, Order.id == RepairDetail.order_id)
                           .where(RepairDetail.engineer_id.in_(list(user_ids)), Order.status.in_(OPEN_STATES))
                           .group_by(RepairDetail.engineer_id))
    out = {uid: 0 for uid in user_ids}
    out.update({int(h): int(n) for h, n in rows if h is not None})
    return out


class Staff(NamedTuple):
    """What routing reads of a user: plain columns, so a routing decision loads no User into the session."""

    id: int
    team_id: int | None
    region_scope: list[str] | None
    skills: list[str] | None
    load: int = 0  # open orders handled (read by `agents` only)


_STAFF_COLUMNS = (User.id, User.team_id, User.region_scope, User.skills)
_STAFF_WHERE = (User.role.in_(bindparam("roles", expanding=True)), User.is_active.is_(True))
# Who may take an order does not depend on this transaction's unflushed changes to orders (`autoflush`
# off): an assign, which reads staff after it locked and changed its order, writes that order once.
_STAFF = select(*_STAFF_COLUMNS).where(*_STAFF_WHERE).order_by(User.id).execution_options(autoflush=False)
_SCOPE_TEXT = cast(User.region_scope, Text)
# One statement for routing: the candidates with their open-order load. The LIKE narrows the rows to scopes
# naming the province (or none) so the count runs only for those; `_covers` decides exactly.
_AGENTS = (select(*_STAFF_COLUMNS,
                  select(func.count()).where(Order.handler_id == User.id, Order.status.in_(OPEN_STATES))
                  .correlate(User).scalar_subquery())
           .where(*_STAFF_WHERE, or_(User.region_scope.is_(None), _SCOPE_TEXT == "null",
                                     _SCOPE_TEXT.like(bindparam("scope_like"))))
           .order_by(User.id).execution_options(autoflush=False))


def _covers(scope: list[str] | None, province_code: str) -> bool:
    return scope is None or province_code in scope


def staff(session: Session, roles: Sequence[str], province_code: str) -> list[Staff]:
    """Active users of these roles whose region scope covers the province (NULL scope = national)."""
    rows = session.execute(_STAFF, {"roles": list(roles)})
    return [Staff(*r) for r in rows if _covers(r[2], province_code)]


def agents(session: Session, roles: Sequence[str], province_code: str) -> list[Staff]:
    """`staff`, each with the open orders they handle (the routing load measure)."""
    like = f"%{json.dumps(province_code)}%"  # a _ or % in a code only widens the narrowing
    rows = session.execute(_AGENTS, {"roles": list(roles), "scope_like": like})
    return [Staff(*r) for r in rows if _covers(r[2], province_code)]


def due_orders(session: Session, now: datetime, limit: int) -> list[Order]:
    """Orders whose next SLA change is due: an index range scan on `next_due_at`, locked rows skipped."""
    stmt = (select(Order).where(Order.next_due_at <= now).order_by(Order.next_due_at).limit(limit)
            .with_for_update(skip_locked=True))
    return list(session.scalars(stmt))


def count(session: Session, principal: Principal, f: OrderFilter) -> int:
    stmt = _filtered(principal, f).order_by(None).with_only_columns(func.count(Order.id))
    return int(session.scalar(stmt) or 0)


def open_by_team(session: Session, principal: Principal) -> list[tuple[int | None, str, bool, int]]:
    """Open orders the principal may read, counted by (team, SLA status, nobody handling): the supervisor's
    queue view, one statement."""
    base = _filtered(principal, OrderFilter(open_only=True)).subquery()
    unassigned = base.c.handler_id.is_(None)
    stmt = (select(base.c.team_id, base.c.sla_status, unassigned, func.count())
            .group_by(base.c.team_id, base.c.sla_status, unassigned))
    return [(t, st, bool(u), int(n)) for t, st, u, n in session.execute(stmt).all()]


def transfer_candidates(session: Session, province_code: str) -> list[User]:
    """Active agents and supervisors who may work an order of ``province_code`` (region scope checked here:
    a JSON list is not portably searchable in SQL, and the staff table is small)."""
    stmt = (select(User).where(User.is_active.is_(True), User.role.in_(("agent", "supervisor")))
            .order_by(User.team_id, User.display_name))
    return [u for u in session.scalars(stmt) if u.region_scope is None or province_code in u.region_scope]


def engineers(session: Session, province_code: str) -> list[User]:
    """Active field engineers who may take a visit in ``province_code`` (the dispatch form's list)."""
    stmt = select(User).where(User.is_active.is_(True), User.role == "engineer").order_by(User.display_name)
    return [u for u in session.scalars(stmt) if u.region_scope is None or province_code in u.region_scope]


def repair_updates(session: Session, order_id: int) -> list[Any]:
    return list(session.scalars(select(RepairUpdate).where(RepairUpdate.order_id == order_id)
                                .order_by(RepairUpdate.at, RepairUpdate.id)))
