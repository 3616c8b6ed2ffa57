"""Incident queries, including the one statement that says which incidents a caller may read (same data
scope as orders: the caller's provinces)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime

from sqlalchemy import Select, func, or_, select
from sqlalchemy.orm import Session

from telqc.core.rbac import Principal
from telqc.customers.read import CUSTOMER_PLANS, CUSTOMERS, PLANS
from telqc.incidents import area
from telqc.incidents.models import (
    ComplaintSignal,
    DetectionRule,
    Incident,
    IncidentHistory,
    IncidentLink,
    NetworkSample,
    PlannedWork,
    SeverityLevel,
)
from telqc.incidents.states import ACTIVE

_IN_CHUNK = 1000  # ids per IN list (SQLite and PostgreSQL both take it, one statement per thousand)


def scoped(principal: Principal, stmt: Select[Incident]) -> Select[Incident]:
    if principal.region_scope is not None:
        stmt = stmt.where(Incident.province_code.in_(principal.region_scope))
    return stmt


def get_readable(session: Session, principal: Principal, incident_id: int, for_update: bool = False) -> Incident | None:
    stmt = scoped(principal, select(Incident).where(Incident.id == incident_id))
    return session.scalar(stmt.with_for_update() if for_update else stmt)


def by_open_key(session: Session, open_key: str) -> Incident | None:
    return session.scalar(select(Incident).where(Incident.open_key == open_key))


def search(session: Session, principal: Principal, status: Sequence[str] | None, limit: int = 200) -> list[Incident]:
    stmt = scoped(principal, select(Incident))
    if status:
        stmt = stmt.where(Incident.status.in_(list(status)))
    return list(session.scalars(stmt.order_by(Incident.id.desc()).limit(limit)))


def active_for(session: Session, place: area.Place, category: str | None = None) -> list[Incident]:
    """Active incidents covering the place (`area.covers`; and explaining the category, when given), most
    severe first. The province's active incidents are few: they are read, then the rule decides."""
    stmt = select(Incident).join(SeverityLevel, SeverityLevel.code == Incident.severity).where(
        Incident.status.in_([s.value for s in ACTIVE]), Incident.province_code == place.province_code)
    rows = list(session.scalars(stmt.order_by(SeverityLevel.rank, Incident.id)))
    return [i for i in rows if area.covers(area.of(i, i.cells), place)
            and (category is None or not i.categories or category in i.categories)]


def planned_works(session: Session, principal: Principal, since: datetime, limit: int = 200) -> list[PlannedWork]:
    stmt = select(PlannedWork).where(PlannedWork.end_at >= since)
    if principal.region_scope is not None:
        stmt = stmt.where(PlannedWork.province_code.in_(principal.region_scope))
    return list(session.scalars(stmt.order_by(PlannedWork.start_at).limit(limit)))


def history(session: Session, incident_id: int) -> list[IncidentHistory]:
    return list(session.scalars(select(IncidentHistory).where(IncidentHistory.incident_id == incident_id)
                                .order_by(IncidentHistory.id)))


def links(session: Session, incident_id: int) -> list[IncidentLink]:
    return list(session.scalars(select(IncidentLink).where(IncidentLink.incident_id == incident_id)
                                .order_by(IncidentLink.id)))


def link_of_order(session: Session, order_id: int) -> IncidentLink | None:
    return session.scalar(select(IncidentLink).where(IncidentLink.order_id == order_id))


def unresolved_links(session: Session, incident_id: int, limit: int) -> list[IncidentLink]:
    return list(session.scalars(select(IncidentLink).where(
        IncidentLink.incident_id == incident_id, IncidentLink.resolved_at.is_(None))
        .order_by(IncidentLink.id).limit(limit).with_for_update()))


def severity_levels(session: Session) -> list[SeverityLevel]:
    return list(session.scalars(select(SeverityLevel).order_by(SeverityLevel.rank)))


def detection_rules(session: Session) -> list[DetectionRule]:
    return list(session.scalars(select(DetectionRule).order_by(DetectionRule.id)))


def current_sites(session: Session, customer_ids: Iterable[int]) -> dict[int, list[str]]:
    """The sites of each customer's current subscriptions (customers with none recorded are absent)."""
    ids = sorted(set(customer_ids))
    out: dict[int, list[str]] = {}
    plans = CUSTOMER_PLANS.c
    for k in range(0, len(ids), _IN_CHUNK):
        for cid, site in session.execute(select(plans.customer_id, plans.site_id).where(
                plans.customer_id.in_(ids[k:k + _IN_CHUNK]), plans.ended_on.is_(None), plans.site_id.is_not(None))
                .order_by(plans.customer_id, plans.site_id)):
            out.setdefault(int(cid), []).append(str(site))
    return out


