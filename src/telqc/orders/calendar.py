"""Business calendars: which instants count towards a service time limit.

Service standards state limits in business time ("resolve within 3 working
days", "first response within 2 working hours") or in elapsed time for 7×24
services (fault repair, hotline).  DESIGN.md makes this a non-negotiable:
time limits use business calendars and time zones correctly.

Semantics: an instant is working time iff its *local wall-clock* time in the
calendar's zone falls inside one of the working intervals of its local date.
So a 09:00–18:00 day is 9 real hours, a 7×24 day is 23 or 25 hours on DST
change days, wall times inside a DST gap do not exist (and do not count), and
wall times repeated by a fall-back count twice because they happen twice.

Speed: the calendar is compiled lazily into sorted UTC intervals with running
totals, so every operation is a binary search (no minute stepping).

Pure: plain data in and out, no I/O. China's holiday notices, the data most
calendars are built from, are in holidays.py.
"""

from __future__ import annotations

import threading
from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import NoReturn
from zoneinfo import ZoneInfo

__all__ = [
    "DAY_SECONDS",
    "BusinessCalendar",
    "Interval",
    "from_us",
    "parse_intervals",
    "standard_weekly",
    "to_us",
]

DAY_SECONDS = 86_400
_US = 1_000_000
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_ONE_US = timedelta(microseconds=1)
_MARGIN_DAYS = 2  # instants this close to the compiled edge may belong to an uncompiled day
_COMPILE_LOCK = threading.Lock()  # module-level so calendars stay picklable and deep-copyable
_MAX_SCAN_YEARS = 50  # a calendar with no working time in 50 years is a configuration error

Interval = tuple[int, int]
"""Working interval of a local day, in seconds after local midnight: [start, end), end ≤ 86400."""


def parse_intervals(spec: str) -> tuple[Interval, ...]:
    """Parse "09:00-12:00,13:30-18:00" (24:00 allowed as an end) into sorted intervals."""
    out: list[Interval] = []
    for part in filter(None, (p.strip() for p in spec.split(","))):
        try:
            a, b = (s.strip() for s in part.split("-"))
            out.append((_hhmm(a), _hhmm(b)))
        except ValueError as exc:
            raise ValueError(f"bad working interval {part!r}: expected HH:MM-HH:MM") from exc
    return _normalise(out)


def _hhmm(s: str) -> int:
    hh, mm = s.split(":")
    h, m = int(hh), int(mm)
    if not (0 <= h <= 24 and 0 <= m < 60) or (h == 24 and m):
        raise ValueError(s)
    return h * 3600 + m * 60


def _normalise(intervals: Iterable[Interval]) -> tuple[Interval, ...]:
    """Sort and merge; reject empty or out-of-day intervals so a typo cannot silently shorten a day."""
    merged: list[list[int]] = []
    for s, e in sorted(intervals):
        if not 0 <= s < e <= DAY_SECONDS:
            raise ValueError(f"working interval {(s, e)} must satisfy 0 <= start < end <= 86400")
        if merged and s <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], e)
        else:
            merged.append([s, e])
    return tuple((s, e) for s, e in merged)


def to_us(dt: datetime) -> int:
    """Aware datetime → integer microseconds since the epoch (exact, so round trips are exact)."""
    if dt.tzinfo is None or dt.utcoffset() is None:
        raise ValueError(f"naive datetime {dt!r}: TelQC uses timezone-aware datetimes only")
    td = dt - _EPOCH
    return (td.days * DAY_SECONDS + td.seconds) * _US + td.microseconds


def from_us(us: int, tz: ZoneInfo) -> datetime:
    secs, micro = divmod(us, _US)
    dt = datetime.fromtimestamp(secs, tz)
    return dt.replace(microsecond=micro) if micro else dt


@dataclass(slots=True)
class _Index:
    """Compiled form: merged UTC intervals (µs) and the working time before each one."""

    first: date
    last: date  # inclusive
    starts: list[int]
    ends: list[int]
    cum: list[int]  # working µs before starts[i]
    cum_end: list[int]  # working µs up to ends[i]
    lo_us: int  # instants in [lo_us, hi_us) are fully described by this index
    hi_us: int
    cum_hi: int  # working µs before hi_us


