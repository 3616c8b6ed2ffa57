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
   after their last published shift (`previous`, the roster before) has run out by t.
   Overnight shifts (a 22:00 start, say) count on their start day and cover the next day's early intervals.
2. Who works them: per pool and day, a maximum matching of the planned shifts to the available people with
   weekly allowance left whose previous shift (in this roster or the one before) ended at least
   `min_rest_min` before (11 h rest, checked on absolute minutes, so overnight shifts are included); among
   maximum matchings, shifts go to those with the most allowance left and late shifts rather to people off
   the next day (their rest then blocks nothing). A shift no one may take is re-timed to the nearest start
   of its template that a free person may take (`retimed`), else dropped and reported.
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
from datetime import date

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


def week_of(day: date) -> tuple[int, int]:
    """The calendar week (ISO year, week: Monday to Sunday) a shift counts in for the weekly allowance, so
    shifts already published in the week a roster starts in count against it."""
    iso = day.isocalendar()
    return iso[0], iso[1]


@dataclass(frozen=True)
class Carry:
    """What a person brings into the roster from shifts already published before its first day."""

    rest_until: int  # minutes from the roster's first midnight before which no new shift may start
    week_used: Mapping[tuple[int, int], int]  # calendar week -> shifts already worked in it


def carry_in(previous: Sequence[Shift], first: date, min_rest_min: int) -> dict[int, Carry]:
    """Per person, from the shifts of previous rosters on days before `first`: the end of the last one plus the
    rest, and the shifts per calendar week (only weeks the new roster reaches matter)."""
    last: dict[int, int] = {}
    weeks: dict[int, dict[tuple[int, int], int]] = defaultdict(lambda: defaultdict(int))
    for x in previous:
        if x.day >= first:
            continue
        end = (x.day - first).days * 1440 + x.pattern.end_min
        last[x.person_id] = max(last.get(x.person_id, -10**9), end)
        weeks[x.person_id][week_of(x.day)] += 1
    return {pid: Carry(last.get(pid, -10**9) + min_rest_min, dict(weeks[pid])) for pid in set(last) | set(weeks)}


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
          time_limit_s: float, carry: Mapping[int, Carry] | None = None
          ) -> tuple[dict[tuple[int, int], list[int]], str]:
    """Stage 1: pattern counts per (pool index, day index)."""
    skills = sorted(req)
    keys = list(pools)
    carry = carry or {}
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
        lo += [0.0] * (n_days * SLOTS)
        hi += [0.0] * (n_days * SLOTS)
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


def solve(days: Sequence[date], req: Mapping[str, np.ndarray], templates: Sequence[Template],
          people: Sequence[Person], min_rest_min: int = MIN_REST_MIN, time_limit_s: float = 50.0,
          previous: Sequence[Shift] = ()) -> Result:
    """Roster `people` over `days` against `req` (skill -> (days, SLOTS) heads needed). `previous`: shifts
    already published for days before the first (the last days of the roster before): the rest after them and
    the shifts they used of the first calendar week's allowance hold for the new roster too."""
    t0 = time.perf_counter()
    for ch, r in req.items():
        if r.shape != (len(days), SLOTS):
            raise ValueError(f"requirement of {ch} must have shape ({len(days)}, {SLOTS})")
    pats = patterns(templates)
    if not pats:
        raise ValueError("no shift pattern fits in a day")
    pools = pools_of(people, sorted(req))
    carry = carry_in(previous, days[0], min_rest_min) if days else {}
    counts, status = (_plan(days, req, pats, pools, min_rest_min, time_limit_s, carry) if pools
                      else ({}, "optimal"))
    shifts, dropped, retimed = staff_plan(days, pats, pools, counts, carry, min_rest_min)
    coverage, assignment = assign_skills(shifts, days, req, people)
    under = {ch: float(np.maximum(req[ch] - coverage[ch], 0).sum()) for ch in req}
    over = sum(float(np.maximum(coverage[ch] - req[ch], 0).sum()) for ch in req)
    return Result(shifts, coverage, sum(under.values()), over, dropped, status, time.perf_counter() - t0, under,
                  assignment, retimed)


