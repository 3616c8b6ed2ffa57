"""What other domains may read of workforce without the service: which field engineers are on duty in a
province at a moment (the engineers' roster in force), for repair dispatch (`orders.routing.pick_engineer`)."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from telqc.workforce.field_roster import HOURS
from telqc.workforce.models import EngineerDuty, EngineerRoster


def _in_force(session: Session, day: datetime) -> int | None:
    """The newest engineers' roster whose days contain the local `day` (its id)."""
    d = day.date()
    for rid, start, days in session.execute(select(EngineerRoster.id, EngineerRoster.start_date, EngineerRoster.days)
                                            .where(EngineerRoster.start_date <= d)
                                            .order_by(EngineerRoster.id.desc())):
        if (d - start).days < days:
            return int(rid)
    return None


def engineers_on_duty(session: Session, province_code: str, at: datetime, tz: ZoneInfo) -> frozenset[int] | None:
    """Engineers on duty (or on call) in the province at `at`, from the roster in force that local day (before
    08:00, also the night on call of the day before). None when no roster covers the moment: dispatch then
    routes as it did before rosters."""
    local = at.astimezone(tz)
    minute = local.hour * 60 + local.minute
    today = _in_force(session, local)
    yesterday = _in_force(session, local - timedelta(days=1)) if minute < HOURS["night"][1] - 1440 else None
    if today is None and yesterday is None:
        return None
    out: set[int] = set()
    for rid, day, extra in ((today, local.date(), 0), (yesterday, local.date() - timedelta(days=1), 1440)):
        if rid is None:
            continue
        rows = session.execute(select(EngineerDuty.engineer_id, EngineerDuty.kind).where(
            EngineerDuty.roster_id == rid, EngineerDuty.day == day, EngineerDuty.province_code == province_code))
        for uid, kind in rows:
            a, b = HOURS[kind]
            if a <= minute + extra < b:
                out.add(int(uid))
    return frozenset(out)
