"""The field engineers' roster (issue 21 item 5): who is on duty in each province on each day, against the
engineers the repair visits need (`field.engineers`, per province and day). Pure: plain data in, plain data out.

Duties. Visits are booked 08:00–20:00 (`field.WORK_HOURS`), covered by an early duty (早班 08:00–16:00) and a late
one (晚班 12:00–20:00); the night is one on-call engineer per province (夜间值守 20:00–08:00 the next morning), who
takes the emergencies the first-response limits still run for. The day's requirement (engineers on duty for the
day's visits) holds in each of the three blocks 08–12 (early only), 12–16 (both) and 16–20 (late only), so a
province needing N engineers needs N early and N late, and the overlap is the afternoon peak's slack.

Rules. At most one duty a day per engineer, in a province their region scope covers (no scope: any); at most
`max_duties_per_week` duties (5) in any 7 days in a row of the roster (so in each calendar week too; duties of
rosters before this one are not counted); after a night on call no day duty the next day (it ends at 08:00: the
agents' 11 h rest); at most one on-call engineer per province and night.

Solver. The same approach as the agents' stage 1 (`roster_plan`): one integer program solved by HiGHS
(`scipy.optimize.milp`), short (weight 10 per engineer-block) and over (1) against the requirement, a night with
nobody on call (weight 40, above a whole day block short: the night's repair limits still run), and a small cost
per duty. Here a binary per engineer, province, day and duty: engineers are a few per province, not the hundreds of
interchangeable agents the pattern counts are for. Coverage per 30-minute interval (`coverage`) is computed from
the duties chosen, for the chart.
"""

from __future__ import annotations

import time
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date

import numpy as np
from scipy.optimize import Bounds, LinearConstraint, milp
from scipy.sparse import coo_matrix

from telqc.workforce.roster_model import SLOT_MIN, SLOTS

KINDS = ("early", "late", "night")
# local minutes after the duty day's midnight: [start, end)
HOURS = {"early": (8 * 60, 16 * 60), "late": (12 * 60, 20 * 60), "night": (20 * 60, 32 * 60)}
# the visit day's blocks 08–12, 12–16, 16–20 (where the need holds) and the duties on in each
BLOCK_KINDS = (("early",), ("early", "late"), ("late",))
MAX_DUTIES_PER_WEEK = 5
UNDER_WEIGHT = 10.0
OVER_WEIGHT = 1.0
NIGHT_WEIGHT = 40.0
DUTY_COST = 0.01


@dataclass(frozen=True)
class Engineer:
    id: int
    provinces: frozenset[str] | None  # the region scope: None covers every province
    max_duties_per_week: int = MAX_DUTIES_PER_WEEK

    def covers(self, province: str) -> bool:
        return self.provinces is None or province in self.provinces


@dataclass(frozen=True)
class Duty:
    engineer_id: int
    province: str
    day: date
    kind: str  # one of KINDS


@dataclass
class FieldRoster:
    duties: list[Duty]
    required: dict[str, np.ndarray]  # province -> (days, SLOTS) engineers needed (1 on call at night)
    coverage: dict[str, np.ndarray]  # province -> (days, SLOTS) engineers on duty
    short: float  # engineer-blocks (4 h) short of the day requirement
    over: float
    nights_uncovered: int
    status: str
    solve_s: float
    per_province: dict[str, tuple[float, int]] = field(default_factory=dict)  # province -> (short blocks, nights)


def covers(kind: str, minute: int) -> bool:
    """Whether a duty of `kind` is on at `minute` after its duty day's midnight (past 1440: the next day)."""
    a, b = HOURS[kind]
    return a <= minute < b


