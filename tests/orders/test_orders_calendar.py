"""Business calendar: examples from the 2026 holiday notice, DST, and properties."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from orders.orders_strategies import calendars, durations, instants, wall_clock_is_working
from telqc.orders.calendar import BusinessCalendar, parse_intervals, standard_weekly
from telqc.orders.holidays import CN_HOLIDAYS, china_calendar, load

SH = ZoneInfo("Asia/Shanghai")
BER = ZoneInfo("Europe/Berlin")
H = timedelta(hours=1)
CN = china_calendar()


def sh(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=SH)


def ber(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=BER)


def test_parse_intervals() -> None:
    assert parse_intervals("13:30-18:00, 09:00-12:00") == ((32400, 43200), (48600, 64800))
    assert parse_intervals("00:00-24:00") == ((0, 86400),)
    assert parse_intervals("09:00-12:00,11:00-13:00") == ((32400, 46800),)
    for bad in ("9-12", "18:00-09:00", "09:00-24:30", "25:00-26:00"):
        with pytest.raises(ValueError):
            parse_intervals(bad)


def test_lunch_break_and_weekend() -> None:
    # Friday 11:00: 1h before lunch, 4.5h afternoon, then Monday.
    assert CN.add(sh(2026, 3, 6, 11), 5.5 * H) == sh(2026, 3, 6, 18)
    assert CN.add(sh(2026, 3, 6, 11), 6 * H) == sh(2026, 3, 9, 9, 30)
    assert CN.add(sh(2026, 3, 6, 17), 40 * H) == sh(2026, 3, 16, 10, 30)
    assert CN.duration(sh(2026, 3, 6, 12, 15), sh(2026, 3, 6, 13, 45)) == timedelta(minutes=15)
    assert not CN.is_working(sh(2026, 3, 6, 12, 30))
    assert CN.next_working_instant(sh(2026, 3, 6, 12, 30)) == sh(2026, 3, 6, 13, 30)
    assert CN.next_working_instant(sh(2026, 3, 6, 10)) == sh(2026, 3, 6, 10)


def test_spring_festival_2026_with_makeup_saturday() -> None:
    # Sat 2026-02-14 is a make-up working day, 02-15 … 02-23 are off.
    assert CN.is_working(sh(2026, 2, 14, 10))
    assert not CN.is_working(sh(2026, 2, 16, 10))
    assert CN.add(sh(2026, 2, 13, 17), 2 * H) == sh(2026, 2, 14, 10)
    assert CN.add(sh(2026, 2, 14, 17), 2 * H) == sh(2026, 2, 24, 10)
    assert CN.next_working_instant(sh(2026, 2, 15, 9)) == sh(2026, 2, 24, 9)
    assert CN.duration(sh(2026, 2, 14, 18), sh(2026, 2, 24, 9)) == timedelta(0)


def test_holiday_data_is_consistent() -> None:
    assert not CN_HOLIDAYS[2026].provisional and CN_HOLIDAYS[2027].provisional
    for hy in CN_HOLIDAYS.values():
        assert all(d.weekday() >= 5 for d in hy.makeup_days), "make-up days are weekend days"
        assert not hy.holidays & set(hy.makeup_days)
        assert {n for n, _, _ in hy.festivals} == {"元旦", "春节", "清明节", "劳动节", "端午节", "中秋节", "国庆节"}
    assert len(CN_HOLIDAYS[2026].holidays) == 3 + 9 + 3 + 5 + 3 + 3 + 7
    official = china_calendar(include_provisional=False)
    assert official.is_working(sh(2027, 2, 8, 10)) and not CN.is_working(sh(2027, 2, 8, 10))
    with pytest.raises(KeyError):
        china_calendar(years=[2030])


def test_holiday_data_file_refuses_what_is_not_a_date(tmp_path: Path) -> None:
    bad = tmp_path / "cn_holidays.yaml"
    bad.write_text("2028:\n  source: x\n  provisional: true\n  festivals: [[春节, 2028-01-28, 2028-1-31]]\n"
                   "  makeup_days: []\n", encoding="utf-8")
    with pytest.raises(ValueError, match="holidays 2028: days must be dates"):
        load(bad)
    assert load() == CN_HOLIDAYS


def test_always_open_counts_real_time_across_dst() -> None:
    cal = BusinessCalendar.always_open("Europe/Berlin")
    assert cal.add(ber(2026, 3, 28, 12), 24 * H) == ber(2026, 3, 29, 13)  # 23-hour day
    assert cal.add(ber(2026, 10, 24, 12), 24 * H) == ber(2026, 10, 25, 11)  # 25-hour day
    assert cal.duration(ber(2026, 3, 29, 0), ber(2026, 3, 30, 0)) == 23 * H
    assert cal.duration(ber(2026, 10, 25, 0), ber(2026, 10, 26, 0)) == 25 * H


def test_business_hours_across_dst() -> None:
    # Night shift 01:00-04:00 on Sundays: the gap removes an hour, the fold repeats one.
    cal = BusinessCalendar.from_spec("Europe/Berlin", {6: "01:00-04:00"})
    assert cal.duration(ber(2026, 3, 29), ber(2026, 3, 30)) == 2 * H
    assert cal.duration(ber(2026, 10, 25), ber(2026, 10, 26)) == 4 * H
    assert cal.is_working(datetime(2026, 3, 29, 0, 59, 59, tzinfo=UTC))  # 01:59:59 CET, then 03:00 CEST
    assert cal.add(ber(2026, 3, 29, 1), H) == ber(2026, 3, 29, 3)
    assert cal.is_working(datetime(2026, 10, 25, 0, 30, tzinfo=UTC))  # 02:30 CEST
    assert cal.is_working(datetime(2026, 10, 25, 1, 30, tzinfo=UTC))  # 02:30 CET, the same wall time again
    assert cal.add(ber(2026, 3, 29, 1), 2 * H) == ber(2026, 3, 29, 4)
    # Normal office hours keep 9 real hours on both change days.
    office = BusinessCalendar("Europe/Berlin", (parse_intervals("09:00-18:00"),) * 7)
    assert office.duration(ber(2026, 3, 29), ber(2026, 3, 30)) == 9 * H
    assert office.add(ber(2026, 3, 28, 17), 2 * H) == ber(2026, 3, 29, 10)


def test_naive_datetimes_are_refused() -> None:
    with pytest.raises(ValueError, match="naive"):
        CN.add(datetime(2026, 1, 5, 9), H)


def test_calendar_without_working_time_fails_clearly() -> None:
    cal = BusinessCalendar("UTC", ((),) * 7)
    with pytest.raises(ValueError, match="no working time"):
        cal.add(datetime(2026, 1, 1, tzinfo=UTC), H)
    with pytest.raises(ValueError):
        BusinessCalendar("UTC", standard_weekly(), frozenset({date(2026, 1, 1)}), frozenset({date(2026, 1, 1)}))


def test_far_range_extends_lazily() -> None:
    start = sh(2026, 3, 2, 9)
    assert CN.duration(start, CN.add(start, 7.5 * H * 1000)) == 7.5 * H * 1000


# ----- properties ---------------------------------------------------------------

PROPS = settings(max_examples=200, deadline=None)


@PROPS
@given(calendars(), instants())
def test_is_working_matches_the_wall_clock(cal: BusinessCalendar, t: datetime) -> None:
    assert cal.is_working(t) == wall_clock_is_working(cal, t)


@PROPS
@given(calendars(), instants(), durations())
def test_add_then_duration_round_trips(cal: BusinessCalendar, start: datetime, d: timedelta) -> None:
    deadline = cal.add(start, d)
    assert deadline > start
    assert cal.duration(start, deadline) == d
    # Never in non-working time: the deadline ends a stretch of working time.
    assert wall_clock_is_working(cal, deadline - timedelta(microseconds=1))


@PROPS
@given(calendars(), instants(), durations(), durations())
def test_add_is_monotonic(cal: BusinessCalendar, start: datetime, d1: timedelta, d2: timedelta) -> None:
    lo, hi = sorted((d1, d2))
    assert cal.add(start, lo) <= cal.add(start, hi)
    later = start + (hi - lo)
    assert cal.add(start, lo) <= cal.add(later, lo)
    assert cal.add(cal.add(start, lo), hi - lo) == cal.add(start, hi) or hi == lo


@PROPS
@given(calendars(), instants(), instants(), instants())
def test_duration_is_additive(cal: BusinessCalendar, a: datetime, b: datetime, c: datetime) -> None:
    a, b, c = sorted((a, b, c))
    assert cal.duration(a, b) + cal.duration(b, c) == cal.duration(a, c)
    assert timedelta(0) <= cal.duration(a, b) <= b - a
    assert cal.duration(b, a) == -cal.duration(a, b)


@PROPS
@given(calendars(), instants())
def test_next_working_instant(cal: BusinessCalendar, t: datetime) -> None:
    n = cal.next_working_instant(t)
    assert n >= t and cal.is_working(n)
    assert cal.duration(t, n) == timedelta(0)


@settings(max_examples=40, deadline=None)
@given(calendars(zones=("Europe/Berlin", "America/New_York", "Asia/Shanghai")), st.integers(0, 600))
def test_matches_minute_stepping_reference(cal: BusinessCalendar, minutes: int) -> None:
    """Minute-aligned timetables and instants: counting working minutes one by one gives the same deadline."""
    start = datetime(2026, 3, 27, 22, 0, tzinfo=UTC)
    t, left = start, minutes
    while left:
        if wall_clock_is_working(cal, t):
            left -= 1
        t += timedelta(minutes=1)
    if minutes:
        assert cal.add(start, timedelta(minutes=minutes)) == t
