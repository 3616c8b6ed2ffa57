"""What other domains may read of incidents without the service: the planned-work windows (割接), which workforce
forecasting takes as known events (customers call about a cutover before and while it runs)."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from telqc.incidents.models import PlannedWork


def planned_work_days(session: Session, start: date, end: date, tz: ZoneInfo) -> dict[date, int]:
    """Local days in [start, end] with a planned work running (not cancelled), and how many run that day."""
    lo = datetime(start.year, start.month, start.day, tzinfo=tz)
    hi = datetime(end.year, end.month, end.day, tzinfo=tz) + timedelta(days=1)
    out: dict[date, int] = {}
    rows = session.execute(select(PlannedWork.start_at, PlannedWork.end_at).where(
        PlannedWork.status != "cancelled", PlannedWork.end_at > lo, PlannedWork.start_at < hi))
    for s, e in rows:
        day, last = max(s.astimezone(tz).date(), start), min((e - timedelta(microseconds=1)).astimezone(tz).date(), end)
        while day <= last:
            out[day] = out.get(day, 0) + 1
            day += timedelta(days=1)
    return out
