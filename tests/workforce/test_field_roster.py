"""The field engineers' roster: early/late duties against the engineers needed per province, one on call per
province at night, at most five duties a week, one a day, no day duty after a night, scope respected."""

from __future__ import annotations

from collections import Counter
from datetime import date, timedelta

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from telqc.workforce.field_roster import Engineer, required, solve

MON = date(2026, 12, 7)
WEEK = [MON + timedelta(days=i) for i in range(7)]


def test_covers_the_need_with_early_and_late_and_one_on_call_a_night() -> None:
    # Guangdong needs 1 engineer on duty each day; 6 engineers × 5 duties = 30 ≥ 7 × (1 early + 1 late + 1 night)
    engineers = [Engineer(i, frozenset({"440000"})) for i in range(1, 7)]
    res = solve(WEEK, {"440000": [1] * 7}, engineers)
    assert res.short == 0 and res.nights_uncovered == 0
    assert res.over == 7, "only the 12:00–16:00 overlap of early and late, once a day"
    per_day = Counter((x.day, x.kind) for x in res.duties)
    assert all(per_day[(d, k)] == 1 for d in WEEK for k in ("early", "late", "night"))
    cov, req = res.coverage["440000"], res.required["440000"]
    outside = np.r_[0:24, 32:48]  # all but 12:00–16:00
    assert np.array_equal(cov[:, outside], req[:, outside]), "on duty per interval = needed"
    assert (cov[:, 24:32] == 2).all()


def test_at_most_five_duties_a_week_and_the_gap_is_reported() -> None:
    engineers = [Engineer(1, frozenset({"440000"})), Engineer(2, frozenset({"440000"}))]
    res = solve(WEEK, {"440000": [1] * 7}, engineers)
    assert max(Counter(x.engineer_id for x in res.duties).values()) <= 5
    assert len(res.duties) == 10
    assert res.short > 0 or res.nights_uncovered > 0


def test_engineers_stay_in_their_provinces_and_the_national_one_fills_in() -> None:
    engineers = [Engineer(1, frozenset({"440000"})), Engineer(2, frozenset({"450000"})), Engineer(3, None),
                 Engineer(4, None)]
    days = WEEK[:1]
    res = solve(days, {"440000": [1], "450000": [0]}, engineers)
    assert all(x.province == "440000" for x in res.duties if x.engineer_id == 1)
    assert all(x.province == "450000" for x in res.duties if x.engineer_id == 2)
    assert {x.kind for x in res.duties if x.province == "440000"} == {"early", "late", "night"}
    assert Counter(x.province for x in res.duties if x.kind == "night") == {"440000": 1, "450000": 1}
    assert res.short == 0 and res.nights_uncovered == 0
    # three engineers short of it, the night on call comes before a day block
    res = solve(days, {"440000": [1], "450000": [0]}, engineers[:3])
    assert res.nights_uncovered == 0 and res.short == 1


def test_required_holds_the_need_by_day_and_one_on_call_by_night() -> None:
    r = required(2, [3, 2])
    assert r[0, 16] == 3 and r[0, 39] == 3 and r[0, 40] == 1 and r[1, 0] == 1 and r[1, 15] == 1 and r[1, 16] == 2
    assert r[0, :16].sum() == 0, "the first morning is the night before the roster's"


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.integers(1, 5), st.lists(st.integers(0, 3), min_size=2, max_size=2), st.integers(3, 9))
def test_labour_rules_hold_on_random_instances(n_eng: int, needs: list[int], n_days: int) -> None:
    days = [MON + timedelta(days=i) for i in range(n_days)]
    provinces = ["440000", "450000"]
    engineers = [Engineer(i, frozenset({provinces[i % 2]}) if i % 3 else None) for i in range(1, n_eng + 1)]
    res = solve(days, {p: [needs[j]] * n_days for j, p in enumerate(provinces)}, engineers, time_limit_s=10)
    by_id = {e.id: e for e in engineers}
    assert len({(x.engineer_id, x.day) for x in res.duties}) == len(res.duties), "one duty a day"
    for x in res.duties:
        assert by_id[x.engineer_id].covers(x.province)
    for first in days:  # any 7 days in a row
        week = Counter(x.engineer_id for x in res.duties if first <= x.day < first + timedelta(days=7))
        assert max(week.values(), default=0) <= 5
    nights = {(x.engineer_id, x.day) for x in res.duties if x.kind == "night"}
    assert not any(x.kind != "night" and (x.engineer_id, x.day - timedelta(days=1)) in nights for x in res.duties)
    assert max(Counter((x.province, x.day) for x in res.duties if x.kind == "night").values(), default=0) <= 1
