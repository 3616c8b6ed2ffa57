"""The Erlang engine against hand-computed cases, and its properties (Hypothesis)."""

from __future__ import annotations

import math
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from telqc.workforce.erlang import (
    Case,
    ErlangInputError,
    erlang_a,
    erlang_b,
    erlang_b_from,
    erlang_c,
    exact,
    occupancy_floor,
    recursion_start,
    service_level_c,
    with_shrinkage,
)


def case(calls=100, aht=180, **kw) -> Case:
    return Case(calls=exact(calls), interval_s=1800, aht_s=exact(aht), **kw)


def test_erlang_b_small_values_by_hand():
    # B(1, 1) = 1/2, B(2, 1) = (1/2) / (2 + 1/2) = 1/5, B(3, 2) = 4/19
    assert erlang_b(1, 1.0) == pytest.approx(0.5)
    assert erlang_b(2, 1.0) == pytest.approx(0.2)
    assert erlang_b(3, 2.0) == pytest.approx(4 / 19)


def test_textbook_case_100_calls_3_minutes_80_in_20():
    # 100 calls / 30 min × 180 s = 10 Erlangs: 13 agents give 80/20 not, 14 do (P(wait) 0.1741, SL 88.8%)
    r = erlang_c(case())
    assert (r.agents, r.agents_scheduled) == (14, 14)
    assert r.waiting_probability == pytest.approx(0.17413, abs=1e-5)
    assert r.service_level == pytest.approx(0.88835, abs=1e-5)
    assert r.occupancy == pytest.approx(10 / 14)
    assert service_level_c(13, case()) < 0.8
    assert r.asa_s == pytest.approx(0.17413193 * 180 / 4, rel=1e-6)


def test_shrinkage_ceiling_is_exact():
    # ceil(21 / (1 − 0.3)) = 30; in floats 21 / 0.7 = 30.000000000000004 and ceil gives 31
    assert math.ceil(21 / (1 - 0.3)) == 31
    assert with_shrinkage(21, exact("0.3")) == 30
    assert with_shrinkage(21, exact(0.3)) == 30
    r = erlang_c(case(calls=100, aht=300, shrinkage=exact("0.3")))
    assert (r.agents, r.agents_scheduled) == (21, 30)


def test_occupancy_cap_binds_exactly():
    # 85 calls × 180 s / 1800 s = 8.5 Erlangs; 8.5 / 0.85 is 10 exactly (10.000000000000002 in floats)
    assert occupancy_floor(Fraction(17, 2), exact("0.85")) == 10
    r = erlang_c(case(calls=85, max_occupancy=exact("0.85"), service_level_target=0.5, answer_time_s=20))
    assert r.agents == 10 and r.occupancy == pytest.approx(0.85)
    # a cap below the service-level answer binds: 10 Erlangs at ≤ 60% is 17 agents, more than the 14 of 80/20
    assert erlang_c(case(max_occupancy=exact("0.6"))).agents == 17


def test_asa_target():
    r = erlang_c(case(service_level_target=None, asa_target_s=10.0))
    assert r.asa_s <= 10.0
    smaller = erlang_c(case(service_level_target=None, asa_target_s=1e9))
    assert smaller.agents == 11  # any ASA is met by the first stable count


def test_chat_concurrency_divides_servers():
    one = erlang_c(case(calls=300, aht=600))
    three = erlang_c(case(calls=300, aht=600, concurrency=3))
    assert three.agents == math.ceil(one.agents / 3)


def test_zero_calls_need_nobody():
    r = erlang_c(case(calls=0))
    assert (r.agents, r.agents_scheduled, r.service_level) == (0, 0, 1.0)


