"""Field engineers per area (issue 21 item 5; 客户服务质量分析 四.二.1): repair visits forecast per city and
area type, and the engineers on duty the repair time limits need. Pure: counts and dates in, numbers out.

Forecast. A city sees a handful of repair orders a day, too few for the interval model of contacts: each
future day is the mean of the same weekday over the last four weeks, scaled by the ratio of the last 28 days'
level to those weekdays' level (so a rising area stays rising), Chinese holidays counted like Sundays.
Seasonal naive (the same weekday one week earlier) is its benchmark.

Staffing. Repair orders arrive over the engineers' working day (``WORK_HOURS``); a visit occupies an engineer
for its job time (travel, diagnosis, repair: ``VISIT_MIN`` by area type). The first-response limit of the SLA
configuration (2 h urban, 4 h rural, as published) is the answer time of an Erlang C queue whose servers are
the engineers: the engineers needed are the fewest with at least ``TARGET`` of orders reached within the
limit, at most ``MAX_OCCUPANCY`` busy, then shrinkage (leave, training, the office) on top — the same exact
engine as the agents' requirement.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from fractions import Fraction

from telqc.workforce import erlang

WORK_HOURS = 12          # visits are booked 08:00–20:00
VISIT_MIN = {"urban": 90, "rural": 150}
TARGET = 0.9             # of repair orders reached within the first-response limit
MAX_OCCUPANCY = Fraction(85, 100)
SHRINKAGE = Fraction(20, 100)


def forecast_days(history: Mapping[date, int], last_day: date, horizon: Sequence[date],
                  holidays: frozenset[date] = frozenset()) -> list[float]:
    """Expected repair orders of each horizon day from the 28 days up to `last_day` (missing days count 0)."""
    days = [last_day - timedelta(days=i) for i in range(27, -1, -1)]

    def weekday(d: date) -> int:
        return 6 if d in holidays else d.weekday()

    counts = {d: float(history.get(d, 0)) for d in days}
    by_weekday: dict[int, list[float]] = {}
    for d in days:
        by_weekday.setdefault(weekday(d), []).append(counts[d])
    overall = sum(counts.values()) / len(days)
    profile = {k: sum(v) / len(v) for k, v in by_weekday.items()}
    mean_profile = sum(profile.values()) / len(profile) if profile else 0.0
    out = []
    for d in horizon:
        base = profile.get(weekday(d), overall)
        out.append(base if mean_profile == 0 else base * overall / mean_profile)
    return out


def seasonal_naive(history: Mapping[date, int], horizon: Sequence[date]) -> list[float]:
    return [float(history.get(d - timedelta(days=7 * (1 + (d - horizon[0]).days // 7)), 0)) for d in horizon]


@dataclass(frozen=True)
class Need:
    visits: float          # expected repair orders that day
    on_duty: int           # engineers needed on duty (before shrinkage)
    scheduled: int         # engineers to roster (after shrinkage)
    reached: float         # share reached within the limit with `on_duty`


def engineers(visits: float, area_type: str, response_min: int) -> Need:
    """Engineers a day of `visits` needs in one area to reach `TARGET` of them within `response_min`."""
    if visits <= 0:
        return Need(0.0, 0, 0, 1.0)
    per_hour = Fraction(round(visits * 1000), 1000 * WORK_HOURS)
    case = erlang.Case(calls=per_hour, interval_s=3600, aht_s=VISIT_MIN.get(area_type, VISIT_MIN["rural"]) * 60,
                       service_level_target=TARGET, answer_time_s=float(response_min * 60),
                       max_occupancy=MAX_OCCUPANCY, shrinkage=SHRINKAGE)
    st = erlang.erlang_c(case)
    return Need(visits, st.agents, st.agents_scheduled, st.service_level)
