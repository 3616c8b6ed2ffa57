"""Queries over the organisation tables and the audit log, shared by the API and the pages."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from telqc.core.audit import AuditEntry
from telqc.core.models import Region, Team, User


def users(session: Session) -> list[User]:
    return list(session.scalars(select(User).order_by(User.id)))


def display_names(session: Session, ids: Iterable[int | None]) -> dict[int, str]:
    wanted = {i for i in ids if i}
    if not wanted:
        return {}
    return dict(session.execute(select(User.id, User.display_name).where(User.id.in_(wanted))).all())


def regions(session: Session, parent: str | None = None) -> list[Region]:
    stmt = select(Region).order_by(Region.code)
    stmt = stmt.where(Region.parent_code == parent) if parent else stmt.where(Region.level == "province")
    return list(session.scalars(stmt))


def city_and_province(session: Session, district_code: str) -> tuple[str | None, str | None]:
    """A district's city and province codes (regions: province → city → district); (None, None) when the code is
    no known district with a city."""
    district = session.get(Region, district_code)
    city = session.get(Region, district.parent_code) if district and district.parent_code else None
    return (city.code, city.parent_code) if city else (None, None)


def audit_rows(session: Session, limit: int = 100, entity_type: str | None = None,
               entity_id: str | None = None) -> list[AuditEntry]:
    stmt = select(AuditEntry).order_by(AuditEntry.id.desc()).limit(limit)
    if entity_type:
        stmt = stmt.where(AuditEntry.entity_type == entity_type)
    if entity_id:
        stmt = stmt.where(AuditEntry.entity_id == entity_id)
    return list(session.scalars(stmt))


def team_names(session: Session, ids: Iterable[int | None] | None = None) -> dict[int, str]:
    """Team names by id (every team when ``ids`` is None): pages show names, never team numbers."""
    stmt = select(Team.id, Team.name).order_by(Team.name)
    if ids is not None:
        wanted = {i for i in ids if i}
        if not wanted:
            return {}
        stmt = stmt.where(Team.id.in_(wanted))
    return {int(i): str(n) for i, n in session.execute(stmt).all()}


def region_names(session: Session, codes: Iterable[str | None]) -> dict[str, str]:
    wanted = {c for c in codes if c}
    if not wanted:
        return {}
    return {str(c): str(n) for c, n in session.execute(select(Region.code, Region.name).where(Region.code.in_(wanted)))}


@dataclass(frozen=True)
class AuditFilter:
    actor: str | None = None
    action: str | None = None
    entity_type: str | None = None
    entity_id: str | None = None
    at_from: datetime | None = None
    at_to: datetime | None = None


def audit_page(session: Session, f: AuditFilter, offset: int, limit: int) -> tuple[list[AuditEntry], int]:
    """The audit log, newest first, filtered and paged (the admin's audit page)."""
    stmt = select(AuditEntry)
    if f.actor:  # the sign-in name the entry keeps, or the person's name the page shows
        named = select(User.id).where(User.display_name == f.actor)
        stmt = stmt.where((AuditEntry.actor == f.actor) | AuditEntry.actor_id.in_(named))
    if f.action:
        stmt = stmt.where(AuditEntry.action == f.action)
    if f.entity_type:
        stmt = stmt.where(AuditEntry.entity_type == f.entity_type)
    if f.entity_id:
        stmt = stmt.where(AuditEntry.entity_id == f.entity_id)
    if f.at_from:
        stmt = stmt.where(AuditEntry.at >= f.at_from)
    if f.at_to:
        stmt = stmt.where(AuditEntry.at < f.at_to)
    total = session.scalar(select(func.count()).select_from(stmt.subquery())) or 0
    rows = session.scalars(stmt.order_by(AuditEntry.id.desc()).offset(offset).limit(limit))
    return list(rows), int(total)


def audit_actions(session: Session) -> list[str]:
    return [str(a) for a in session.scalars(select(AuditEntry.action).distinct().order_by(AuditEntry.action))]
