"""The roster optimiser: exact cover of a requirement it can meet, labour rules, honest coverage."""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np
import pytest

from telqc.workforce.roster import SLOTS, Person, Template, patterns, solve

DAY = Template(1, "白班", 480, 8 * 60, 10 * 60, 60, 180, 240)
MON = date(2026, 12, 7)


def _req(days: int, spans: list[tuple[int, int, int]]) -> np.ndarray:
    """Heads needed: (first slot, last slot exclusive, heads) added up, the same every day."""
    r = np.zeros((days, SLOTS))
    for a, b, k in spans:
        r[:, a:b] += k
    return r


def test_covers_a_small_requirement_exactly():
    # two people 08:00–16:00 with lunch 11:00–12:00, one 10:00–18:00 with lunch 14:00–15:00
    req = _req(2, [(16, 22, 2), (24, 32, 2)]) + _req(2, [(20, 28, 1), (30, 36, 1)])
    people = [Person(i, "hotline", frozenset(range(7))) for i in range(1, 5)]
    res = solve([MON, MON + timedelta(days=1)], {"hotline": req}, [DAY], people)
    assert res.under == 0 and res.over == 0 and res.dropped == 0
    assert np.array_equal(res.coverage["hotline"], req)
    assert len(res.shifts) == 6


def test_never_rosters_more_than_the_weekly_allowance_or_unavailable_days():
    days = [MON + timedelta(days=i) for i in range(7)]
    req = _req(7, [(16, 34, 3)])
    people = [Person(i, "hotline", frozenset({0, 1, 2, 3, 4}), max_shifts_per_week=4) for i in range(1, 4)]
    res = solve(days, {"hotline": req}, [DAY], people)
    per_person = {p.id: [s for s in res.shifts if s.person_id == p.id] for p in people}
    assert all(len(v) <= 4 for v in per_person.values())
    assert all(s.day.weekday() < 5 for s in res.shifts)
    assert res.under > 0  # 3 people × 4 shifts cannot cover 3 heads × 7 days; the gap is reported
    assert all(len({s.day for s in v}) == len(v) for v in per_person.values())  # one shift a day


def test_rest_between_shifts_is_kept():
    late = Template(2, "晚班", 480, 14 * 60, 14 * 60)
    early = Template(3, "早班", 480, 6 * 60, 6 * 60)
    days = [MON, MON + timedelta(days=1)]
    req = np.zeros((2, SLOTS))
    req[0, 28:44] = 1  # 14:00–22:00 on Monday
    req[1, 12:28] = 1  # 06:00–14:00 on Tuesday: 8 h after Monday's late shift
    res = solve(days, {"hotline": req}, [late, early], [Person(1, "hotline", frozenset(range(7)))])
    assert len(res.shifts) == 1 and res.dropped + res.under / 16 >= 1


def test_patterns_place_lunch_inside_its_window():
    ps = patterns([DAY])
    assert len(ps) == 5 * 3
    assert all(p.lunch_start_min is not None and 180 <= p.lunch_start_min - p.start_min <= 240 for p in ps)
    assert all(p.cover().sum() == 14 for p in ps)


def test_requirement_of_the_wrong_shape_is_refused():
    with pytest.raises(ValueError, match="shape"):
        solve([MON], {"hotline": np.zeros((2, SLOTS))}, [DAY], [])
