"""Holdout assignment is a pure function of (campaign, customer); uplift arithmetic checked by hand."""

from __future__ import annotations

import hashlib
import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from telqc.insight import uplift


def test_difference_by_hand() -> None:
    # 120 of 1,000 retained with the offer, 80 of 1,000 held out: 0.12 − 0.08 = 0.04,
    # se = √(0.12·0.88/1000 + 0.08·0.92/1000) = √0.0001792 = 0.0133866, z = 1.959964 → ±0.0262373
    u = uplift.difference(120, 1000, 80, 1000)
    assert (u.treated_rate, u.control_rate) == (0.12, 0.08)
    assert u.difference == pytest.approx(0.04)
    assert u.low == pytest.approx(0.0137627, abs=1e-6)
    assert u.high == pytest.approx(0.0662373, abs=1e-6)
    assert u.significant


def test_small_groups_are_not_significant() -> None:
    # 6/40 vs 4/40: 0.15 − 0.10 = 0.05, se = √(0.1275/40 + 0.09/40) = √0.0054375 = 0.0737394 → ±0.1445268
    u = uplift.difference(6, 40, 4, 40)
    assert u.low == pytest.approx(0.05 - 0.1445268, abs=1e-6)
    assert u.high == pytest.approx(0.05 + 0.1445268, abs=1e-6)
    assert not u.significant


def test_other_confidence_and_a_negative_effect() -> None:
    # 90% (z = 1.644854): 30/200 vs 50/200 = −0.10, se = √(0.15·0.85/200 + 0.25·0.75/200) = √0.001575 = 0.0396863
    u = uplift.difference(30, 200, 50, 200, confidence=0.90)
    assert u.difference == pytest.approx(-0.10)
    assert u.high == pytest.approx(-0.10 + 1.644854 * 0.0396863, abs=1e-6)
    assert u.significant


@pytest.mark.parametrize("args", [(5, 0, 1, 10), (11, 10, 1, 10), (1, 10, -1, 10)])
def test_bad_counts_are_refused(args: tuple[int, int, int, int]) -> None:
    with pytest.raises(ValueError, match="successes"):
        uplift.difference(*args)


def test_bucket_is_the_documented_hash() -> None:
    digest = hashlib.sha256(b"retain-2026-12\x1f100007").digest()
    assert uplift.bucket("retain-2026-12", 100007) == int.from_bytes(digest[:8], "big") / 2**64
    assert uplift.bucket("retain-2026-12", 100007) == uplift.bucket("retain-2026-12", "100007")


@given(
    campaign=st.text(max_size=20),
    customer=st.integers(min_value=0, max_value=10**12),
    share=st.floats(min_value=0.0, max_value=1.0),
)
def test_assignment_is_stable_and_monotone_in_share(campaign: str, customer: int, share: float) -> None:
    first = uplift.in_holdout(campaign, customer, share)
    assert uplift.in_holdout(campaign, customer, share) == first
    assert not uplift.in_holdout(campaign, customer, 0.0)
    assert uplift.in_holdout(campaign, customer, 1.0)  # buckets are below 1
    if first:  # a larger holdout keeps everyone a smaller one held out
        assert uplift.in_holdout(campaign, customer, min(1.0, share + 0.1))


@settings(max_examples=20, deadline=None)
@given(
    campaign=st.text(min_size=1, max_size=12),
    share=st.sampled_from([0.05, 0.1, 0.2, 0.5]),
    start=st.integers(min_value=0, max_value=10**9),
)
def test_holdout_share_is_the_asked_proportion(campaign: str, share: float, start: int) -> None:
    n = 4000
    ids = list(range(start, start + n))
    held = uplift.holdout(campaign, ids, share)
    # binomial: within 4.5 standard deviations (a false failure about once in 150,000 examples)
    assert abs(held.mean() - share) < 4.5 * math.sqrt(share * (1 - share) / n)
    # the batch answer is the one-by-one answer, in any order
    assert list(uplift.holdout(campaign, reversed(ids), share)) == list(held[::-1])


def test_campaigns_reshuffle_independently() -> None:
    ids = range(20_000)
    a, b = uplift.holdout("a", ids, 0.5), uplift.holdout("b", ids, 0.5)
    # independent halves overlap on a quarter (sd 0.003)
    assert abs((a & b).mean() - 0.25) < 0.015
