"""The roster's labour rules across its edges (issue 21 follow-up): days worked in a row, counting those of the
roster before and of a stored roster after; the rest before a roster that follows; the previous night shift's
heads on the first morning."""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from telqc.workforce.roster import (
    SLOTS,
    Pattern,
    Person,
    Shift,
    Template,
    carry_in,
    most_days,
    patterns,
    solve,
)

MON = date(2026, 12, 7)
EARLY = Template(1, "早班", 480, 8 * 60, 8 * 60)
NIGHT = Template(2, "夜班", 480, 22 * 60, 22 * 60)
DAWN = Template(3, "凌晨班", 480, 0, 0)
ALL_WEEK = frozenset(range(7))


def _days(n: int, first: date = MON) -> list[date]:
    return [first + timedelta(days=i) for i in range(n)]


def _req(n_days: int, a: int = 16, b: int = 32, heads: int = 1) -> np.ndarray:
    r = np.zeros((n_days, SLOTS))
    r[:, a:b] = heads
    return r


def _worked(pid: int, days: list[date], template: Template = EARLY) -> list[Shift]:
    return [Shift(pid, "hotline", d, patterns([template])[0]) for d in days]


def _longest_run(days: set[date]) -> int:
    best = 0
    for d in days:
        if d - timedelta(days=1) not in days:
            n = 0
            while d + timedelta(days=n) in days:
                n += 1
            best = max(best, n)
    return best


def test_most_days_in_a_window_counts_the_days_in_a_row_on_both_sides():
    assert most_days([True] * 7, 6) == 6
    assert most_days([True] * 7, 6, run_in=6) == 6  # day 1 off, then six
    assert most_days([True] * 3, 6, run_in=6) == 2
    assert most_days([True], 6, run_in=6) == 0
    assert most_days([True] * 3, 6, run_in=2, run_out=3) == 2  # 2 + 3 + 3 would be 8 in a row
    assert most_days([True, False, True], 1) == 2
    assert most_days([True] * 4, 3, run_out=3) == 3  # the last day off: the next roster starts a 3-day run


def test_a_person_who_worked_six_days_before_the_roster_cannot_work_its_first_day():
    before = _worked(1, _days(6, MON - timedelta(days=6)))
    carry = carry_in(before, MON, 11 * 60)
    assert carry[1].run_before == 6
    alone = solve(_days(2), {"hotline": _req(2)}, [EARLY], [Person(1, "hotline", ALL_WEEK, 7)], previous=before)
    assert [x.day for x in alone.shifts] == [MON + timedelta(days=1)]
    assert alone.under == 16, "Monday's 8 hours are short and reported"
    # with a rested colleague, Monday goes to them and nothing is short
    two = solve(_days(2), {"hotline": _req(2)}, [EARLY],
                [Person(1, "hotline", ALL_WEEK, 7), Person(2, "hotline", ALL_WEEK, 7)], previous=before)
    assert [(x.day, x.person_id) for x in two.shifts if x.day == MON] == [(MON, 2)]
    assert two.under == 0 and two.dropped == 0


def test_the_cap_is_configurable_per_person():
    before = _worked(1, _days(3, MON - timedelta(days=3)))
    res = solve(_days(1), {"hotline": _req(1)}, [EARLY], [Person(1, "hotline", ALL_WEEK, 7, max_consecutive_days=3)],
                previous=before)
    assert res.shifts == [] and res.under == 16
    res = solve(_days(1), {"hotline": _req(1)}, [EARLY], [Person(1, "hotline", ALL_WEEK, 7, max_consecutive_days=4)],
                previous=before)
    assert len(res.shifts) == 1 and res.under == 0


def test_the_optimiser_covers_a_small_requirement_exactly_within_the_cap():
    # one head 08:00–16:00 on 8 days; two people, at most 3 days in a row each, 7 shifts a week allowed
    days = _days(8)
    people = [Person(i, "hotline", ALL_WEEK, 7, max_consecutive_days=3) for i in (1, 2)]
    res = solve(days, {"hotline": _req(8)}, [EARLY], people)
    assert res.under == 0 and res.over == 0 and res.dropped == 0
    assert np.array_equal(res.coverage["hotline"], _req(8))
    for p in people:
        assert _longest_run({x.day for x in res.shifts if x.person_id == p.id}) <= 3


