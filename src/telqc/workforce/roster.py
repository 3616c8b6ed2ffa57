"""The roster: which shift each person works on each day, and which skill each person on the floor covers in
each interval, so that heads per skill follow the requirement.

Pure: plain data in, plain data out. Three stages.

1. How many of each shift pattern (template × start × lunch placement) per *pool* and day, where a pool is the
   people with the same set of skills (hotline only, hotline + WeChat, …): one integer program solved by HiGHS
   (`scipy.optimize.milp`). Per pool and interval the heads on the floor are split over the pool's skills by
   continuous assignment variables (a transportation flow, so per interval the split is a Hall-feasible one:
   a head counts on exactly one skill); per skill and interval under-staffing (weight 10) and over-staffing
   (weight 1) against the requirement, plus a small cost per paid hour. Labour rules as constraints: the
   people of the pool available that weekday, per calendar week (Monday–Sunday) the shifts they may work in
   total (`max_shifts_per_week` each, less the shifts already published for that week before the roster
   starts), a Hall-type rest condition per pool and pair of consecutive days: the shifts of day d ending at
   or after t and the shifts of day d+1 starting before t + 11 h must be worked by different people, so
   together they are at most the pool's people available on either day; and the rest across the roster's
   boundary: the shifts of a day starting by t are at most the pool's people available that day whose rest
   after their last published shift (`previous`, the roster before) has run out by t; likewise before a stored
   roster that follows (`following`): the shifts of a day ending at or after t are at most the people available
   that day who may work until t. Days in a row (`max_consecutive_days`, 6 by default: a day off in seven):
   per pool and window of cap + 1 days (and the shorter windows at the edges where someone brings a run from
   the roster before or into the one after), the shifts are at most the sum over its people of the most days
   each may work in the window (`most_days`, a DP over their availability and runs).
   Overnight shifts (a 22:00 start, say) count on their start day and cover the next day's early intervals;
   those of the roster before cover the first morning as fixed heads (fewer shifts needed).
2. Who works them: per pool and day, a maximum matching of the planned shifts to the available people with
   weekly allowance left whose previous shift (in this roster or the one before) ended at least
   `min_rest_min` before (11 h rest, checked on absolute minutes, so overnight shifts are included), who
   ends it by the rest before their next stored shift and stays within their days in a row; among maximum
   matchings, shifts go to those with the most allowance left, late shifts rather to people off the next day
   (their rest then blocks nothing) and, a little, to those with fewer days in a row. A shift no one may take
   is re-timed to the nearest start of its template that a free person may take (`retimed`), else dropped;
   both are reported one by one (`Result.unplaced`) for the planner.
3. Which skill each person covers per interval: an integer maximum flow per interval (pools → skills capped
   by the requirement, `scipy.sparse.csgraph.maximum_flow`) over the people actually assigned, then heads
   left over on their own channel. Coverage per skill is computed from this assignment only, so no one is
   counted twice and the chart never shows a shift nobody works.

Why not one model with a variable per person: people of one pool with the same availability are
interchangeable, and a per-person model is thousands of symmetric binaries (a 200-person, 2-week roster is
~100,000) that a MIP solver branches on for minutes; the pattern counts are a few thousand integers.
"""

from __future__ import annotations

import time
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta

import numpy as np
from scipy.optimize import Bounds, LinearConstraint, linear_sum_assignment, milp
from scipy.sparse import coo_matrix, csr_matrix
from scipy.sparse.csgraph import maximum_flow

SLOT_MIN = 30
SLOTS = 24 * 60 // SLOT_MIN
UNDER_WEIGHT = 10.0
OVER_WEIGHT = 1.0
HOUR_COST = 0.01
MIN_REST_MIN = 11 * 60
MAX_CONSECUTIVE_DAYS = 6  # labour rule: at least one day off in seven (劳动法 第三十八条), configurable per person


@dataclass(frozen=True)
class Template:
    id: int
    name: str
    length_min: int
    earliest_start_min: int
    latest_start_min: int  # up to 23:30; a shift past midnight is an overnight shift of its start day
    lunch_min: int = 0
    lunch_earliest_min: int = 0  # after the shift's start
    lunch_latest_min: int = 0


