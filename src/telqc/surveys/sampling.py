"""Stratified sampling for periodic satisfaction campaigns (手册 8.3.2: quarterly or half-yearly evaluation).

Pure: plain data in, plain data out. A campaign's sample must represent every province and tier (手册 4.3.3
analyses the results by segment), so the sample size is split over the strata in proportion to their
population (largest remainder, Hamilton's method), with a floor per stratum so a small stratum still gets
enough answers to be read; a stratum smaller than the floor is taken whole. The draw inside each stratum is a
seeded uniform draw without replacement (numpy ``Generator``): the same population and seed give the same
sample whatever order the population came in, so a campaign can be re-drawn and checked.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from fractions import Fraction
from math import floor

import numpy as np

StratumKey = tuple[str, ...]


def allocate(sizes: Mapping[StratumKey, int], n: int, minimum: int = 0) -> dict[StratumKey, int]:
    """How many to draw from each stratum: ``min(n, population)`` in all, never more than a stratum has.

    When ``n`` allows it (``n >= Σ min(minimum, size)``), every stratum gets at least ``min(minimum, size)``:
    strata whose proportional share falls below that floor are fixed at it and the rest is shared
    proportionally among the others, repeated until no share falls below its floor. Otherwise the floors are
    dropped and the allocation is purely proportional. Remainders go to the largest fractional parts; ties to
    the larger stratum, then the smaller key (deterministic)."""
    if n < 0 or minimum < 0 or any(v < 0 for v in sizes.values()):
        raise ValueError("sizes, n and minimum must be non-negative")
    keys = sorted(sizes)
    total = sum(sizes.values())
    n = min(n, total)
    floors = {k: min(minimum, sizes[k]) for k in keys}
    if sum(floors.values()) > n:
        floors = dict.fromkeys(keys, 0)
    out = dict.fromkeys(keys, 0)
    free = [k for k in keys if sizes[k] > 0]
    fixed: set[StratumKey] = set()
    while True:
        n_free = n - sum(floors[k] for k in fixed)
        pop_free = sum(sizes[k] for k in free)
        if pop_free == 0:
            quotas: dict[StratumKey, Fraction] = {}
            break
        quotas = {k: Fraction(n_free * sizes[k], pop_free) for k in free}
        below = [k for k in free if quotas[k] < floors[k]]
        if not below:
            break
        fixed.update(below)
        free = [k for k in free if k not in fixed]
    for k in fixed:
        out[k] = floors[k]
    for k, q in quotas.items():
        out[k] = floor(q)
    left = n - sum(out.values())
    by_remainder = sorted(quotas, key=lambda k: (-(quotas[k] - floor(quotas[k])), -sizes[k], k))
    for k in by_remainder[:left]:
        out[k] += 1
    return out


@dataclass(frozen=True)
class Sample:
    """The drawn customers by stratum, and each stratum's population (the weights of the results)."""

    population: dict[StratumKey, int]
    drawn: dict[StratumKey, list[int]]

    @property
    def customer_ids(self) -> list[int]:
        return sorted(c for ids in self.drawn.values() for c in ids)


def draw(population: Iterable[tuple[int, StratumKey]], n: int, minimum: int, seed: int) -> Sample:
    """A stratified sample of ``min(n, len(population))`` customer ids, allocated by `allocate`."""
    strata: dict[StratumKey, list[int]] = {}
    seen: set[int] = set()
    for customer_id, key in population:
        if customer_id in seen:
            raise ValueError(f"customer {customer_id} is listed twice in the population")
        seen.add(customer_id)
        strata.setdefault(tuple(key), []).append(customer_id)
    sizes = {k: len(v) for k, v in strata.items()}
    sizes_alloc = allocate(sizes, n, minimum)
    rng = np.random.default_rng(seed)
    drawn: dict[StratumKey, list[int]] = {}
    for key in sorted(strata):
        members = sorted(strata[key])
        picked = rng.choice(len(members), size=sizes_alloc[key], replace=False) if sizes_alloc[key] else ()
        drawn[key] = sorted(members[int(i)] for i in picked)
    return Sample(population=sizes, drawn=drawn)
