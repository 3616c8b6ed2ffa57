"""Stratified sampling: allocation by largest remainder with a floor, and a seeded draw within each stratum."""

from __future__ import annotations

import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from telqc.surveys.sampling import allocate, draw

GD, ZJ, SC = ("440000",), ("330000",), ("510000",)


def test_proportional_by_largest_remainder() -> None:
    # quotas 10 * (5, 3, 2) / 10 exactly
    assert allocate({GD: 50, ZJ: 30, SC: 20}, 10) == {GD: 5, ZJ: 3, SC: 2}
    # quotas 7 * (6, 3, 1) / 10 = 4.2, 2.1, 0.7: floors 4 + 2 + 0 = 6, the one left to the largest remainder (0.7)
    assert allocate({GD: 60, ZJ: 30, SC: 10}, 7) == {GD: 4, ZJ: 2, SC: 1}


def test_floor_per_stratum_then_proportional_for_the_rest() -> None:
    # SC's quota 10 * 2 / 100 = 0.2 is below the floor 2: fixed at 2, the other 8 shared 70:28 → 5.71, 2.29
    assert allocate({GD: 70, ZJ: 28, SC: 2}, 10, minimum=2) == {GD: 6, ZJ: 2, SC: 2}
    # a stratum smaller than the floor is taken whole
    assert allocate({GD: 100, SC: 1}, 10, minimum=3) == {GD: 9, SC: 1}
    # the floors do not fit in n: purely proportional
    assert allocate({GD: 90, ZJ: 5, SC: 5}, 4, minimum=2) == {GD: 4, ZJ: 0, SC: 0}


def test_never_more_than_the_population() -> None:
    assert allocate({GD: 3, ZJ: 2}, 100, minimum=5) == {GD: 3, ZJ: 2}
    assert allocate({}, 10) == {}
    assert allocate({GD: 0, ZJ: 4}, 2, minimum=1) == {GD: 0, ZJ: 2}


def test_draw_is_seeded_and_order_independent() -> None:
    pop = [(i, ("440000", "gold" if i % 4 == 0 else "regular")) for i in range(1, 401)]
    a = draw(pop, 40, 5, seed=7)
    shuffled = pop[:]
    random.Random(1).shuffle(shuffled)
    assert draw(shuffled, 40, 5, seed=7) == a
    assert draw(pop, 40, 5, seed=8).customer_ids != a.customer_ids
    assert a.population == {("440000", "gold"): 100, ("440000", "regular"): 300}
    assert {k: len(v) for k, v in a.drawn.items()} == {("440000", "gold"): 10, ("440000", "regular"): 30}
    assert all(i % 4 == 0 for i in a.drawn[("440000", "gold")])


def test_a_customer_twice_is_refused() -> None:
    with pytest.raises(ValueError, match="twice"):
        draw([(1, GD), (1, ZJ)], 1, 0, 1)


populations = st.dictionaries(st.tuples(st.sampled_from(["440000", "330000", "510000", "110000"]),
                                        st.sampled_from(["vip", "gold", "silver", "regular"])),
                              st.integers(0, 60), max_size=16)


@settings(max_examples=200, deadline=None)
@given(sizes=populations, n=st.integers(0, 400), minimum=st.integers(0, 10))
def test_allocation_properties(sizes: dict[tuple[str, ...], int], n: int, minimum: int) -> None:
    out = allocate(sizes, n, minimum)
    assert set(out) == set(sizes)
    assert sum(out.values()) == min(n, sum(sizes.values()))
    assert all(0 <= out[k] <= sizes[k] for k in sizes)
    if n >= sum(min(minimum, v) for v in sizes.values()):
        assert all(out[k] >= min(minimum, sizes[k]) for k in sizes)


@settings(max_examples=50, deadline=None)
@given(sizes=populations, n=st.integers(0, 300), minimum=st.integers(0, 5), seed=st.integers(0, 2**31 - 1))
def test_draw_properties(sizes: dict[tuple[str, ...], int], n: int, minimum: int, seed: int) -> None:
    pop, next_id = [], 1
    for key, size in sizes.items():
        for _ in range(size):
            pop.append((next_id, key))
            next_id += 1
    sample = draw(pop, n, minimum, seed)
    ids = sample.customer_ids
    assert len(ids) == len(set(ids)) == min(n, len(pop))
    members = dict(pop)
    assert all(members[c] == key for key, cs in sample.drawn.items() for c in cs)
    assert draw(list(reversed(pop)), n, minimum, seed) == sample
