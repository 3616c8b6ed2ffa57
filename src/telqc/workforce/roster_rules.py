"""Labour rules across the roster's boundary: calendar weeks for the weekly allowance, what shifts already
published before and after the roster carry in (rest, days in a row, shifts used of a week), and the most days
one person may work in a window under a days-in-a-row cap. Pure."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from telqc.workforce.roster_model import Shift


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
