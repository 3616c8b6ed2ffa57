"""Stages 2 and 3 of the roster (see `roster`): who works each planned shift (a maximum matching per pool and
day within the labour rules, re-timing a shift rather than dropping it), and which skill each person on the
floor covers per interval (an integer maximum flow). Pure."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from datetime import date

import numpy as np
from scipy.optimize import linear_sum_assignment
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import maximum_flow

from telqc.workforce.roster_model import SLOTS, Pattern, Person, Shift, Unplaced
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