@dataclass(frozen=True, slots=True)
class BusinessCalendar:
    """Time zone + weekly timetable + holidays + make-up working days (调休).

    `weekly[0]` is Monday.  A holiday has no working time whatever its weekday;
    a make-up day (e.g. a Saturday worked in exchange for a Spring Festival
    bridge day, per the State Council holiday notice) works the timetable of
    `makeup_weekday` (Monday by default).
    """

    tz_name: str
    weekly: tuple[tuple[Interval, ...], ...]
    holidays: frozenset[date] = frozenset()
    makeup_days: frozenset[date] = frozenset()
    makeup_weekday: int = 0
    name: str = ""
    _cache: dict[str, _Index] = field(default_factory=dict, init=False, repr=False, compare=False, hash=False)
    _tz: ZoneInfo = field(init=False, repr=False, compare=False, hash=False)

    def __post_init__(self) -> None:
        if len(self.weekly) != 7:
            raise ValueError("weekly timetable needs exactly 7 days (Monday first)")
        object.__setattr__(self, "weekly", tuple(_normalise(day) for day in self.weekly))
        object.__setattr__(self, "holidays", frozenset(self.holidays))
        object.__setattr__(self, "makeup_days", frozenset(self.makeup_days))
        clash = self.holidays & self.makeup_days
        if clash:
            raise ValueError(f"dates both holiday and make-up working day: {sorted(clash)}")
        if not 0 <= self.makeup_weekday <= 6:
            raise ValueError("makeup_weekday must be 0 (Monday) … 6 (Sunday)")
        object.__setattr__(self, "_tz", ZoneInfo(self.tz_name))  # fails fast on an unknown zone

    # ----- constructors -------------------------------------------------
    @classmethod
    def always_open(cls, tz_name: str = "Asia/Shanghai", name: str = "7x24") -> BusinessCalendar:
        """7×24: every instant counts (hotline, network fault repair)."""
        return cls(tz_name, (((0, DAY_SECONDS),),) * 7, name=name)

    @classmethod
    def from_spec(
        cls,
        tz_name: str,
        weekly: Mapping[int, str],
        holidays: Iterable[date] = (),
        makeup_days: Iterable[date] = (),
        name: str = "",
    ) -> BusinessCalendar:
        """Build from {weekday: "09:00-12:00,13:30-18:00"}; weekdays not given are days off."""
        days = tuple(parse_intervals(weekly.get(i, "")) for i in range(7))
        return cls(tz_name, days, frozenset(holidays), frozenset(makeup_days), name=name)

    @property
    def tz(self) -> ZoneInfo:
        return self._tz

    @property
    def is_always_open(self) -> bool:
        return all(day == ((0, DAY_SECONDS),) for day in self.weekly) and not self.holidays

    def intervals_on(self, day: date) -> tuple[Interval, ...]:
        """Local working intervals of one date after holidays and make-up days."""
        if day in self.holidays:
            return ()
        if day in self.makeup_days:
            return self.weekly[self.makeup_weekday]
        return self.weekly[day.weekday()]

    # ----- public operations (aware datetimes in, aware datetimes out) ----
    def is_working(self, at: datetime) -> bool:
        t = to_us(at)
        idx = self._index_for(t, t)
        i = bisect_right(idx.starts, t) - 1
        return i >= 0 and t < idx.ends[i]

    def next_working_instant(self, at: datetime) -> datetime:
        """`at` itself if it is working time, else the start of the next working interval."""
        return from_us(self._next_working_us(to_us(at)), self._tz)

    def add(self, start: datetime, duration: timedelta) -> datetime:
        """Deadline: the instant at which `duration` of working time has elapsed since `start`.

        For a positive duration the result is inside a working interval or at
        its closing edge (a 9-hour budget from 09:00 ends "by 18:00"), never in
        the gap before the next interval.
        """
        return from_us(self.add_us(to_us(start), duration // _ONE_US), self._tz)

    def duration(self, start: datetime, end: datetime) -> timedelta:
        """Working time in [start, end); negative if end is before start."""
        return timedelta(microseconds=self.duration_us(to_us(start), to_us(end)))

    # ----- integer-microsecond core (used by the SLA clock and bulk sweeps) ----
    def duration_us(self, a: int, b: int) -> int:
        idx = self._index_for(min(a, b), max(a, b))
        return self._cum_in(idx, b) - self._cum_in(idx, a)

    def add_us(self, start: int, duration: int) -> int:
        if duration < 0:
            raise ValueError("business duration must not be negative")
        if duration == 0:
            return start
        idx = self._index_for(start, start)
        target = self._cum_in(idx, start) + duration
        extensions = 0
        while target > idx.cum_hi:
            idx = self._extend_forward(idx)  # same origin, so `target` stays valid
            extensions += 1
            if extensions > _MAX_SCAN_YEARS // 2:
                self._no_working_time()
        j = bisect_left(idx.cum_end, target)
        return idx.ends[j] - (idx.cum_end[j] - target)

    def _next_working_us(self, t: int) -> int:
        idx = self._index_for(t, t)
        for _ in range(_MAX_SCAN_YEARS // 2):
            i = bisect_right(idx.starts, t) - 1
            if i >= 0 and t < idx.ends[i]:
                return t
            if i + 1 < len(idx.starts) and idx.starts[i + 1] < idx.hi_us:
                return idx.starts[i + 1]
            idx = self._extend_forward(idx)
        self._no_working_time()

    @staticmethod
    def _cum_in(idx: _Index, t: int) -> int:
        i = bisect_right(idx.starts, t) - 1
        if i < 0:
            return 0
        return idx.cum[i] + min(t, idx.ends[i]) - idx.starts[i]

    # ----- compilation ---------------------------------------------------
    def _index_for(self, a: int, b: int) -> _Index:
        idx = self._cache.get("idx")
        if idx is not None and idx.lo_us <= a and b < idx.hi_us:
            return idx
        first, last = _local_date_range(a, b)
        if idx is not None:
            first, last = min(first, idx.first), max(last, idx.last)
        return self._compile(date(first.year, 1, 1), date(last.year, 12, 31))

    def _no_working_time(self) -> NoReturn:
        raise ValueError(f"calendar {self.name or self.tz_name!r} has no working time in {_MAX_SCAN_YEARS} years")

    def _extend_forward(self, idx: _Index) -> _Index:
        return self._compile(idx.first, date(idx.last.year + 2, 12, 31))

    def _compile(self, first: date, last: date) -> _Index:
        # Compile a little beyond the requested dates so that every instant in
        # [lo_us, hi_us) has all local dates it may belong to compiled.
        with _COMPILE_LOCK:
            current = self._cache.get("idx")
            if current is not None and current.first <= first and current.last >= last:
                return current
            tz = self._tz
            pieces: list[Interval] = []
            day = first - timedelta(days=_MARGIN_DAYS)
            stop = last + timedelta(days=_MARGIN_DAYS)
            while day <= stop:
                if ivs := self.intervals_on(day):
                    pieces.extend(_day_pieces(tz, day, ivs))
                day += timedelta(days=1)
            pieces.sort()
            starts: list[int] = []
            ends: list[int] = []
            for s, e in pieces:
                if starts and s <= ends[-1]:
                    ends[-1] = max(ends[-1], e)
                else:
                    starts.append(s)
                    ends.append(e)
            cum: list[int] = []
            cum_end: list[int] = []
            total = 0
            for s, e in zip(starts, ends, strict=True):
                cum.append(total)
                total += e - s
                cum_end.append(total)
            lo = (_day_number(first) * DAY_SECONDS + DAY_SECONDS) * _US
            hi = (_day_number(last) * DAY_SECONDS) * _US
            idx = _Index(first, last, starts, ends, cum, cum_end, lo, hi, 0)
            idx.cum_hi = self._cum_in(idx, hi - 1)
            self._cache["idx"] = idx
            return idx


def _day_number(d: date) -> int:
    return (d - date(1970, 1, 1)).days


def _local_date_range(a: int, b: int) -> tuple[date, date]:
    """Dates covering instants a..b in any zone (UTC offsets lie within ±1 day)."""
    base = date(1970, 1, 1)
    return (
        base + timedelta(days=a // (DAY_SECONDS * _US) - 1),
        base + timedelta(days=b // (DAY_SECONDS * _US) + 1),
    )


def _offset_s(tz: ZoneInfo, t: int) -> int:
    off = datetime.fromtimestamp(t, tz).utcoffset()
    assert off is not None
    return int(off.total_seconds())


def _day_pieces(tz: ZoneInfo, day: date, intervals: tuple[Interval, ...]) -> list[Interval]:
    """UTC µs intervals of the instants whose local wall time is in `intervals` on `day`.

    Handles one offset transition per day exactly (DST gap and fold); zones
    do not change offset twice within a day.
    """
    wall0 = _day_number(day) * DAY_SECONDS  # local midnight read as if UTC
    lo_t, hi_t = wall0 - 16 * 3600, wall0 + DAY_SECONDS + 16 * 3600
    o_lo, o_hi = _offset_s(tz, lo_t), _offset_s(tz, hi_t)
    out: list[Interval] = []
    if o_lo == o_hi:
        for s, e in intervals:
            out.append(((wall0 + s - o_lo) * _US, (wall0 + e - o_lo) * _US))
        return out
    while hi_t - lo_t > 1:  # find the transition instant T: offset o_hi from T on
        mid = (lo_t + hi_t) // 2
        if _offset_s(tz, mid) == o_lo:
            lo_t = mid
        else:
            hi_t = mid
    transition = hi_t
    for s, e in intervals:
        for off, keep_lo, keep_hi in ((o_lo, None, transition), (o_hi, transition, None)):
            a, b = wall0 + s - off, wall0 + e - off
            if keep_lo is not None:
                a = max(a, keep_lo)
            if keep_hi is not None:
                b = min(b, keep_hi)
            if a < b:
                out.append((a * _US, b * _US))
    return out


def standard_weekly(spec: str = "09:00-12:00,13:30-18:00") -> tuple[tuple[Interval, ...], ...]:
    """Monday–Friday timetable, weekends off: the default back-office day."""
    day = parse_intervals(spec)
    return (day,) * 5 + ((), ())
