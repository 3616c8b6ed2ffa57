"""`erlang.evaluate` (the what-if at a given head count) and the occupancy cap, as properties (Hypothesis)."""

from __future__ import annotations

import math
from fractions import Fraction

from hypothesis import given, settings
from hypothesis import strategies as st

from telqc.workforce.erlang import Case, erlang_c, evaluate, occupancy_floor, staff, with_shrinkage

loads = st.fractions(min_value=Fraction(1, 2), max_value=Fraction(300), max_denominator=100)


@settings(max_examples=100, deadline=None)
@given(a=loads, patience=st.one_of(st.none(), st.floats(30, 600)), k=st.integers(0, 40))
def test_more_agents_never_lower_the_service_level_at_any_count(a, patience, k):
    c = Case(calls=a, interval_s=180, aht_s=180, patience_s=patience)
    n = max(0, math.floor(a) - 5 + k)
    assert evaluate(c, n + 1).service_level >= evaluate(c, n).service_level - 1e-12


@settings(max_examples=60, deadline=None)
@given(a=st.fractions(Fraction(1, 2), Fraction(60), max_denominator=10), patience=st.one_of(st.none(),
                                                                                            st.floats(60, 600)))
def test_evaluate_agrees_with_the_staffing_answer(a, patience):
    c = Case(calls=a, interval_s=180, aht_s=180, patience_s=patience)
    r = staff(c)
    at = evaluate(c, r.agents)
    assert at.service_level >= 0.8 and abs(at.service_level - r.service_level) < 1e-9
    assert r.agents == 0 or evaluate(c, r.agents - 1).service_level < 0.8, "one fewer misses the target"


@settings(max_examples=150, deadline=None)
@given(a=loads, cap=st.fractions(Fraction(1, 2), Fraction(99, 100), max_denominator=100))
def test_occupancy_cap_binds_when_it_is_the_stricter_rule(a, cap):
    """With a lax service-level target the cap decides: exactly ceil(A / cap) agents (integer arithmetic)."""
    lax = Case(calls=a, interval_s=1, aht_s=1, service_level_target=0.01, answer_time_s=0.1, max_occupancy=cap)
    free = erlang_c(Case(calls=a, interval_s=1, aht_s=1, service_level_target=0.01, answer_time_s=0.1))
    floor = occupancy_floor(Fraction(a), cap)
    assert floor == math.ceil(Fraction(a) / cap) and floor * cap >= a > (floor - 1) * cap
    assert erlang_c(lax).agents == max(floor, free.agents)
    assert Fraction(a) / erlang_c(lax).agents <= cap


@given(n=st.integers(0, 5000), s=st.fractions(Fraction(0), Fraction(95, 100), max_denominator=1000))
def test_shrinkage_ceiling_is_the_least_integer_that_covers(n, s):
    m = with_shrinkage(n, s)
    assert m * (1 - s) >= n and (m == 0 or (m - 1) * (1 - s) < n)
