"""Short breaks (小休) in shift templates: placed against the requirement (in stage 1's patterns on small
rosters, after the solve on large ones, both tested), inside their windows, never in lunch, and the coverage
counts a person on a break out of that whole 30-minute interval."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from telqc.workforce import roster
from telqc.workforce.roster import BREAKS_IN_PATTERNS_MAX, SLOT_MIN, SLOTS, Person, Template, patterns, solve

MON = date(2026, 12, 7)


@pytest.mark.parametrize("where", ["auto", "patterns", "after"])
def test_staggered_breaks_cover_a_requirement_exactly(where: str) -> None:
    # three people 08:00–12:00, each with a 15-minute break 1–2.5 h after the start; the requirement dips by one
    # head at 09:00, 09:30 and 10:00: only breaks staggered one per interval meet it without a gap or a spare head
    t = Template(1, "短班", 240, 8 * 60, 8 * 60, break_min=15, break_earliest_min=60, break_latest_min=150)
    req = np.zeros((1, SLOTS))
    req[0, 16:24] = 3
    req[0, 18:21] = 2
    people = [Person(i, "hotline", frozenset(range(7))) for i in (1, 2, 3)]
    res = solve([MON], {"hotline": req}, [t], people, breaks=where)
    assert res.under == 0 and res.over == 0 and res.dropped == 0
    assert np.array_equal(res.coverage["hotline"], req)
    breaks = sorted(x.pattern.break_start_min for x in res.shifts if x.pattern.break_start_min is not None)
    assert breaks == [9 * 60, 9 * 60 + 30, 10 * 60], "one break in each dip, none where all three are needed"
    for x in res.shifts:  # whoever is on a break is not counted in that interval
        assert x.person_id not in res.assignment.get((0, x.pattern.break_slots()[0]), {})


def test_a_break_never_shares_an_interval_with_lunch() -> None:
    t = Template(1, "白班", 480, 8 * 60, 8 * 60, 60, 180, 240, break_min=15, break_earliest_min=150,
                 break_latest_min=270)
    ps = patterns([t])
    assert ps and all(p.break_start_min is not None and p.lunch_start_min is not None for p in ps)
    for p in ps:
        assert p.lunch_start_min is not None
        lunch = set(range(p.lunch_start_min // SLOT_MIN, (p.lunch_start_min + p.lunch_min) // SLOT_MIN))
        assert not lunch & set(p.break_slots())
        assert p.cover().sum() == 16 - 2 - 1  # 8 h on the grid, lunch 2 intervals, the break its whole interval


@st.composite
def instances(draw: st.DrawFn) -> tuple[list[Template], np.ndarray, list[Person]]:
    templates = []
    for i in range(draw(st.integers(1, 2))):
        length = draw(st.sampled_from([240, 360, 480]))
        start = draw(st.integers(12, 30)) * SLOT_MIN
        lunch = draw(st.sampled_from([0, 30, 60])) if length >= 360 else 0
        lunch_at = draw(st.integers(2, length // SLOT_MIN - 4)) * SLOT_MIN if lunch else 0
        early = draw(st.integers(1, length // SLOT_MIN - 2)) * SLOT_MIN
        late = min(early + draw(st.integers(0, 3)) * SLOT_MIN, length - SLOT_MIN)
        templates.append(Template(i + 1, f"t{i}", length, start, start + draw(st.integers(0, 2)) * SLOT_MIN,
                                  lunch, lunch_at, lunch_at + (SLOT_MIN if lunch else 0),
                                  draw(st.sampled_from([10, 15, 20, 30])), early, late))
    req = np.zeros((2, SLOTS))
    for d in range(2):
        a = draw(st.integers(12, 36))
        req[d, a:a + draw(st.integers(2, 16))] = draw(st.integers(1, 3))
    people = [Person(i, "hotline", frozenset(range(7))) for i in range(1, draw(st.integers(1, 4)) + 1)]
    return templates, req, people


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(instances(), st.sampled_from(["patterns", "after"]))
def test_every_break_lies_in_its_window_and_is_counted_out(case: tuple[list[Template], np.ndarray,
                                                                       list[Person]], where: str) -> None:
    templates, req, people = case
    if not patterns(templates):
        return
    days = [MON, MON + timedelta(days=1)]
    res = solve(days, {"hotline": req}, templates, people, time_limit_s=10, breaks=where)
    by_id = {t.id: t for t in templates}
    heads = np.zeros((2, SLOTS))
    for x in res.shifts:
        t, p = by_id[x.pattern.template_id], x.pattern
        assert p.break_start_min is not None and p.break_min == t.break_min
        assert t.break_earliest_min <= p.break_start_min - p.start_min <= t.break_latest_min
        assert p.break_start_min + p.break_min <= p.end_min
        d = (x.day - MON).days
        for k in p.break_slots():  # on a break: not on the floor, not on a skill
            if d + k // SLOTS < 2:
                assert x.person_id not in res.assignment.get((d + k // SLOTS, k % SLOTS), {})
        for slot in np.nonzero(p.cover())[0]:
            if d + int(slot) // SLOTS < 2:
                heads[d + int(slot) // SLOTS, int(slot) % SLOTS] += 1
    assert np.array_equal(res.coverage["hotline"], heads), "coverage is the heads on the floor, breaks out"


def test_after_the_solve_a_break_goes_where_a_head_is_spare() -> None:
    # two people 08:00–16:00 with lunch 12:00–13:00 and a break 1–3 h after the start; the requirement wants
    # both all day except one head at 10:30: the placement puts one break in that spare interval (the only one
    # in the window) and the other where it costs least (no other spare head: one head short once, as the
    # in-pattern optimum is)
    t = Template(1, "白班", 480, 8 * 60, 8 * 60, 60, 240, 240, break_min=15, break_earliest_min=60,
                 break_latest_min=180)
    req = np.zeros((1, SLOTS))
    req[0, 16:32] = 2
    req[0, 24:26] = 0  # lunch
    req[0, 21] = 1
    people = [Person(i, "hotline", frozenset(range(7))) for i in (1, 2)]
    res = solve([MON], {"hotline": req}, [t], people, breaks="after")
    starts = sorted(x.pattern.break_start_min or 0 for x in res.shifts)
    assert len(res.shifts) == 2 and 10 * 60 + 30 in starts
    assert res.under == 1 and res.over == 0
    exact = solve([MON], {"hotline": req}, [t], people, breaks="patterns")
    assert (exact.under, exact.over) == (1, 0)


def test_large_rosters_place_breaks_after_the_solve(monkeypatch: pytest.MonkeyPatch) -> None:
    # the switch: with more pattern integers than BREAKS_IN_PATTERNS_MAX stage 1 gets break-less patterns
    t = Template(1, "早班", 480, 7 * 60, 11 * 60, 60, 180, 300, break_min=15, break_earliest_min=60,
                 break_latest_min=120)
    with_breaks, without = patterns([t]), patterns([t], breaks=False)
    assert len(with_breaks) == 3 * len(without) and all(p.break_start_min is None for p in without)
    days = [MON + timedelta(days=i) for i in range(BREAKS_IN_PATTERNS_MAX // len(with_breaks) + 1)]
    req = np.zeros((len(days), SLOTS))
    req[:, 16:30] = 1
    calls: list[int] = []
    real = roster.place_breaks

    def spy(*args: Any, **kw: Any) -> Any:
        calls.append(1)
        return real(*args, **kw)

    monkeypatch.setattr(roster, "place_breaks", spy)
    one = Person(1, "hotline", frozenset(range(7)), 7, max_consecutive_days=99)
    res = roster.solve(days, {"hotline": req}, [t], [one], min_rest_min=0)
    assert calls == [1], "above the switch the breaks are placed after the solve"
    assert res.shifts and all(x.pattern.break_start_min is not None for x in res.shifts)
    for x in res.shifts:
        assert 60 <= (x.pattern.break_start_min or 0) - x.pattern.start_min <= 120


def test_unknown_break_mode_is_refused() -> None:
    with pytest.raises(ValueError):
        solve([MON], {"hotline": np.zeros((1, SLOTS))}, [], [], breaks="somewhere")
