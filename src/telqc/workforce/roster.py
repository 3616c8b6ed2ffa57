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
   On large rosters stage 1's patterns leave short breaks out and each rostered shift's break is then put
   where its window has the most spare heads (`place_breaks`; `solve`'s `breaks` says where and what it costs).
3. Which skill each person covers per interval: an integer maximum flow per interval (pools → skills capped
   by the requirement, `scipy.sparse.csgraph.maximum_flow`) over the people actually assigned, then heads
   left over on their own channel. Coverage per skill is computed from this assignment only, so no one is
   counted twice and the chart never shows a shift nobody works.

Why not one model with a variable per person: people of one pool with the same availability are
interchangeable, and a per-person model is thousands of symmetric binaries (a 200-person, 2-week roster is
~100,000) that a MIP solver branches on for minutes; the pattern counts are a few thousand integers.

The modules, by job: `roster_model` (the types, patterns and pools), `roster_rules` (what binds across the
roster's boundary), `roster_plan` (stage 1), `roster_assign` (stages 2 and 3) and this one (the whole solve;
every public name of the engine is importable from here). Storage is `planning`'s.
"""

from __future__ import annotations

import time
from collections import defaultdict
from collections.abc import Mapping, Sequence
from datetime import date

import numpy as np

from telqc.workforce.roster_assign import assign_skills, on_floor, place_breaks, staff_plan
from telqc.workforce.roster_model import (
    HOUR_COST,
    MAX_CONSECUTIVE_DAYS,
    MIN_REST_MIN,
    OVER_WEIGHT,
    SLOT_MIN,
    SLOTS,
    UNDER_WEIGHT,
    Pattern,
    Person,
    Result,
    Shift,
    Template,
    Unplaced,
    break_offsets,
    patterns,
    pools_of,
)
from telqc.workforce.roster_plan import plan_counts
from telqc.workforce.roster_rules import NEVER, Carry, carry_in, most_days, week_of

__all__ = [
    "BREAKS_IN_PATTERNS_MAX",
    "HOUR_COST",
    "MAX_CONSECUTIVE_DAYS",
    "MIN_REST_MIN",
    "NEVER",
    "OVER_WEIGHT",
    "SLOTS",
    "SLOT_MIN",
    "UNDER_WEIGHT",
    "Carry",
    "Pattern",
    "Person",
    "Result",
    "Shift",
    "Template",
    "Unplaced",
    "assign_skills",
    "break_offsets",
    "carry_in",
    "most_days",
    "on_floor",
    "patterns",
    "place_breaks",
    "plan_counts",
    "pools_of",
    "solve",
    "staff_plan",
    "week_of",
]


BREAKS_IN_PATTERNS_MAX = 2_000  # stage 1's pattern-count integers with breaks in the patterns, at most (see solve)


def solve(days: Sequence[date], req: Mapping[str, np.ndarray], templates: Sequence[Template],
          people: Sequence[Person], min_rest_min: int = MIN_REST_MIN, time_limit_s: float = 50.0,
          previous: Sequence[Shift] = (), following: Sequence[Shift] = (),
          breaks: str = "auto") -> Result:
    """Roster `people` over `days` against `req` (skill -> (days, SLOTS) heads needed). `previous`: shifts
    already published for days before the first (the last days of the roster before): the rest after them, the
    days worked in a row and the shifts they used of the first calendar week's allowance hold for the new
    roster too, and their heads still on the floor after midnight (a night shift) cover the first morning.
    `following`: shifts of a stored roster for days after the last: the rest before them, the days in a row
    and the last week's allowance hold likewise.

    `breaks`: where short breaks (小休) are placed. "patterns": in stage 1's patterns, like lunch, so the
    optimiser sees each break's 30-minute hole; but every legal break offset multiplies the patterns (3 offsets
    on 早班/晚班: 91 -> 231 patterns per pool and day) and the bench's 200-person, 2-week roster then ends at the
    time limit. "after": stage 1 plans shifts with lunch only, and `place_breaks` puts each rostered shift's
    break where its window has the most heads over the requirement. The trade-off: stage 1 no longer sees the
    hole, so it cannot add a head or shift a start to cover it; where the window holds no spare head the break
    cuts coverage (bench, docs/BENCHMARKS.md: 203 agent-intervals more short than the in-pattern placement,
    1.2 % of the requirement, solved optimal in 9 s instead of stopping at the 55 s limit). "auto" (default):
    "patterns" while stage 1 would have at most `BREAKS_IN_PATTERNS_MAX` pattern integers (pools × days ×
    patterns with breaks: small rosters, where the exact placement is cheap), "after" above."""
    t0 = time.perf_counter()
    for ch, r in req.items():
        if r.shape != (len(days), SLOTS):
            raise ValueError(f"requirement of {ch} must have shape ({len(days)}, {SLOTS})")
    if breaks not in ("auto", "patterns", "after"):
        raise ValueError(f"breaks must be auto, patterns or after, not {breaks}")
    pools = pools_of(people, sorted(req))
    pats = patterns(templates)
    if breaks == "after" or (breaks == "auto" and len(pools) * len(days) * len(pats) > BREAKS_IN_PATTERNS_MAX):
        breaks, pats = "after", patterns(templates, breaks=False)
    if not pats:
        raise ValueError("no shift pattern fits in a day")
    carry = carry_in(previous, days[0], min_rest_min, following, len(days)) if days else {}
    spill = [x for x in previous if days and x.day < days[0]]
    fixed: dict[tuple[int, int, int], int] = defaultdict(int)
    pool_of = {p.id: g for g, key in enumerate(pools) for p in pools[key]}
    for (d, k), who in on_floor(spill, days).items():
        for pid in who:
            if pid in pool_of:
                fixed[(pool_of[pid], d, k)] += 1
    counts, status = (plan_counts(days, req, pats, pools, min_rest_min, time_limit_s, carry, fixed) if pools
                      else ({}, "optimal"))
    shifts, unplaced = staff_plan(days, pats, pools, counts, carry, min_rest_min)
    if breaks == "after":
        shifts = place_breaks(shifts, spill, days, req, people, templates)
    coverage, assignment = assign_skills([*spill, *shifts], days, req, people)
    under = {ch: float(np.maximum(req[ch] - coverage[ch], 0).sum()) for ch in req}
    over = sum(float(np.maximum(coverage[ch] - req[ch], 0).sum()) for ch in req)
    return Result(shifts, coverage, sum(under.values()), over, sum(u.placed is None for u in unplaced), status,
                  time.perf_counter() - t0, under, assignment, sum(u.placed is not None for u in unplaced),
                  unplaced)
