"""The roster: which shift each person works on each day, so that heads on the floor follow the requirement.

Pure: plain data in, plain data out. Two stages.

1. How many of each shift pattern (template × start × lunch placement) per channel and day: an integer
   program solved by HiGHS (`scipy.optimize.milp`) that minimises under-staffing (weight 10) and over-staffing
   (weight 1) per 30-minute interval, plus a small cost per paid hour, subject to the people available that
   weekday and, per roster week, the shifts the channel's people may work in total (labour rule: at most
   `max_shifts_per_week` each). Lunch is placed by the optimiser inside its window; short breaks are in the
   requirement's shrinkage.
2. Who works them: per channel and day, earliest shifts first, each to the available person with the most
   weekly allowance left whose previous shift ended at least `min_rest_min` before (labour rule: 11 h rest).
   A shift nobody may take is dropped and reported; coverage is always computed from the assigned shifts, so
   the chart never shows a shift nobody works.

Why not one model with a variable per person: people of one channel with the same availability are
interchangeable, and a per-person model is thousands of symmetric binaries (a 200-person, 2-week roster is
~100,000) that a MIP solver branches on for minutes; the pattern counts are a few thousand integers.
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

SLOT_MIN = 30
SLOTS = 24 * 60 // SLOT_MIN
UNDER_WEIGHT = 10.0
OVER_WEIGHT = 1.0
HOUR_COST = 0.01


@dataclass(frozen=True)
class Template:
    id: int
    name: str
    length_min: int
    earliest_start_min: int
    latest_start_min: int
    lunch_min: int = 0
    lunch_earliest_min: int = 0  # after the shift's start
    lunch_latest_min: int = 0


@dataclass(frozen=True)
class Person:
    id: int
    channel: str
    available_weekdays: frozenset[int]
    max_shifts_per_week: int = 5


@dataclass(frozen=True)
class Pattern:
    template_id: int
    start_min: int
    length_min: int
    lunch_start_min: int | None  # minutes after midnight
    lunch_min: int

    @property
    def end_min(self) -> int:
        return self.start_min + self.length_min

    def cover(self) -> np.ndarray:
        c = np.zeros(SLOTS)
        c[self.start_min // SLOT_MIN:self.end_min // SLOT_MIN] = 1.0
        if self.lunch_start_min is not None:
            c[self.lunch_start_min // SLOT_MIN:(self.lunch_start_min + self.lunch_min) // SLOT_MIN] = 0.0
        return c


@dataclass(frozen=True)
class Shift:
    person_id: int
    channel: str
    day: date
    pattern: Pattern


@dataclass
class Result:
    shifts: list[Shift]
    coverage: dict[str, np.ndarray]  # channel -> (days, SLOTS) heads on the floor
    under: float  # agent-intervals short of the requirement
    over: float
    dropped: int  # planned shifts nobody could take under the labour rules
    status: str
    solve_s: float
    unmet: dict[str, float] = field(default_factory=dict)


def patterns(templates: Sequence[Template]) -> list[Pattern]:
    """Every start (30-minute steps in the window) × lunch placement of every template, within the day."""
    out = []
    for t in templates:
        for start in range(t.earliest_start_min, t.latest_start_min + 1, SLOT_MIN):
            if start + t.length_min > 24 * 60:
                continue
            if t.lunch_min:
                for off in range(t.lunch_earliest_min, t.lunch_latest_min + 1, SLOT_MIN):
                    if off + t.lunch_min <= t.length_min:
                        out.append(Pattern(t.id, start, t.length_min, start + off, t.lunch_min))
            else:
                out.append(Pattern(t.id, start, t.length_min, None, 0))
    return out


def _plan(days: Sequence[date], req: Mapping[str, np.ndarray], pats: list[Pattern],
          people: Sequence[Person], time_limit_s: float) -> tuple[dict[tuple[str, int], list[int]], str]:
    """Stage 1: pattern counts per (channel, day index)."""
    channels = sorted(req)
    n_days, n_pat = len(days), len(pats)
    cover = np.array([p.cover() for p in pats])  # (P, SLOTS)
    n_y = len(channels) * n_days * n_pat
    n_u = len(channels) * n_days * SLOTS
    rows: list[int] = []
    cols: list[int] = []
    vals: list[float] = []
    lo: list[float] = []
    hi: list[float] = []
    r = 0

    def y_index(g: int, d: int, p: int) -> int:
        return (g * n_days + d) * n_pat + p

    pat_slots = [[int(s) for s in np.nonzero(cover[p])[0]] for p in range(n_pat)]
    for g, ch in enumerate(channels):
        for d in range(n_days):
            base_row = r
            for p in range(n_pat):
                for s in pat_slots[p]:
                    rows.append(base_row + s)
                    cols.append(y_index(g, d, p))
                    vals.append(1.0)
            for s in range(SLOTS):
                u = n_y + (g * n_days + d) * SLOTS + s
                rows += [base_row + s, base_row + s]
                cols += [u, u + n_u]
                vals += [1.0, -1.0]
                need = float(req[ch][d, s])
                lo.append(need)
                hi.append(need)
            r += SLOTS
    # availability per (channel, day), weekly allowance per (channel, roster week)
    for g, ch in enumerate(channels):
        mine = [p for p in people if p.channel == ch]
        for d, day in enumerate(days):
            avail = sum(day.weekday() in p.available_weekdays for p in mine)
            for p in range(n_pat):
                rows.append(r)
                cols.append(y_index(g, d, p))
                vals.append(1.0)
            lo.append(0.0)
            hi.append(float(avail))
            r += 1
        for w in range(0, n_days, 7):
            week = range(w, min(w + 7, n_days))
            allowance = sum(min(p.max_shifts_per_week, sum(days[d].weekday() in p.available_weekdays for d in week))
                            for p in mine)
            for d in week:
                for p in range(n_pat):
                    rows.append(r)
                    cols.append(y_index(g, d, p))
                    vals.append(1.0)
            lo.append(0.0)
            hi.append(float(allowance))
            r += 1
    a = coo_matrix((vals, (rows, cols)), shape=(r, n_y + 2 * n_u)).tocsr()
    hours = np.array([p.length_min / 60 for p in pats])
    c = np.concatenate([np.tile(hours * HOUR_COST, len(channels) * n_days), np.full(n_u, UNDER_WEIGHT),
                        np.full(n_u, OVER_WEIGHT)])
    integrality = np.concatenate([np.ones(n_y), np.zeros(2 * n_u)])
    res = milp(c, constraints=LinearConstraint(a, lo, hi), integrality=integrality,
               bounds=Bounds(np.zeros(n_y + 2 * n_u), np.full(n_y + 2 * n_u, np.inf)),
               options={"time_limit": time_limit_s, "mip_rel_gap": 1e-3, "presolve": True})
    if res.x is None:
        raise RuntimeError(f"roster: the solver found no roster ({res.message})")
    y = np.rint(res.x[:n_y]).astype(int)
    counts = {(ch, d): [int(v) for v in y[(g * n_days + d) * n_pat:(g * n_days + d + 1) * n_pat]]
              for g, ch in enumerate(channels) for d in range(n_days)}
    return counts, "optimal" if res.status == 0 else "time_limit"


def solve(days: Sequence[date], req: Mapping[str, np.ndarray], templates: Sequence[Template],
          people: Sequence[Person], min_rest_min: int = 11 * 60, time_limit_s: float = 50.0) -> Result:
    """Roster `people` over `days` against `req` (channel -> (days, SLOTS) heads needed)."""
    t0 = time.perf_counter()
    for ch, r in req.items():
        if r.shape != (len(days), SLOTS):
            raise ValueError(f"requirement of {ch} must have shape ({len(days)}, {SLOTS})")
    pats = patterns(templates)
    if not pats:
        raise ValueError("no shift pattern fits in a day")
    counts, status = _plan(days, req, pats, people, time_limit_s)
    shifts: list[Shift] = []
    dropped = 0
    last_end: dict[int, int] = {}  # person -> end of their last shift, in minutes from the roster's start
    week_count: dict[tuple[int, int], int] = defaultdict(int)
    for d, day in enumerate(days):
        for ch in sorted(req):
            todo = sorted((p for i, p in enumerate(pats) for _ in range(counts[(ch, d)][i])),
                          key=lambda p: (p.start_min, -p.length_min))
            free = [p for p in people if p.channel == ch and day.weekday() in p.available_weekdays]
            taken: set[int] = set()
            for pat in todo:
                start_abs = d * 1440 + pat.start_min
                ok = [p for p in free if p.id not in taken and week_count[(p.id, d // 7)] < p.max_shifts_per_week
                      and start_abs - last_end.get(p.id, -10**9) >= min_rest_min]
                if not ok:
                    dropped += 1
                    continue
                who = max(ok, key=lambda p: (p.max_shifts_per_week - week_count[(p.id, d // 7)], -p.id))
                taken.add(who.id)
                week_count[(who.id, d // 7)] += 1
                last_end[who.id] = d * 1440 + pat.end_min
                shifts.append(Shift(who.id, ch, day, pat))
    coverage = coverage_of(shifts, days, sorted(req))
    under = {ch: float(np.maximum(req[ch] - coverage[ch], 0).sum()) for ch in req}
    over = sum(float(np.maximum(coverage[ch] - req[ch], 0).sum()) for ch in req)
    return Result(shifts, coverage, sum(under.values()), over, dropped, status, time.perf_counter() - t0, under)


def coverage_of(shifts: Sequence[Shift], days: Sequence[date], channels: Sequence[str]) -> dict[str, np.ndarray]:
    index = {d: i for i, d in enumerate(days)}
    cov = {ch: np.zeros((len(days), SLOTS)) for ch in channels}
    for s in shifts:
        if s.channel in cov and s.day in index:
            cov[s.channel][index[s.day]] += s.pattern.cover()
    return cov
