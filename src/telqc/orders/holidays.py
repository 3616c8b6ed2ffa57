"""Mainland China's public holidays and make-up working days, and the business calendar built from them.

The dates are data (``data/cn_holidays.yaml``): each year the State Council publishes its holiday
notice under the 全国年节及纪念日放假办法 (2024 revision), and updating TelQC means editing that
file, not the code. It is read once, at import, so a malformed entry stops the process at start
instead of computing an SLA on a wrong calendar.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

import yaml

from telqc.orders.calendar import BusinessCalendar, Interval, standard_weekly

DATA_FILE = Path(__file__).parent / "data" / "cn_holidays.yaml"


@dataclass(frozen=True, slots=True)
class HolidayYear:
    """One year of mainland China holidays and make-up working days (调休上班)."""

    year: int
    source: str
    provisional: bool
    festivals: tuple[tuple[str, date, date], ...]  # (name, first day off, last day off)
    makeup_days: tuple[date, ...]

    def __post_init__(self) -> None:
        days = [*self.makeup_days, *(d for _, first, last in self.festivals for d in (first, last))]
        if any(type(d) is not date for d in days) or any(first > last for _, first, last in self.festivals):
            raise ValueError(f"holidays {self.year}: days must be dates (YYYY-MM-DD), a festival's first before last")

    @property
    def holidays(self) -> frozenset[date]:
        return frozenset(
            first + timedelta(days=i) for _, first, last in self.festivals for i in range((last - first).days + 1)
        )


def load(path: Path = DATA_FILE) -> dict[int, HolidayYear]:
    """Every year of the data file (see its header for the fields)."""
    return {year: HolidayYear(year, str(e["source"]), bool(e["provisional"]),
                              tuple((str(name), first, last) for name, first, last in e["festivals"]),
                              tuple(e["makeup_days"]))
            for year, e in yaml.safe_load(path.read_text(encoding="utf-8")).items()}


CN_HOLIDAYS: dict[int, HolidayYear] = load()


def china_calendar(
    weekly: tuple[tuple[Interval, ...], ...] | None = None,
    tz_name: str = "Asia/Shanghai",
    years: Iterable[int] = tuple(CN_HOLIDAYS),
    include_provisional: bool = True,
    name: str = "CN business days",
) -> BusinessCalendar:
    """Mainland business calendar: Mon–Fri timetable plus the holiday notices as data.

    Raises KeyError for a year without data, so an SLA is never silently computed
    on a calendar that forgot Spring Festival.
    """
    holidays: set[date] = set()
    makeup: set[date] = set()
    for y in years:
        hy = CN_HOLIDAYS[y]
        if hy.provisional and not include_provisional:
            continue
        holidays |= hy.holidays
        makeup |= set(hy.makeup_days)
    return BusinessCalendar(tz_name, weekly or standard_weekly(), frozenset(holidays), frozenset(makeup), name=name)
