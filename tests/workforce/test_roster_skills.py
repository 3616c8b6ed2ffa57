"""The roster with several skills per person, overnight shifts and the 11 h rest (issue 21 §3)."""

from __future__ import annotations

import itertools
from datetime import date, timedelta

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from telqc.workforce.roster import SLOTS, Pattern, Person, Shift, Template, assign_skills, solve

MON = date(2026, 12, 7)
SKILLS = ("app", "hotline", "wechat")


def _days(n: int) -> list[date]:
    return [MON + timedelta(days=i) for i in range(n)]


def _heads_on_floor(shifts: list[Shift], days: list[date]) -> np.ndarray:
    floor = np.zeros((len(days), SLOTS))
    for x in shifts:
        c = x.pattern.cover()
        d = days.index(x.day)
        floor[d] += c[:SLOTS]
        if d + 1 < len(days):
            floor[d + 1] += c[SLOTS:]
    return floor


def test_two_multi_skilled_people_cover_two_skills_exactly():
    day = Template(1, "白班", 480, 8 * 60, 8 * 60)
    req = {"hotline": np.zeros((1, SLOTS)), "wechat": np.zeros((1, SLOTS))}
    req["hotline"][0, 16:32] = 1
    req["wechat"][0, 16:32] = 1
    people = [Person(1, "hotline", frozenset(range(7)), skills=frozenset({"wechat"})),
              Person(2, "hotline", frozenset(range(7)), skills=frozenset({"wechat"}))]
    res = solve(_days(1), req, [day], people)
    assert res.under == 0 and res.over == 0 and res.dropped == 0
    assert all(np.array_equal(res.coverage[k], req[k]) for k in req)
    assert all(sorted(who.values()) == ["hotline", "wechat"] for who in res.assignment.values())


def test_an_overnight_shift_counts_on_its_start_day_and_covers_the_next_mornings_intervals():
    night = Template(1, "夜班", 480, 22 * 60, 22 * 60)
    req = np.zeros((2, SLOTS))
    req[0, 44:48] = 1  # Monday 22:00–24:00
    req[1, 0:12] = 1  # Tuesday 00:00–06:00
    res = solve(_days(2), {"hotline": req}, [night], [Person(1, "hotline", frozenset(range(7)))])
    assert [(x.day, x.pattern.start_min, x.pattern.overnight) for x in res.shifts] == [(MON, 22 * 60, True)]
    assert np.array_equal(res.coverage["hotline"], req)
    assert res.under == 0 and res.over == 0
    c = Pattern(1, 22 * 60, 480, 25 * 60, 60).cover()  # lunch 01:00–02:00 the next day
    assert list(np.nonzero(c)[0]) == [44, 45, 46, 47, 48, 49, 52, 53, 54, 55, 56, 57, 58, 59]


def test_a_multi_skilled_person_is_never_counted_twice_in_one_interval():
    req = {k: np.ones((1, SLOTS)) for k in SKILLS}
    p = Pattern(1, 8 * 60, 480, None, 0)
    person = Person(1, "hotline", frozenset(range(7)), skills=frozenset(SKILLS))
    cov, assignment = assign_skills([Shift(1, "hotline", MON, p)], _days(1), req, [person])
    total = np.sum([cov[k] for k in SKILLS], axis=0)
    assert total[0, 16:32].tolist() == [1.0] * 16 and total.sum() == 16
    assert all(len(who) == 1 for who in assignment.values())
    res = solve(_days(1), req, [Template(1, "白班", 480, 8 * 60, 8 * 60)], [person])
    assert np.sum([res.coverage[k] for k in SKILLS], axis=0).max() == 1
    assert res.under == 3 * SLOTS - 16


@st.composite
def instances(draw: st.DrawFn) -> tuple[list[date], dict[str, np.ndarray], list[Template], list[Person]]:
    n_days = draw(st.integers(2, 4))
    templates = []
    for i in range(draw(st.integers(1, 3))):
        length = draw(st.sampled_from([240, 480, 600]))
        first = draw(st.integers(0, 46)) * 30
        last = min(first + draw(st.integers(0, 6)) * 30, 23 * 60 + 30)
        templates.append(Template(i + 1, f"t{i}", length, first, last))
    people = []
    for i in range(draw(st.integers(1, 4))):
        skills = draw(st.sets(st.sampled_from(SKILLS), min_size=1, max_size=3))
        days = draw(st.sets(st.integers(0, 6), min_size=1))
        people.append(Person(i + 1, sorted(skills)[0], frozenset(days), draw(st.integers(1, 5)), frozenset(skills)))
    req = {}
    for k in SKILLS:
        r = np.zeros((n_days, SLOTS))
        for _ in range(draw(st.integers(0, 3))):
            d, a = draw(st.integers(0, n_days - 1)), draw(st.integers(0, SLOTS - 1))
            r[d, a:a + draw(st.integers(1, 20))] += draw(st.integers(1, 2))
        req[k] = r
    return _days(n_days), req, templates, people


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(instances())
def test_rest_allowance_and_one_skill_per_head_hold_on_random_instances(inst):
    days, req, templates, people = inst
    res = solve(days, req, templates, people, time_limit_s=10.0)
    mine: dict[int, list[tuple[int, int]]] = {}
    for x in res.shifts:
        start = (x.day - days[0]).days * 1440 + x.pattern.start_min
        mine.setdefault(x.person_id, []).append((start, start + x.pattern.length_min))
    by_id = {p.id: p for p in people}
    for pid, spans in mine.items():
        spans.sort()
        assert all(b[0] - a[1] >= 11 * 60 for a, b in itertools.pairwise(spans)), spans
        weeks: dict[int, int] = {}
        for a, _ in spans:
            weeks[a // (7 * 1440)] = weeks.get(a // (7 * 1440), 0) + 1
        assert max(weeks.values()) <= by_id[pid].max_shifts_per_week
    assert all(x.day.weekday() in by_id[x.person_id].available_weekdays for x in res.shifts)
    # every head on the floor covers exactly one skill they have
    assert np.array_equal(sum(res.coverage[k] for k in SKILLS), _heads_on_floor(res.shifts, days))
    for who in res.assignment.values():
        assert all(sk in by_id[pid].skill_set for pid, sk in who.items())
    for k in SKILLS:
        assert abs(res.unmet[k] - float(np.maximum(req[k] - res.coverage[k], 0).sum())) < 1e-9


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(instances(), st.lists(st.tuples(st.integers(1, 4), st.integers(0, 47), st.sampled_from([240, 480, 600])),
                             max_size=4))
def test_rest_holds_after_the_shifts_of_the_roster_before(inst, before):
    days, req, templates, people = inst
    ids = {p.id for p in people}
    previous = [Shift(pid, "hotline", days[0] - timedelta(days=1), Pattern(1, k * 30, length, None, 0))
                for pid, k, length in before if pid in ids]
    res = solve(days, req, templates, people, time_limit_s=10.0, previous=previous)
    for x in res.shifts:
        start = (x.day - days[0]).days * 1440 + x.pattern.start_min
        for y in previous:
            if y.person_id == x.person_id:
                assert start - (y.pattern.end_min - 1440) >= 11 * 60, (x, y)
