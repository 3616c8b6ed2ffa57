"""Stages 2 and 3 of the roster (see `roster`): who works each planned shift (a maximum matching per pool and
day within the labour rules, re-timing a shift rather than dropping it), where each rostered shift takes its
short break when stage 1 left breaks out of its patterns (`place_breaks`), and which skill each person on the
floor covers per interval (an integer maximum flow). Pure."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import replace
from datetime import date

import numpy as np
from scipy.optimize import linear_sum_assignment
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import maximum_flow

from telqc.workforce.roster_model import SLOT_MIN, SLOTS, Pattern, Person, Shift, Template, Unplaced, break_offsets
from telqc.workforce.roster_rules import NEVER, Carry, week_of

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


def place_breaks(shifts: Sequence[Shift], fixed: Sequence[Shift], days: Sequence[date],
                 req: Mapping[str, np.ndarray], people: Sequence[Person],
                 templates: Sequence[Template]) -> list[Shift]:
    """Stage 2b: the short break of each rostered shift whose template has one and whose pattern has none, put
    in the interval of its window with the most heads on the floor over the requirement (cutting over-staffing
    first, under-staffing only where no interval of the window has a spare head), shifts with the fewest
    legal offsets first, ties to the earliest; each placed break takes its head off before the next is placed,
    so breaks stagger. Heads and requirement are counted per group of skills joined by someone having both
    (for single-skill people: their channel), which is the Hall bound stage 3's flow works within; `fixed`:
    shifts already published before the roster, on the floor as they are. Intervals past the last day have no
    requirement, so a break there costs nothing."""
    skills = sorted(req)
    if not days:
        return list(shifts)
    group = {k: k for k in skills}

    def root(k: str) -> str:
        while group[k] != k:
            k = group[k]
        return k

    by_id = {p.id: p for p in people}
    for p in people:
        mine = sorted(p.skill_set & set(skills))
        for k in mine[1:]:
            group[root(k)] = root(mine[0])
    n = len(days)
    spare = {root(k): np.zeros((n + 2) * SLOTS) for k in skills}  # slot 0 is the day before's midnight
    for k in skills:
        spare[root(k)][SLOTS:(n + 1) * SLOTS] -= np.asarray(req[k], dtype=float).ravel()
    for arr in spare.values():
        arr[(n + 1) * SLOTS:] = np.inf

    def where(x: Shift) -> tuple[str | None, int]:
        p = by_id.get(x.person_id)
        mine = sorted(p.skill_set & set(skills)) if p else []
        return (root(mine[0]) if mine else None), ((x.day - days[0]).days + 1) * SLOTS

    for x in [*fixed, *shifts]:
        g, base = where(x)
        if g is not None and 0 <= base <= n * SLOTS:
            spare[g][base:base + 2 * SLOTS] += x.pattern.cover()
    by_t = {t.id: t for t in templates}
    todo = []
    out = list(shifts)
    for i, x in enumerate(shifts):
        t = by_t.get(x.pattern.template_id)
        if t is None or not t.break_min or x.pattern.break_start_min is not None:
            continue
        lunch = None if x.pattern.lunch_start_min is None else x.pattern.lunch_start_min - x.pattern.start_min
        offs = break_offsets(t, lunch)
        if offs:
            todo.append((len(offs), x.day, x.pattern.start_min, x.person_id, i, t, offs))
    for _, _, _, _, i, t, offs in sorted(todo, key=lambda z: z[:4]):
        x = shifts[i]
        g, base = where(x)
        if g is None:
            continue
        best = None
        for off in offs:
            at = x.pattern.start_min + off
            slots = range(base + at // SLOT_MIN, base - (-(at + t.break_min) // SLOT_MIN))
            room = min(float(spare[g][s]) for s in slots)
            if best is None or room > best[0]:
                best = (room, at, slots)
        assert best is not None
        for s in best[2]:
            spare[g][s] -= 1
        out[i] = replace(x, pattern=replace(x.pattern, break_start_min=best[1], break_min=t.break_min))
    return out


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
