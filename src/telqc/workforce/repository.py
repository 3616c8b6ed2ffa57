"""Workforce queries. Contacts are read through the contacts domain's published columns (`contacts.read`),
never its tables' models; everything else here is the workforce domain's own tables.

Workforce data is national (a contact centre plans its queues as a whole), so there is no region scope: who
may read it at all is the route's permission.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from telqc.contacts.read import CONTACTS
from telqc.core.models import User
from telqc.workforce.models import (
    EngineerDuty,
    EngineerRoster,
    Forecast,
    ForecastPoint,
    IntervalActual,
    QueueRule,
    Roster,
    RosterShift,
    ShiftTemplate,
    Staff,
)

ContactRow = tuple[str, datetime, int, int, int, int, bool]


def contact_rows(session: Session, start: datetime, end: datetime) -> list[ContactRow]:
    """(channel, started_at, queue wait, talk, hold, after-contact work, abandoned) of contacts started in
    [start, end): the ACD facts an interval report is made of."""
    c = CONTACTS.c
    stmt = (select(c.channel, c.started_at, c.queue_wait_s, c.talk_s, c.hold_s, c.acw_s, c.abandoned)
            .where(c.started_at >= start, c.started_at < end))
    return [(r[0], r[1], r[2] or 0, r[3] or 0, r[4] or 0, r[5] or 0, bool(r[6])) for r in session.execute(stmt)]


def actuals(session: Session, channels: Sequence[str], start: datetime, end: datetime) -> list[IntervalActual]:
    return list(session.scalars(select(IntervalActual).where(
        IntervalActual.channel.in_(channels), IntervalActual.interval_start >= start,
        IntervalActual.interval_start < end).order_by(IntervalActual.channel, IntervalActual.interval_start)))


def delete_actuals(session: Session, channels: Sequence[str], start: datetime, end: datetime) -> None:
    session.execute(delete(IntervalActual).where(
        IntervalActual.channel.in_(channels), IntervalActual.interval_start >= start,
        IntervalActual.interval_start < end))


def actual_channels(session: Session) -> list[str]:
    return list(session.scalars(select(IntervalActual.channel).distinct().order_by(IntervalActual.channel)))


def forecast(session: Session, forecast_id: int) -> Forecast | None:
    return session.get(Forecast, forecast_id)


def forecasts(session: Session, limit: int = 50) -> list[Forecast]:
    return list(session.scalars(select(Forecast).order_by(Forecast.id.desc()).limit(limit)))


def latest_forecast_for(session: Session, day: date) -> Forecast | None:
    """The newest forecast whose horizon contains `day` (the plan of record for that day)."""
    for f in session.scalars(select(Forecast).where(Forecast.start_date <= day).order_by(Forecast.id.desc())):
        if (day - f.start_date).days < f.days:
            return f
    return None


def points(session: Session, forecast_id: int, channel: str, start: datetime | None = None,
           end: datetime | None = None) -> list[ForecastPoint]:
    stmt = select(ForecastPoint).where(ForecastPoint.forecast_id == forecast_id, ForecastPoint.channel == channel)
    if start is not None:
        stmt = stmt.where(ForecastPoint.interval_start >= start)
    if end is not None:
        stmt = stmt.where(ForecastPoint.interval_start < end)
    return list(session.scalars(stmt.order_by(ForecastPoint.interval_start)))


def rule(session: Session, channel: str) -> QueueRule | None:
    return session.get(QueueRule, channel)


def rules(session: Session) -> list[QueueRule]:
    return list(session.scalars(select(QueueRule).order_by(QueueRule.channel)))


def templates(session: Session) -> list[ShiftTemplate]:
    return list(session.scalars(select(ShiftTemplate).order_by(ShiftTemplate.id)))


def template_named(session: Session, name: str) -> ShiftTemplate | None:
    return session.scalar(select(ShiftTemplate).where(ShiftTemplate.name == name))


def staff(session: Session, active_only: bool = True) -> list[Staff]:
    stmt = select(Staff).order_by(Staff.id)
    if active_only:
        stmt = stmt.where(Staff.active.is_(True))
    return list(session.scalars(stmt))


def roster(session: Session, roster_id: int) -> Roster | None:
    return session.get(Roster, roster_id)


def rosters(session: Session, limit: int = 50) -> list[Roster]:
    return list(session.scalars(select(Roster).order_by(Roster.id.desc()).limit(limit)))


def latest_roster_for(session: Session, day: date) -> Roster | None:
    for r in session.scalars(select(Roster).where(Roster.start_date <= day).order_by(Roster.id.desc())):
        if (day - r.start_date).days < r.days:
            return r
    return None


def shifts(session: Session, roster_id: int, day: date | None = None) -> list[RosterShift]:
    stmt = select(RosterShift).where(RosterShift.roster_id == roster_id)
    if day is not None:
        stmt = stmt.where(RosterShift.day == day)
    return list(session.scalars(stmt.order_by(RosterShift.day, RosterShift.start_min, RosterShift.id)))


def engineers_by_province(session: Session, provinces: Sequence[str]) -> dict[str, int]:
    """Active field engineers per province (an engineer with no region scope covers every province)."""
    out = dict.fromkeys(provinces, 0)
    for scope in session.scalars(select(User.region_scope).where(User.role == "engineer", User.is_active.is_(True))):
        for p in provinces:
            if scope is None or p in scope:
                out[p] += 1
    return out


def engineers(session: Session) -> list[tuple[int, str, list[str] | None]]:
    """Active field engineers: (user id, display name, region scope; None covers every province)."""
    rows = session.execute(select(User.id, User.display_name, User.region_scope)
                           .where(User.role == "engineer", User.is_active.is_(True)).order_by(User.id))
    return [(int(r[0]), str(r[1]), r[2]) for r in rows]


def user_names(session: Session, ids: Sequence[int]) -> dict[int, str]:
    if not ids:
        return {}
    return {int(i): str(n) for i, n in session.execute(select(User.id, User.display_name)
                                                       .where(User.id.in_(list(ids))))}


def engineer_roster(session: Session, roster_id: int) -> EngineerRoster | None:
    return session.get(EngineerRoster, roster_id)


def engineer_rosters(session: Session, limit: int = 20) -> list[EngineerRoster]:
    return list(session.scalars(select(EngineerRoster).order_by(EngineerRoster.id.desc()).limit(limit)))


def duties(session: Session, roster_id: int) -> list[EngineerDuty]:
    return list(session.scalars(select(EngineerDuty).where(EngineerDuty.roster_id == roster_id)
                                .order_by(EngineerDuty.day, EngineerDuty.province_code, EngineerDuty.kind,
                                          EngineerDuty.engineer_id)))