def test_a_stored_roster_that_follows_limits_the_days_in_a_row_and_the_rest_before_it():
    # the stored roster after the new one: person 1 works its first 4 days, from 06:00 (dawn-ish early shift)
    days = _days(3)
    after = [Shift(1, "hotline", MON + timedelta(days=3 + i), Pattern(9, 6 * 60, 480, None, 0)) for i in range(4)]
    carry = carry_in([], MON, 11 * 60, after, 3)
    assert carry[1].run_after == 4 and carry[1].end_by == 3 * 1440 + 6 * 60 - 11 * 60
    late = Template(4, "晚班", 480, 14 * 60, 14 * 60)  # 14:00–22:00: 8 h before the next 06:00
    person = [Person(1, "hotline", ALL_WEEK, 7, max_consecutive_days=6)]
    res = solve(days, {"hotline": _req(3, 28, 44)}, [late], person, following=after)
    # days 1–2 are fine; day 3 would leave 8 h of rest and make 7 days in a row: not worked
    assert [x.day for x in res.shifts] == days[:2] and res.under == 16
    early = solve(days, {"hotline": _req(3)}, [EARLY], person, following=after)
    # the 6-day cap alone: two of the three days (days 2–3 + the 4 after make 6 in a row; all three make 7)
    assert len(early.shifts) == 2 and early.under == 16
    assert _longest_run({x.day for x in [*early.shifts, *after]}) <= 6


def test_the_previous_night_shift_covers_the_first_early_morning():
    # Sunday 22:00–Monday 06:00 was published; Monday 00:00–06:00 needs one head
    req = {"hotline": _req(1, 0, 12)}
    people = [Person(1, "hotline", ALL_WEEK, 7), Person(2, "hotline", ALL_WEEK, 7)]
    without = solve(_days(1), req, [DAWN], people)
    assert len(without.shifts) == 1 and without.under == 0
    night = _worked(1, [MON - timedelta(days=1)], NIGHT)
    res = solve(_days(1), req, [DAWN], people, previous=night)
    assert res.shifts == [], "no shift needed: the night shift's heads are on the floor until 06:00"
    assert res.under == 0 and res.over == 0
    assert np.array_equal(res.coverage["hotline"][0, :12], np.ones(12))


@st.composite
def instances(draw: st.DrawFn) -> tuple[list[date], list[Person], list[Shift], np.ndarray]:
    n_days = draw(st.integers(3, 9))
    people = [Person(i + 1, "hotline", frozenset(draw(st.sets(st.integers(0, 6), min_size=3))),
                     draw(st.integers(3, 7)), max_consecutive_days=draw(st.integers(1, 6)))
              for i in range(draw(st.integers(1, 3)))]
    previous = []
    for p in people:
        run = draw(st.integers(0, 7))
        previous += _worked(p.id, _days(run, MON - timedelta(days=run)))
    heads = draw(st.lists(st.integers(0, 3), min_size=n_days, max_size=n_days))
    req = np.zeros((n_days, SLOTS))
    for d, k in enumerate(heads):
        req[d, 16:32] = k
    return _days(n_days), people, previous, req


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(instances(), st.integers(0, 5))
def test_no_one_works_more_days_in_a_row_than_their_cap(inst, run_after):
    days, people, previous, req = inst
    following = _worked(1, _days(run_after, days[-1] + timedelta(days=1)))
    res = solve(days, {"hotline": req}, [EARLY], people, previous=previous, following=following,
                time_limit_s=10.0)
    for p in people:
        worked = {x.day for x in res.shifts if x.person_id == p.id}
        mine = worked | {x.day for x in [*previous, *following] if x.person_id == p.id}
        # only runs that include a new shift count (the shifts given may already have broken the rule)
        for d in worked:
            a = b = d
            while a - timedelta(days=1) in mine:
                a -= timedelta(days=1)
            while b + timedelta(days=1) in mine:
                b += timedelta(days=1)
            assert (b - a).days + 1 <= p.max_consecutive_days, (p, sorted(mine))
