"""Stage 1 of the roster (see `roster`): how many of each shift pattern per pool and day, one integer program
solved by HiGHS (`scipy.optimize.milp`) against the requirement per skill, within the labour rules. Pure."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from datetime import date

import numpy as np
from scipy.optimize import Bounds, LinearConstraint, milp
from scipy.sparse import coo_matrix

from telqc.workforce.roster_model import HOUR_COST, OVER_WEIGHT, SLOTS, UNDER_WEIGHT, Pattern, Person
from telqc.workforce.roster_rules import NEVER, Carry, most_days, week_of


def plan_counts(days: Sequence[date], req: Mapping[str, np.ndarray], pats: list[Pattern],
                pools: dict[tuple[str, ...], list[Person]], min_rest_min: int,
                time_limit_s: float, carry: Mapping[int, Carry] | None = None,
                fixed: Mapping[tuple[int, int, int], int] | None = None
                ) -> tuple[dict[tuple[int, int], list[int]], str]:
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
