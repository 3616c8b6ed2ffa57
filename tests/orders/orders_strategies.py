"""Shared Hypothesis strategies for the work-order engines."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from hypothesis import strategies as st

from telqc.orders.calendar import DAY_SECONDS, BusinessCalendar, Interval

# Zones with DST (incl. a 30-minute shift and a midnight transition) and without.
ZONES = (
    "Asia/Shanghai",
    "Europe/Berlin",
    "America/New_York",
    "Australia/Lord_Howe",
    "America/Santiago",
    "Asia/Kathmandu",
    "UTC",
)

LO = datetime(2026, 1, 1, tzinfo=UTC)
HI = datetime(2027, 12, 31, tzinfo=UTC)


def wall_clock_is_working(cal: BusinessCalendar, at: datetime) -> bool:
    """Independent oracle: read the local wall clock and look the time up in the day's timetable."""
    w = at.astimezone(ZoneInfo(cal.tz_name))
    secs = w.hour * 3600 + w.minute * 60 + w.second + w.microsecond / 1e6
    return any(s <= secs < e for s, e in cal.intervals_on(w.date()))


@st.composite
def day_intervals(draw: st.DrawFn) -> tuple[Interval, ...]:
    n = draw(st.integers(0, 3))
    cuts = sorted(draw(st.lists(st.integers(0, DAY_SECONDS // 60), min_size=2 * n, max_size=2 * n, unique=True)))
    return tuple((cuts[2 * i] * 60, cuts[2 * i + 1] * 60) for i in range(n))


@st.composite
def calendars(draw: st.DrawFn, zones: tuple[str, ...] = ZONES) -> BusinessCalendar:
    weekly = list(draw(st.lists(day_intervals(), min_size=7, max_size=7)))
    if not any(weekly):
        weekly[0] = ((9 * 3600, 18 * 3600),)
    days = st.dates(date(2025, 12, 1), date(2028, 1, 31))
    holidays = draw(st.frozensets(days, max_size=40))
    makeup = draw(st.frozensets(days, max_size=10)) - holidays
    return BusinessCalendar(
        draw(st.sampled_from(zones)),
        tuple(weekly),
        holidays,
        makeup,
        makeup_weekday=draw(st.integers(0, 6)),
    )


def instants() -> st.SearchStrategy[datetime]:
    return st.datetimes(min_value=LO.replace(tzinfo=None), max_value=HI.replace(tzinfo=None)).map(
        lambda d: d.replace(tzinfo=UTC)
    )


def durations(max_hours: int = 400) -> st.SearchStrategy[timedelta]:
    return st.integers(1, max_hours * 3600 * 1_000_000).map(lambda us: timedelta(microseconds=us))
