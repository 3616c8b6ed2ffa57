"""The effect engine on synthetic data with a known answer: a real effect is detected, a season is not credited."""

from __future__ import annotations

import math
import random
from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from telqc.improvement.effect import Counts, Method, Verdict, before_after, difference_in_differences


def days(start: date, n: int) -> list[str]:
    return [(start + timedelta(days=i)).isoformat() for i in range(n)]


def season(i: int) -> float:
    """A weekly cycle plus a slow drift, as complaint rates have."""
    return 3.0 + 0.6 * math.sin(2 * math.pi * i / 7) + 0.01 * i


def series(keys: list[str], offset: int, level: float, noise: float, rng: random.Random) -> dict[str, float | None]:
    return {k: level + season(offset + i) + rng.gauss(0, noise) for i, k in enumerate(keys)}


BEFORE, AFTER = days(date(2026, 9, 1), 28), days(date(2026, 10, 1), 28)


def test_a_real_effect_is_detected_net_of_the_comparison_group() -> None:
    rng = random.Random(7)
    t0, c0 = series(BEFORE, 0, 0.0, 0.15, rng), series(BEFORE, 0, 0.4, 0.15, rng)
    t1, c1 = series(AFTER, 30, -0.5, 0.15, rng), series(AFTER, 30, 0.4, 0.15, rng)  # the plan cut 0.5 per 10k
    e = difference_in_differences(t0, t1, c0, c1, direction="lower")
    assert e.method is Method.DID and e.verdict is Verdict.EFFECTIVE
    assert e.ci_low is not None and e.ci_high is not None and e.ci_low < -0.5 < e.ci_high < 0
    assert e.estimate == pytest.approx(-0.5, abs=0.15) and e.p_value is not None and e.p_value < 0.001


def test_a_seasonal_fall_without_effect_is_not_credited() -> None:
    rng = random.Random(11)
    t0, c0 = series(BEFORE, 0, 0.0, 0.15, rng), series(BEFORE, 0, 0.4, 0.15, rng)
    t1, c1 = series(AFTER, 30, -1.0, 0.15, rng), series(AFTER, 30, -0.6, 0.15, rng)  # both fall by 1.0: the season
    naive = before_after(t0, t1, direction="lower")
    assert naive.method is Method.MANN_WHITNEY
    assert naive.verdict is Verdict.EFFECTIVE, "the trap a plain comparison falls in"
    e = difference_in_differences(t0, t1, c0, c1, direction="lower")
    assert e.verdict is Verdict.NOT_SHOWN and e.ci_low is not None and e.ci_high is not None
    assert e.ci_low < 0 < e.ci_high


def test_a_change_for_the_worse_is_called_worse() -> None:
    rng = random.Random(3)
    t0, c0 = series(BEFORE, 0, 0.0, 0.1, rng), series(BEFORE, 0, 0.0, 0.1, rng)
    t1, c1 = series(AFTER, 30, 0.8, 0.1, rng), series(AFTER, 30, 0.0, 0.1, rng)
    assert difference_in_differences(t0, t1, c0, c1, direction="lower").verdict is Verdict.WORSE
    assert difference_in_differences(t0, t1, c0, c1, direction="higher").verdict is Verdict.EFFECTIVE


def test_two_proportion_test_by_hand() -> None:
    # 900/1000 closed in time before, 950/1000 after: pooled 0.925, se 0.011779, z 4.2448, p 2.19e-5
    e = before_after({}, {}, direction="higher", counts=(Counts(900, 1000), Counts(950, 1000)))
    assert e.method is Method.TWO_PROPORTION and e.verdict is Verdict.EFFECTIVE
    assert e.estimate == pytest.approx(0.05) and e.p_value == pytest.approx(2.19e-5, rel=0.01)
    assert e.ci_low == pytest.approx(0.05 - 1.959964 * math.sqrt(0.9 * 0.1 / 1000 + 0.95 * 0.05 / 1000), rel=1e-6)
    small = before_after({}, {}, direction="higher", counts=(Counts(9, 10), Counts(10, 11)))
    assert small.verdict is Verdict.NOT_SHOWN and small.p_value is not None and small.p_value > 0.5


def test_tiny_variances_give_a_finite_answer() -> None:
    """Differences varying by 1e-85: their variance ~1e-170 squares to 0, the dof must not divide by it."""
    t0 = {d: 1e-85 if i % 2 else 0.0 for i, d in enumerate(BEFORE[:8])}
    c0 = dict.fromkeys(BEFORE[:8], 0.0)
    t1, c1 = dict.fromkeys(AFTER[:8], 2.0), dict.fromkeys(AFTER[:8], 1.0)
    e = difference_in_differences(t0, t1, c0, c1, direction="higher")
    assert e.estimate == pytest.approx(1.0) and e.p_value is not None and math.isfinite(e.p_value)
    assert e.verdict is Verdict.EFFECTIVE


def test_too_few_days_tell_nothing() -> None:
    e = difference_in_differences({"2026-10-01": 1.0}, {"2026-10-02": 0.0}, {"2026-10-01": 1.0},
                                  {"2026-10-02": 1.0}, direction="lower")
    assert e.method is Method.NONE and e.verdict is Verdict.NOT_SHOWN and e.estimate is None
    assert before_after({"a": 1.0}, {"b": 2.0}, direction="lower").method is Method.NONE


def test_days_missing_in_either_group_are_left_out() -> None:
    t0 = dict.fromkeys(BEFORE[:10], 2.0) | {BEFORE[10]: None}
    c0 = dict.fromkeys(BEFORE[:8], 1.0)
    t1, c1 = dict.fromkeys(AFTER[:10], 1.5), dict.fromkeys(AFTER[:10], 1.0)
    e = difference_in_differences(t0, t1, c0, c1, direction="lower")
    assert (e.days_before, e.days_after) == (8, 10) and e.estimate == pytest.approx(-0.5)
    assert e.p_value == 0.0 and e.verdict is Verdict.EFFECTIVE  # no variance at all: the change is exact


values = st.lists(st.floats(-50, 50, allow_nan=False), min_size=6, max_size=20)


@settings(max_examples=60, deadline=None)
@given(values, values, values, values, st.lists(st.floats(-20, 20, allow_nan=False), min_size=40, max_size=40))
def test_a_shock_common_to_both_groups_never_moves_the_estimate(
        tb: list[float], ta: list[float], cb: list[float], ca: list[float], shock: list[float]) -> None:
    n0, n1 = min(len(tb), len(cb)), min(len(ta), len(ca))
    kb, ka = BEFORE[:n0], AFTER[:n1]
    plain = difference_in_differences(dict(zip(kb, tb, strict=False)), dict(zip(ka, ta, strict=False)),
                                      dict(zip(kb, cb, strict=False)), dict(zip(ka, ca, strict=False)), "lower")
    s0, s1 = shock[:n0], shock[20:20 + n1]
    def add(keys: list[str], vals: list[float], shocks: list[float]) -> dict[str, float | None]:
        return {k: v + x for k, v, x in zip(keys, vals, shocks, strict=False)}

    shocked = difference_in_differences(add(kb, tb, s0), add(ka, ta, s1), add(kb, cb, s0), add(ka, ca, s1), "lower")
    assert plain.estimate is not None and shocked.estimate is not None
    assert shocked.estimate == pytest.approx(plain.estimate, abs=1e-6)
    assert plain.ci_low is not None and plain.ci_high is not None
    assert plain.ci_low - 1e-9 <= plain.estimate <= plain.ci_high + 1e-9