NO_EDGE = 1e6
LOOKAHEAD = 0.5  # below one shift of allowance: balancing the week comes first


def staff_plan(days: Sequence[date], pats: list[Pattern], pools: dict[tuple[str, ...], list[Person]],
           counts: Mapping[tuple[int, int], list[int]], carry: Mapping[int, Carry],
           min_rest_min: int) -> tuple[list[Shift], int, int]:
    """Stage 2: per pool and day, the planned shifts to people by a maximum matching (an edge where the
    person is available, has allowance left and has had the rest since their last shift; among maximum
    matchings the one giving shifts to those with the most allowance left), so a shift is dropped only when
    no assignment of that day staffs them all."""
    shifts: list[Shift] = []
    dropped = retimed = 0
    rest_until = {pid: c.rest_until for pid, c in carry.items()}  # minutes from the roster's first midnight
    week_count: dict[tuple[int, tuple[int, int]], int] = defaultdict(int)
    for pid, c in carry.items():
        for wk, n in c.week_used.items():
            week_count[(pid, wk)] = n
    for d, day in enumerate(days):
        wk = week_of(day)
        for g, key in enumerate(pools):
            todo = sorted((p for i, p in enumerate(pats) for _ in range(counts[(g, d)][i])),
                          key=lambda p: (p.start_min, -p.length_min))
            if not todo:
                continue
            free = [p for p in pools[key] if day.weekday() in p.available_weekdays
                    and week_count[(p.id, wk)] < p.max_shifts_per_week]
            cost = np.full((len(todo), max(len(free), 1)), NO_EDGE)
            tomorrow = d + 1 < len(days) and days[d + 1]
            for i, pat in enumerate(todo):
                start_abs = d * 1440 + pat.start_min
                for j, p in enumerate(free):
                    if start_abs >= rest_until.get(p.id, -10**9):
                        # late shifts rather to those off tomorrow, whose rest then costs nothing
                        ahead = bool(tomorrow and tomorrow.weekday() in p.available_weekdays)
                        cost[i, j] = (-(p.max_shifts_per_week - week_count[(p.id, wk)])
                                      + LOOKAHEAD * ahead * pat.end_min / 1440 + 1e-6 * j)
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
                        if (alt.template_id == todo[i].template_id
                                and d * 1440 + alt.start_min >= rest_until.get(p.id, -10**9)):
                            gap = (abs(alt.start_min - todo[i].start_min), alt.start_min, j)
                            if best is None or gap < best[0]:
                                best = (gap, alt, j)
                if best is None:
                    dropped += 1
                    continue
                todo[i] = best[1]
                done[i] = best[2]
                taken.add(best[2])
                retimed += 1
            for i, j in sorted(done.items()):
                who, pat = free[j], todo[i]
                week_count[(who.id, wk)] += 1
                rest_until[who.id] = d * 1440 + pat.end_min + min_rest_min
                shifts.append(Shift(who.id, who.channel, day, pat))
    shifts.sort(key=lambda x: (x.day, x.pattern.start_min, x.person_id))
    return shifts, dropped, retimed


def on_floor(shifts: Sequence[Shift], days: Sequence[date]) -> dict[tuple[int, int], list[int]]:
    """(day index, slot) -> the people on the floor then (overnight shifts counted on the next day's slots)."""
    index = {d: i for i, d in enumerate(days)}
    out: dict[tuple[int, int], list[int]] = defaultdict(list)
    for x in shifts:
        if x.day not in index:
            continue
        for s in np.nonzero(x.pattern.cover())[0]:
            d = index[x.day] + int(s) // SLOTS
            if d < len(days):
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