def customer_place(session: Session, customer_id: int, site_id: str | None = None) -> area.Place | None:
    """Where the customer is: the address's area, and `site_id` when the order names one, else the sites of
    the customer's current subscriptions (`area.sites_of`)."""
    row = session.execute(select(CUSTOMERS.c.province_code, CUSTOMERS.c.city_code, CUSTOMERS.c.district_code)
                          .where(CUSTOMERS.c.id == customer_id)).first()
    if row is None:
        return None
    subscribed = () if site_id else current_sites(session, [customer_id]).get(customer_id, [])
    return area.Place(row[0], row[1], row[2], area.sites_of(site_id, subscribed))


def signal_sites(session: Session, order_ids: Iterable[int]) -> dict[int, str]:
    """The site each complaint named when it arrived (orders keep no site: their `incident_signals` row does)."""
    ids = sorted(set(order_ids))
    out: dict[int, str] = {}
    for k in range(0, len(ids), _IN_CHUNK):
        out.update((int(o), str(site)) for o, site in session.execute(
            select(ComplaintSignal.order_id, ComplaintSignal.site_id).where(
                ComplaintSignal.order_id.in_(ids[k:k + _IN_CHUNK]), ComplaintSignal.site_id.is_not(None))))
    return out


# Plan kinds (customers.read.PLANS) that carry each affected service: a fusion bundle carries them all.
PLAN_KINDS = {"mobile": ("mobile", "fusion"), "voice": ("mobile", "fusion"), "broadband": ("broadband", "fusion"),
              "iptv": ("iptv", "fusion")}


def customers_in(session: Session, where: area.Area, services: Sequence[str] = ()) -> list[int]:
    """Customers inside the area, as `area.covers` decides for a customer's address and subscriptions' sites.

    By area: the customers of the province, city and district; with `services`, those whose current plans
    carry one of them, and those with no current plan on record (better told once too often than a broken
    service left unexplained). By site: the customers of the province with a current plan on one of the
    sites (carrying one of the services, when named)."""
    plans = CUSTOMER_PLANS.c
    current = [plans.customer_id == CUSTOMERS.c.id, plans.ended_on.is_(None)]
    kinds = sorted({k for sv in services for k in PLAN_KINDS.get(sv, (sv,))})
    carries = select(plans.customer_id).select_from(CUSTOMER_PLANS.join(PLANS, PLANS.c.code == plans.plan_code)) \
        .where(*current, *([PLANS.c.kind.in_(kinds)] if kinds else []))
    stmt = select(CUSTOMERS.c.id).where(CUSTOMERS.c.province_code == where.province_code)
    if where.sites:
        return list(session.scalars(stmt.where(carries.where(plans.site_id.in_(sorted(where.sites))).exists())
                                    .order_by(CUSTOMERS.c.id)))
    if services:
        stmt = stmt.where(or_(carries.exists(), ~select(plans.customer_id).where(*current).exists()))
    if where.city_code:
        stmt = stmt.where(CUSTOMERS.c.city_code == where.city_code)
    if where.district_code:
        stmt = stmt.where(CUSTOMERS.c.district_code == where.district_code)
    return list(session.scalars(stmt.order_by(CUSTOMERS.c.id)))


def complaint_counts(session: Session, district: str, since: datetime, bucket_s: int) -> dict[int, int]:
    """Watched complaints in the district per time bucket (epoch seconds // bucket_s)."""
    rows = session.scalars(select(ComplaintSignal.at).where(ComplaintSignal.district_code == district,
                                                            ComplaintSignal.at >= since))
    out: dict[int, int] = {}
    for at in rows:
        k = int(at.timestamp()) // bucket_s
        out[k] = out.get(k, 0) + 1
    return out


def samples(session: Session, district: str, since: datetime) -> list[NetworkSample]:
    return list(session.scalars(select(NetworkSample).where(NetworkSample.district_code == district,
                                                            NetworkSample.at >= since)
                                .order_by(NetworkSample.metric, NetworkSample.at)))


def counts_by_status(session: Session, principal: Principal) -> dict[str, int]:
    stmt = select(Incident.status, func.count()).group_by(Incident.status)
    if principal.region_scope is not None:
        stmt = stmt.where(Incident.province_code.in_(principal.region_scope))
    return {str(s): int(n) for s, n in session.execute(stmt)}