@pytest.mark.parametrize(("field", "kw"), [
    ("shrinkage", {"shrinkage": Fraction(1)}), ("max_occupancy", {"max_occupancy": Fraction(0)}),
    ("service_level_target", {"service_level_target": 1.5}), ("aht_s", {"aht": 0}),
])
def test_bad_input_names_the_field(field, kw):
    with pytest.raises(ErlangInputError) as e:
        erlang_c(case(**kw))
    assert e.value.field == field


def test_erlang_a_needs_fewer_than_c_when_callers_abandon():
    for calls, aht in ((100, 180), (500, 300), (40, 420)):
        c = erlang_c(case(calls=calls, aht=aht))
        a = erlang_a(case(calls=calls, aht=aht, patience_s=90.0))
        assert a.agents <= c.agents and a.abandon_probability > 0
        assert a.service_level >= 0.8


def test_erlang_a_with_endless_patience_is_erlang_c():
    for calls, aht in ((100, 180), (500, 300), (20, 600)):
        c = erlang_c(case(calls=calls, aht=aht))
        a = erlang_a(case(calls=calls, aht=aht, patience_s=1e9))
        assert a.agents == c.agents
        assert a.service_level == pytest.approx(c.service_level, abs=1e-4)


loads = st.fractions(min_value=Fraction(1, 10), max_value=Fraction(800), max_denominator=1000)


@settings(max_examples=150, deadline=None)
@given(a=loads, extra=st.integers(1, 60))
def test_more_agents_never_lower_the_service_level(a, extra):
    c = Case(calls=a, interval_s=1, aht_s=1, answer_time_s=20.0 / 180)
    n = math.floor(a) + extra
    assert service_level_c(n + 1, c) >= service_level_c(n, c)


@settings(max_examples=150, deadline=None)
@given(a=loads, cap=st.fractions(min_value=Fraction(1, 2), max_value=Fraction(1), max_denominator=100),
       target=st.sampled_from([0.7, 0.8, 0.9, 0.95]),
       shrink=st.fractions(Fraction(0), Fraction(1, 2), max_denominator=100))
def test_answer_is_the_fewest_that_meet_every_rule(a, cap, target, shrink):
    c = Case(calls=a, interval_s=1, aht_s=1, service_level_target=target, answer_time_s=0.1, max_occupancy=cap,
             shrinkage=shrink)
    r = erlang_c(c)
    n = r.agents
    assert service_level_c(n, c) >= target and Fraction(a) / n <= cap
    # one fewer breaks a rule: the service level, the occupancy cap, or stability
    assert n - 1 <= a or service_level_c(n - 1, c) < target or Fraction(a) / (n - 1) > cap
    # shrinkage: scheduled × (1 − s) covers n, one fewer does not (exact)
    assert r.agents_scheduled * (1 - shrink) >= n > (r.agents_scheduled - 1) * (1 - shrink)


@settings(max_examples=200, deadline=None)
@given(a=st.floats(0.01, 20000), over=st.floats(0, 0.5))
def test_shortened_recursion_matches_the_full_one(a, over):
    n = math.floor(a * (1 + over)) + 1
    full, fast = erlang_b(n, a), erlang_b_from(recursion_start(a), n, a)
    assert fast == pytest.approx(full, rel=1e-13, abs=1e-300)


def test_large_n_does_not_overflow():
    r = erlang_c(Case(calls=60000, interval_s=1800, aht_s=600, shrinkage=exact("0.3")))
    assert 20000 < r.agents < 20200 and 0 < r.service_level <= 1


@settings(max_examples=30, deadline=None)
@given(a=st.fractions(Fraction(1), Fraction(60), max_denominator=10), patience=st.floats(30, 600))
def test_erlang_a_more_agents_never_lower_the_service_level(a, patience):
    c = Case(calls=a, interval_s=180, aht_s=180, patience_s=patience)
    r = erlang_a(c)
    assert r.service_level >= 0.8
    fewer = erlang_a(Case(calls=a, interval_s=180, aht_s=180, patience_s=patience, service_level_target=0.5))
    assert fewer.agents <= r.agents