@dataclass(frozen=True)
class Person:
    id: int
    channel: str  # the channel rostered on: where heads left over by the skill flow are counted
    available_weekdays: frozenset[int]
    max_shifts_per_week: int = 5
    skills: frozenset[str] = frozenset()
    max_consecutive_days: int = MAX_CONSECUTIVE_DAYS

    @property
    def skill_set(self) -> frozenset[str]:
        return self.skills | {self.channel}


@dataclass(frozen=True)
class Pattern:
    template_id: int
    start_min: int
    length_min: int
    lunch_start_min: int | None  # minutes after the start day's midnight (may pass 1440 on overnight shifts)
    lunch_min: int

    @property
    def end_min(self) -> int:
        return self.start_min + self.length_min

    @property
    def overnight(self) -> bool:
        return self.end_min > 24 * 60

    def cover(self) -> np.ndarray:
        """Heads on the floor over the start day and the next (2 × SLOTS): overnight shifts spill over."""
        c = np.zeros(2 * SLOTS)
        c[self.start_min // SLOT_MIN:-(-self.end_min // SLOT_MIN)] = 1.0
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
    coverage: dict[str, np.ndarray]  # skill -> (days, SLOTS) heads covering it
    under: float  # agent-intervals short of the requirement
    over: float
    dropped: int  # planned shifts nobody could take under the labour rules
    status: str
    solve_s: float
    unmet: dict[str, float] = field(default_factory=dict)  # skill -> agent-intervals short
    # (day index, slot) -> person id -> the skill they cover then
    assignment: dict[tuple[int, int], dict[int, str]] = field(default_factory=dict)
    retimed: int = 0  # planned shifts stage 2 moved to a later start of their template to keep the 11 h rest
    unplaced: list[Unplaced] = field(default_factory=list)  # the dropped and re-timed shifts, for the planner


@dataclass(frozen=True)
class Unplaced:
    """A shift stage 1 planned that stage 2 could not give anyone as planned: re-timed (`placed`, to whom) or
    dropped (`placed` None), so the planner sees where the labour rules cost coverage."""

    day: date
    skills: tuple[str, ...]  # the pool it was planned for
    planned: Pattern
    placed: Pattern | None = None
    person_id: int | None = None


def week_of(day: date) -> tuple[int, int]:
    """The calendar week (ISO year, week: Monday to Sunday) a shift counts in for the weekly allowance, so
    shifts already published in the week a roster starts in count against it."""
    iso = day.isocalendar()
    return iso[0], iso[1]


NEVER = 10**9


@dataclass(frozen=True)
class Carry:
    """What binds a person from shifts already published outside the roster: before its first day (`previous`)
    and after its last (`following`, a stored roster for a later period)."""

    rest_until: int  # minutes from the roster's first midnight before which no new shift may start
    week_used: Mapping[tuple[int, int], int]  # calendar week -> shifts already worked in it outside the roster
    run_before: int = 0  # days worked in a row up to the day before the roster
    end_by: int = NEVER  # minutes from the first midnight by which every new shift must end (rest before the next)
    run_after: int = 0  # days worked in a row from the day after the roster


def _run(worked: set[date], day: date, step: int) -> int:
    """Days in `worked` in a row from `day` on, going `step` days at a time."""
    n = 0
    while day + timedelta(days=step * n) in worked:
        n += 1
    return n


def carry_in(previous: Sequence[Shift], first: date, min_rest_min: int, following: Sequence[Shift] = (),
             n_days: int = 0) -> dict[int, Carry]:
    """Per person, from the shifts of previous rosters on days before `first`: the end of the last one plus the
    rest, the days worked in a row up to `first`, and the shifts per calendar week; from the shifts of a stored
    roster on days from `first + n_days` on: the start of the first one less the rest, the days worked in a row
    from then, and their shifts per calendar week (only weeks the new roster reaches matter)."""
    last_day = first + timedelta(days=n_days)
    last: dict[int, int] = {}
    nxt: dict[int, int] = {}
    before: dict[int, set[date]] = defaultdict(set)
    after: dict[int, set[date]] = defaultdict(set)
    weeks: dict[int, dict[tuple[int, int], int]] = defaultdict(lambda: defaultdict(int))
    for x in previous:
        if x.day >= first:
            continue
        end = (x.day - first).days * 1440 + x.pattern.end_min
        last[x.person_id] = max(last.get(x.person_id, -NEVER), end)
        before[x.person_id].add(x.day)
        weeks[x.person_id][week_of(x.day)] += 1
    for x in following:
        if x.day < last_day:
            continue
        start = (x.day - first).days * 1440 + x.pattern.start_min
        nxt[x.person_id] = min(nxt.get(x.person_id, NEVER), start)
        after[x.person_id].add(x.day)
        weeks[x.person_id][week_of(x.day)] += 1
    return {pid: Carry(last.get(pid, -NEVER) + min_rest_min, dict(weeks[pid]),
                       _run(before[pid], first - timedelta(days=1), -1),
                       nxt[pid] - min_rest_min if pid in nxt else NEVER, _run(after[pid], last_day, 1))
            for pid in set(last) | set(weeks) | set(nxt)}


def most_days(available: Sequence[bool], cap: int, run_in: int = 0, run_out: int = 0) -> int:
    """The most of these days one person may work with at most `cap` days in a row, `run_in` days already
    worked in a row before the first and `run_out` after the last (a small DP: greedy ignores the tail)."""
    cap = max(cap, 0)
    best = {min(run_in, cap): 0}  # run of days worked up to here -> most days worked
    for ok in available:
        nxt: dict[int, int] = {}
        for run, n in best.items():
            nxt[0] = max(nxt.get(0, -1), n)
            if ok and run < cap:
                nxt[run + 1] = max(nxt.get(run + 1, -1), n + 1)
        best = nxt
    return max((n for run, n in best.items() if run + run_out <= cap or run == 0), default=0)


def patterns(templates: Sequence[Template]) -> list[Pattern]:
    """Every start (30-minute steps in the window) × lunch placement of every template."""
    out = []
    for t in templates:
        for start in range(t.earliest_start_min, min(t.latest_start_min, 24 * 60 - SLOT_MIN) + 1, SLOT_MIN):
            if t.length_min > 24 * 60 or t.length_min <= 0:
                continue
            if t.lunch_min:
                for off in range(t.lunch_earliest_min, t.lunch_latest_min + 1, SLOT_MIN):
                    if off + t.lunch_min <= t.length_min:
                        out.append(Pattern(t.id, start, t.length_min, start + off, t.lunch_min))
            else:
                out.append(Pattern(t.id, start, t.length_min, None, 0))
    return out


def pools_of(people: Sequence[Person], skills: Sequence[str]) -> dict[tuple[str, ...], list[Person]]:
    """People grouped by the skills they have among those required (people with none are left out)."""
    out: dict[tuple[str, ...], list[Person]] = defaultdict(list)
    for p in people:
        key = tuple(sorted(p.skill_set & set(skills)))
        if key:
            out[key].append(p)
    return dict(sorted(out.items()))


def _plan(days: Sequence[date], req: Mapping[str, np.ndarray], pats: list[Pattern],
          pools: dict[tuple[str, ...], list[Person]], min_rest_min: int,
          time_limit_s: float, carry: Mapping[int, Carry] | None = None,
          fixed: Mapping[tuple[int, int, int], int] | None = None) -> tuple[dict[tuple[int, int], list[int]], str]:
    """Stage 1: pattern counts per (pool index, day index). `fixed`: (pool, day, slot) -> heads already on the
    floor from shifts published before the roster (the night shift of the day before)."""
    skills = sorted(req)
    keys = list(pools)
    carry = carry or {}
    fixed = fixed or {}
    n_days, n_pat, n_g = len(days), len(pats), len(keys)
    cover = np.array([p.cover() for p in pats])  # (P, 2 * SLOTS)
    n_y = n_g * n_days * n_pat
    x_index: dict[tuple[int, int], int] = {}  # (pool, skill) -> block
    for g, key in enumerate(keys):
        for name in key:
            x_index[(g, skills.index(name))] = len(x_index)
    n_x = len(x_index) * n_days * SLOTS
    n_u = len(skills) * n_days * SLOTS
    n_var = n_y + n_x + 2 * n_u
    rows: list[int] = []
    cols: list[int] = []
    vals: list[float] = []
    lo: list[float] = []
    hi: list[float] = []
    r = 0

    def y_at(g: int, d: int, p: int) -> int:
        return (g * n_days + d) * n_pat + p

    def x_at(g: int, k: int, d: int, s: int) -> int:
        return n_y + (x_index[(g, k)] * n_days + d) * SLOTS + s

    def at_most(cells: list[int], upper: float, row: int) -> int:
        """One row: the sum of the variables `cells` between 0 and `upper`; the next row's index."""
        rows.extend([row] * len(cells))
        cols.extend(cells)
        vals.extend([1.0] * len(cells))
        lo.append(0.0)
        hi.append(float(upper))
        return row + 1

    pat_slots = [[int(s) for s in np.nonzero(cover[p])[0]] for p in range(n_pat)]
    # heads of a pool on the floor = the heads it puts on its skills
    for g, key in enumerate(keys):
        for d in range(n_days):
            for p in range(n_pat):
                for s in pat_slots[p]:
                    if d + s // SLOTS < n_days:
                        rows.append(r + (d + s // SLOTS) * SLOTS + s % SLOTS)
                        cols.append(y_at(g, d, p))
                        vals.append(1.0)
            for s in range(SLOTS):
                for name in key:
                    rows.append(r + d * SLOTS + s)
                    cols.append(x_at(g, skills.index(name), d, s))
                    vals.append(-1.0)
        heads = [-float(fixed.get((g, d, k), 0)) for d in range(n_days) for k in range(SLOTS)]
        lo += heads
        hi += heads
        r += n_days * SLOTS
    # heads per skill + short − over = requirement
    for k, sk in enumerate(skills):
        for d in range(n_days):
            for s in range(SLOTS):
                for g in range(n_g):
                    if (g, k) in x_index:
                        rows.append(r)
                        cols.append(x_at(g, k, d, s))
                        vals.append(1.0)
                u = n_y + n_x + (k * n_days + d) * SLOTS + s
                rows += [r, r]
                cols += [u, u + n_u]
                vals += [1.0, -1.0]
                lo.append(float(req[sk][d, s]))
                hi.append(float(req[sk][d, s]))
                r += 1
    ends = sorted({p.end_min for p in pats})
    for g, key in enumerate(keys):
        mine = pools[key]
        avail = [sum(day.weekday() in p.available_weekdays for p in mine) for day in days]
        for d in range(n_days):  # availability per day
            r = at_most([y_at(g, d, p) for p in range(n_pat)], avail[d], r)
        weeks: dict[tuple[int, int], list[int]] = defaultdict(list)
        for d, day in enumerate(days):
            weeks[week_of(day)].append(d)
        for wk, week in weeks.items():  # weekly allowance per calendar week, less what is already worked in it
            allowance = sum(max(0, min(p.max_shifts_per_week - (carry[p.id].week_used.get(wk, 0) if p.id in carry
                                                                 else 0),
                                       sum(days[d].weekday() in p.available_weekdays for d in week)))
                            for p in mine)
            r = at_most([y_at(g, d, p) for d in week for p in range(n_pat)], allowance, r)
        # rest after shifts published before the roster: the shifts of day d starting at or before t need people
        # available on d whose rest has run out by then
        until = {p.id: carry[p.id].rest_until for p in mine if p.id in carry}
        starts = sorted({p.start_min for p in pats})
        for d in range(n_days):
            here = [p for p in mine if days[d].weekday() in p.available_weekdays]
            if not any(until.get(p.id, -10**9) > d * 1440 + starts[0] for p in here):
                continue
            for t in starts:
                eligible = sum(until.get(p.id, -10**9) <= d * 1440 + t for p in here)
                if eligible == len(here):
                    break
                r = at_most([y_at(g, d, p) for p in range(n_pat) if pats[p].start_min <= t], eligible, r)
        # rest before the shifts of a stored roster that follows: the shifts of day d ending at or after t need
        # people available on d who may work until t
        by = {p.id: carry[p.id].end_by for p in mine if p.id in carry and carry[p.id].end_by < NEVER}
        for d in range(n_days):
            here = [p for p in mine if days[d].weekday() in p.available_weekdays]
            if not any(by.get(p.id, NEVER) < d * 1440 + ends[-1] for p in here):
                continue
            for t in reversed(ends):
                eligible = sum(by.get(p.id, NEVER) >= d * 1440 + t for p in here)
                if eligible == len(here):
                    break
                r = at_most([y_at(g, d, p) for p in range(n_pat) if pats[p].end_min >= t], eligible, r)
        for lo_d, hi_d in _windows(mine, n_days, carry):  # days in a row: per window, what its people may work
            bound = 0
            for who in mine:
                brought = carry.get(who.id)
                bound += most_days([days[d].weekday() in who.available_weekdays for d in range(lo_d, hi_d)],
                                   who.max_consecutive_days, brought.run_before if brought and lo_d == 0 else 0,
                                   brought.run_after if brought and hi_d == n_days else 0)
            if bound >= sum(avail[lo_d:hi_d]):
                continue  # the availability per day already says as much
            r = at_most([y_at(g, d, p) for d in range(lo_d, hi_d) for p in range(n_pat)], bound, r)
        for d in range(n_days - 1):  # Hall-type rest: late shifts of d and early ones of d+1 need different people
            either = sum(days[d].weekday() in p.available_weekdays or days[d + 1].weekday() in p.available_weekdays
                         for p in mine)
            for t in ends:
                late = [p for p in range(n_pat) if pats[p].end_min >= t]
                early = [q for q in range(n_pat) if pats[q].start_min + 24 * 60 < t + min_rest_min]
                if not late or not early:
                    continue
                r = at_most([y_at(g, d, p) for p in late] + [y_at(g, d + 1, q) for q in early], either, r)
    a = coo_matrix((vals, (rows, cols)), shape=(r, n_var)).tocsr()
    hours = np.array([p.length_min / 60 for p in pats])
    c = np.concatenate([np.tile(hours * HOUR_COST, n_g * n_days), np.zeros(n_x), np.full(n_u, UNDER_WEIGHT),
                        np.full(n_u, OVER_WEIGHT)])
    integrality = np.concatenate([np.ones(n_y), np.zeros(n_x + 2 * n_u)])
    res = milp(c, constraints=LinearConstraint(a, lo, hi), integrality=integrality,
               bounds=Bounds(np.zeros(n_var), np.full(n_var, np.inf)),
               options={"time_limit": time_limit_s, "mip_rel_gap": 1e-3, "presolve": True})
    if res.x is None:
        raise RuntimeError(f"roster: the solver found no roster ({res.message})")
    y = np.rint(res.x[:n_y]).astype(int)
    counts = {(g, d): [int(v) for v in y[(g * n_days + d) * n_pat:(g * n_days + d + 1) * n_pat]]
              for g in range(n_g) for d in range(n_days)}
    return counts, "optimal" if res.status == 0 else "time_limit"


def _windows(mine: Sequence[Person], n_days: int, carry: Mapping[int, Carry]) -> list[tuple[int, int]]:
    """The day windows [a, b) the consecutive-days bound is stated on: every run of cap + 1 days for each cap in
    the pool (where at least one day must be off), and the shorter ones at the roster's edges where someone
    brings days worked in a row from the roster before or into the one after."""
    out: set[tuple[int, int]] = set()
    for cap in {p.max_consecutive_days for p in mine}:
        out.update((a, a + cap + 1) for a in range(n_days - cap))
    top = min(max((p.max_consecutive_days for p in mine), default=0), n_days)
    if any(carry[p.id].run_before for p in mine if p.id in carry):
        out.update((0, b) for b in range(1, top + 1))
    if any(carry[p.id].run_after for p in mine if p.id in carry):
        out.update((a, n_days) for a in range(n_days - top, n_days))
    return sorted(out)


def solve(days: Sequence[date], req: Mapping[str, np.ndarray], templates: Sequence[Template],
          people: Sequence[Person], min_rest_min: int = MIN_REST_MIN, time_limit_s: float = 50.0,
          previous: Sequence[Shift] = (), following: Sequence[Shift] = ()) -> Result:
    """Roster `people` over `days` against `req` (skill -> (days, SLOTS) heads needed). `previous`: shifts
    already published for days before the first (the last days of the roster before): the rest after them, the
    days worked in a row and the shifts they used of the first calendar week's allowance hold for the new
    roster too, and their heads still on the floor after midnight (a night shift) cover the first morning.
    `following`: shifts of a stored roster for days after the last: the rest before them, the days in a row
    and the last week's allowance hold likewise."""
    t0 = time.perf_counter()
    for ch, r in req.items():
        if r.shape != (len(days), SLOTS):
            raise ValueError(f"requirement of {ch} must have shape ({len(days)}, {SLOTS})")
    pats = patterns(templates)
    if not pats:
        raise ValueError("no shift pattern fits in a day")
    pools = pools_of(people, sorted(req))
    carry = carry_in(previous, days[0], min_rest_min, following, len(days)) if days else {}
    spill = [x for x in previous if days and x.day < days[0]]
    fixed: dict[tuple[int, int, int], int] = defaultdict(int)
    pool_of = {p.id: g for g, key in enumerate(pools) for p in pools[key]}
    for (d, k), who in on_floor(spill, days).items():
        for pid in who:
            if pid in pool_of:
                fixed[(pool_of[pid], d, k)] += 1
    counts, status = (_plan(days, req, pats, pools, min_rest_min, time_limit_s, carry, fixed) if pools
                      else ({}, "optimal"))
    shifts, unplaced = staff_plan(days, pats, pools, counts, carry, min_rest_min)
    coverage, assignment = assign_skills([*spill, *shifts], days, req, people)
    under = {ch: float(np.maximum(req[ch] - coverage[ch], 0).sum()) for ch in req}
    over = sum(float(np.maximum(coverage[ch] - req[ch], 0).sum()) for ch in req)
    return Result(shifts, coverage, sum(under.values()), over, sum(u.placed is None for u in unplaced), status,
                  time.perf_counter() - t0, under, assignment, sum(u.placed is not None for u in unplaced),
                  unplaced)


NO_EDGE = 1e6
LOOKAHEAD = 0.5  # below one shift of allowance: balancing the week comes first
RUN_WEIGHT = 0.25  # among equal allowance, rather those with fewer days in a row (their day off blocks less)


def staff_plan(days: Sequence[date], pats: list[Pattern], pools: dict[tuple[str, ...], list[Person]],
               counts: Mapping[tuple[int, int], list[int]], carry: Mapping[int, Carry],
               min_rest_min: int) -> tuple[list[Shift], list[Unplaced]]:
    """Stage 2: per pool and day, the planned shifts to people by a maximum matching (an edge where the
    person is available, has allowance left, is below their days in a row (counting those before the roster,
    and on the last day those after it) and has the rest after their last shift and before the next stored
    one; among maximum matchings the one giving shifts to those with the most allowance left), so a shift is
    dropped only when no assignment of that day staffs them all."""
    shifts: list[Shift] = []
    unplaced: list[Unplaced] = []
    rest_until = {pid: c.rest_until for pid, c in carry.items()}  # minutes from the roster's first midnight
    end_by = {pid: c.end_by for pid, c in carry.items()}
    run = {pid: c.run_before for pid, c in carry.items()}
    week_count: dict[tuple[int, tuple[int, int]], int] = defaultdict(int)
    for pid, c in carry.items():
        for wk, n in c.week_used.items():
            week_count[(pid, wk)] = n
    for d, day in enumerate(days):
        wk = week_of(day)
        worked: set[int] = set()
        for g, key in enumerate(pools):
            todo = sorted((p for i, p in enumerate(pats) for _ in range(counts[(g, d)][i])),
                          key=lambda p: (p.start_min, -p.length_min))
            if not todo:
                continue
            last = d == len(days) - 1
            free = [p for p in pools[key] if day.weekday() in p.available_weekdays
                    and week_count[(p.id, wk)] < p.max_shifts_per_week
                    and run.get(p.id, 0) + 1 + (carry[p.id].run_after if last and p.id in carry else 0)
                    <= p.max_consecutive_days]
            cost = np.full((len(todo), max(len(free), 1)), NO_EDGE)
            tomorrow = d + 1 < len(days) and days[d + 1]
            for i, pat in enumerate(todo):
                for j, p in enumerate(free):
                    if _rested(p.id, d, pat, rest_until, end_by):
                        # late shifts rather to those off tomorrow, whose rest then costs nothing
                        ahead = bool(tomorrow and tomorrow.weekday() in p.available_weekdays)
                        cost[i, j] = (-(p.max_shifts_per_week - week_count[(p.id, wk)])
                                      + LOOKAHEAD * ahead * pat.end_min / 1440
                                      + RUN_WEIGHT * run.get(p.id, 0) / max(p.max_consecutive_days, 1) + 1e-6 * j)
            rows, cols = linear_sum_assignment(cost)
            done: dict[int, int] = {}
            for i, j in zip(rows, cols, strict=True):
                if cost[i, j] < NO_EDGE:
                    done[i] = j
            taken = set(done.values())
            for i in range(len(todo)):  # repair: re-time a shift nobody may take to the nearest start someone may
                if i in done:
                    continue
                best = None
                for j, p in enumerate(free):
                    if j in taken:
                        continue
                    for alt in pats:
                        if alt.template_id == todo[i].template_id and _rested(p.id, d, alt, rest_until, end_by):
                            gap = (abs(alt.start_min - todo[i].start_min), alt.start_min, j)
                            if best is None or gap < best[0]:
                                best = (gap, alt, j)
                if best is None:
                    unplaced.append(Unplaced(day, key, todo[i]))
                    continue
                unplaced.append(Unplaced(day, key, todo[i], best[1], free[best[2]].id))
                todo[i] = best[1]
                done[i] = best[2]
                taken.add(best[2])
            for i, j in sorted(done.items()):
                who, pat = free[j], todo[i]
                week_count[(who.id, wk)] += 1
                rest_until[who.id] = d * 1440 + pat.end_min + min_rest_min
                worked.add(who.id)
                shifts.append(Shift(who.id, who.channel, day, pat))
        for key in pools:
            for p in pools[key]:
                run[p.id] = run.get(p.id, 0) + 1 if p.id in worked else 0
    shifts.sort(key=lambda x: (x.day, x.pattern.start_min, x.person_id))
    unplaced.sort(key=lambda u: (u.day, u.planned.start_min, u.skills))
    return shifts, unplaced


def _rested(pid: int, d: int, pat: Pattern, rest_until: Mapping[int, int], end_by: Mapping[int, int]) -> bool:
    """The shift `pat` on day index `d` starts after the person's rest since their last shift and ends by the
    rest before their next stored one."""
    return rest_until.get(pid, -NEVER) <= d * 1440 + pat.start_min and d * 1440 + pat.end_min <= end_by.get(pid, NEVER)


def on_floor(shifts: Sequence[Shift], days: Sequence[date]) -> dict[tuple[int, int], list[int]]:
    """(day index, slot) -> the people on the floor then (overnight shifts counted on the next day's slots,
    also those of the day before the first)."""
    out: dict[tuple[int, int], list[int]] = defaultdict(list)
    if not days:
        return out
    for x in shifts:
        at = (x.day - days[0]).days
        if not -1 <= at < len(days):
            continue
        for s in np.nonzero(x.pattern.cover())[0]:
            d = at + int(s) // SLOTS
            if 0 <= d < len(days):
                out[(d, int(s) % SLOTS)].append(x.person_id)
    return out


def assign_skills(shifts: Sequence[Shift], days: Sequence[date], req: Mapping[str, np.ndarray],
                  people: Sequence[Person]) -> tuple[dict[str, np.ndarray], dict[tuple[int, int], dict[int, str]]]:
    """Stage 3: per interval, each person on the floor covers one skill (a maximum flow against the
    requirement, heads left over on their own channel, or their first required skill)."""
    skills = sorted(req)
    by_id = {p.id: p for p in people}
    cov = {k: np.zeros((len(days), SLOTS)) for k in skills}
    assignment: dict[tuple[int, int], dict[int, str]] = {}
    for (d, s), who in sorted(on_floor(shifts, days).items()):
        groups: dict[tuple[str, ...], list[int]] = defaultdict(list)
        for pid in sorted(set(who)):
            p = by_id.get(pid)
            key = tuple(sorted(p.skill_set & set(skills))) if p else ()
            if key:
                groups[key].append(pid)
        keys = sorted(groups)
        n_g, n_k = len(keys), len(skills)
        sink = 1 + n_g + n_k
        src, dst, cap = [], [], []
        for g, key in enumerate(keys):
            src.append(0)
            dst.append(1 + g)
            cap.append(len(groups[key]))
            for name in key:
                src.append(1 + g)
                dst.append(1 + n_g + skills.index(name))
                cap.append(len(groups[key]))
        for k, sk in enumerate(skills):
            src.append(1 + n_g + k)
            dst.append(sink)
            cap.append(max(round(float(req[sk][d, s])), 0))
        graph = csr_matrix((np.array(cap, dtype=np.int32), (src, dst)), shape=(sink + 1, sink + 1))
        flow = maximum_flow(graph, 0, sink).flow.tocsr()
        here: dict[int, str] = {}
        for g, key in enumerate(keys):
            queue = list(groups[key])
            for name in key:
                n = int(flow[1 + g, 1 + n_g + skills.index(name)])
                for pid in queue[:n]:
                    here[pid] = name
                queue = queue[n:]
            for pid in queue:  # left over: on their own channel if it is required
                here[pid] = by_id[pid].channel if by_id[pid].channel in key else key[0]
        for sk in here.values():
            cov[sk][d, s] += 1
        assignment[(d, s)] = here
    return cov, assignment