def required(days: int, need: Sequence[int]) -> np.ndarray:
    """Engineers needed per (day, slot): the day's need over the visit day, one on call at night (the first
    morning before 08:00 belongs to the night before the roster)."""
    out = np.zeros((days, SLOTS))
    for d in range(days):
        out[d, 8 * 60 // SLOT_MIN:20 * 60 // SLOT_MIN] = need[d]
        out[d, 20 * 60 // SLOT_MIN:] = 1
        if d + 1 < days:
            out[d + 1, :8 * 60 // SLOT_MIN] = 1
    return out


def coverage(duties: Sequence[Duty], days: Sequence[date], provinces: Sequence[str]) -> dict[str, np.ndarray]:
    """Engineers on duty per province and (day, slot) of the roster (nights spill into the next morning)."""
    out = {p: np.zeros((len(days), SLOTS)) for p in provinces}
    index = {d: i for i, d in enumerate(days)}
    for x in duties:
        if x.province not in out or x.day not in index:
            continue
        a, b = HOURS[x.kind]
        for k in range(a // SLOT_MIN, b // SLOT_MIN):
            d = index[x.day] + k // SLOTS
            if d < len(days):
                out[x.province][d, k % SLOTS] += 1
    return out


def solve(days: Sequence[date], need: Mapping[str, Sequence[int]], engineers: Sequence[Engineer],
          time_limit_s: float = 30.0) -> FieldRoster:
    """Roster `engineers` over `days` against `need` (province -> engineers on duty needed per day)."""
    t0 = time.perf_counter()
    provinces = sorted(need)
    n_days = len(days)
    for p in provinces:
        if len(need[p]) != n_days:
            raise ValueError(f"need of {p} must have {n_days} days")
    var: dict[tuple[int, int, int, str], int] = {}  # (engineer index, day, kind index, province) -> column
    for e, eng in enumerate(engineers):
        for d in range(n_days):
            for k in range(len(KINDS)):
                for p in provinces:
                    if eng.covers(p):
                        var[(e, d, k, p)] = len(var)
    n_x = len(var)
    blocks = [(p, d, b) for p in provinces for d in range(n_days) for b in range(len(BLOCK_KINDS))]
    nights = [(p, d) for p in provinces for d in range(n_days)]
    n_var = n_x + 2 * len(blocks) + len(nights)
    rows: list[int] = []
    cols: list[int] = []
    vals: list[float] = []
    lo: list[float] = []
    hi: list[float] = []
    by_cell: dict[tuple[str, int, int], list[int]] = defaultdict(list)  # (province, day, kind) -> columns
    by_person_day: dict[tuple[int, int], list[int]] = defaultdict(list)
    for (e, d, k, p), c in var.items():
        by_cell[(p, d, k)].append(c)
        by_person_day[(e, d)].append(c)

    def row(cells: list[tuple[int, float]], low: float, high: float) -> None:
        r = len(lo)
        for c, v in cells:
            rows.append(r)
            cols.append(c)
            vals.append(v)
        lo.append(low)
        hi.append(high)

    early, late, night = range(len(KINDS))
    for i, (p, d, b) in enumerate(blocks):  # on duty in the block + short − over = need
        cells = [(c, 1.0) for k in BLOCK_KINDS[b] for c in by_cell[(p, d, KINDS.index(k))]]
        cells += [(n_x + 2 * i, 1.0), (n_x + 2 * i + 1, -1.0)]
        row(cells, float(need[p][d]), float(need[p][d]))
    for j, (p, d) in enumerate(nights):  # one on call a night, or the night counts as uncovered
        row([(c, 1.0) for c in by_cell[(p, d, night)]] + [(n_x + 2 * len(blocks) + j, 1.0)], 1.0, 1.0)
    for e, eng in enumerate(engineers):
        for d in range(n_days):  # one duty a day
            if by_person_day[(e, d)]:
                row([(c, 1.0) for c in by_person_day[(e, d)]], 0.0, 1.0)
        span = min(7, n_days)
        for a in range(n_days - span + 1):  # duties in any 7 days in a row (so in every calendar week too)
            cells = [(c, 1.0) for d in range(a, a + span) for c in by_person_day[(e, d)]]
            if span > eng.max_duties_per_week and cells:
                row(cells, 0.0, float(eng.max_duties_per_week))
        for d in range(n_days - 1):  # no day duty after a night on call
            cells = [(var[(e, d, night, p)], 1.0) for p in provinces if (e, d, night, p) in var]
            cells += [(var[(e, d + 1, k, p)], 1.0) for k in (early, late) for p in provinces
                      if (e, d + 1, k, p) in var]
            if cells:
                row(cells, 0.0, 1.0)
    cost = np.concatenate([np.full(n_x, DUTY_COST), np.tile([UNDER_WEIGHT, OVER_WEIGHT], len(blocks)),
                        np.full(len(nights), NIGHT_WEIGHT)])
    integrality = np.concatenate([np.ones(n_x), np.zeros(n_var - n_x)])
    upper = np.concatenate([np.ones(n_x), np.full(2 * len(blocks), np.inf), np.ones(len(nights))])
    if lo:
        a = coo_matrix((vals, (rows, cols)), shape=(len(lo), n_var)).tocsr()
        res = milp(cost, constraints=LinearConstraint(a, lo, hi), integrality=integrality,
                   bounds=Bounds(np.zeros(n_var), upper),
                   options={"time_limit": time_limit_s, "mip_rel_gap": 1e-3, "presolve": True})
        if res.x is None:
            raise RuntimeError(f"engineer roster: the solver found no roster ({res.message})")
        x, status = res.x, "optimal" if res.status == 0 else "time_limit"
    else:
        x, status = np.zeros(n_var), "optimal"
    duties = sorted((Duty(engineers[e].id, p, days[d], KINDS[k]) for (e, d, k, p), col in var.items()
                     if x[col] > 0.5), key=lambda u: (u.day, u.province, KINDS.index(u.kind), u.engineer_id))
    req = {p: required(n_days, need[p]) for p in provinces}
    cov = coverage(duties, days, provinces)
    per: dict[str, tuple[float, int]] = {}
    short = over = 0.0
    uncovered = 0
    for p in provinces:
        on = {(x.day, x.kind) for x in duties if x.province == p}
        s = o = 0.0
        for d, day in enumerate(days):
            for kinds in BLOCK_KINDS:
                heads = sum(1 for u in duties if u.province == p and u.day == day and u.kind in kinds)
                s += max(need[p][d] - heads, 0)
                o += max(heads - need[p][d], 0)
        n = sum((day, "night") not in on for day in days)
        per[p] = (s, n)
        short, over, uncovered = short + s, over + o, uncovered + n
    return FieldRoster(duties, req, cov, short, over, uncovered, status, time.perf_counter() - t0, per)
