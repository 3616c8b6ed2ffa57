"""A mergeable fixed-bin histogram for duration percentiles (ASA, AHT, response and resolution times).

Percentiles cannot be added across rollup buckets, but bin counts can: each bucket keeps one
counter per bin (a rollup part ``h.<metric>.<bin>``), and a percentile over any set of buckets
is read from the summed counts. The answer is the upper edge of the bin holding the rank, so
its resolution is the bin width — the same value whether computed from rollups or from raw rows.
"""

from __future__ import annotations

import math
from bisect import bisect_left
from collections.abc import Iterable, Mapping
from functools import lru_cache

# Upper bin edges in seconds (inclusive); the last bin is open ended.
EDGES: tuple[float, ...] = (
    0, 5, 10, 15, 20, 30, 45, 60, 90, 120, 180, 240, 300, 420, 600, 900, 1200, 1800, 2700, 3600,
    5400, 7200, 10800, 14400, 21600, 28800, 43200, 86400, 172800, 259200, 432000, 604800, math.inf,
)


def bin_of(value: float) -> int:
    """Index of the bin holding ``value`` (bins are (EDGES[i-1], EDGES[i]])."""
    return bisect_left(EDGES, max(value, 0.0))


def part(metric: str, index: int) -> str:
    return f"h.{metric}.{index:02d}"


@lru_cache(maxsize=64)
def _names(metric: str) -> tuple[str, ...]:
    return tuple(part(metric, i) for i in range(len(EDGES)))


def parts_of(metric: str) -> list[str]:
    return list(_names(metric))


def add(target: dict[str, float], metric: str, value: float) -> None:
    key = part(metric, bin_of(value))
    target[key] = target.get(key, 0.0) + 1.0


def quantile(parts: Mapping[str, float], metric: str, q: float) -> float | None:
    """Upper edge of the bin holding rank ceil(q·n); None without data."""
    get = parts.get
    counts = [get(name, 0.0) for name in _names(metric)]
    n = sum(counts)
    if n <= 0:
        return None
    rank = max(1, math.ceil(q * n))
    seen = 0.0
    for i, c in enumerate(counts):
        seen += c
        if seen >= rank:
            edge = EDGES[i]
            return edge if math.isfinite(edge) else EDGES[-2]
    return EDGES[-2]


def quantile_of_values(values: Iterable[float], metric: str, q: float) -> float | None:
    """The same quantile computed from raw values (used to check rollups against raw rows)."""
    h: dict[str, float] = {}
    for v in values:
        add(h, metric, v)
    return quantile(h, metric, q)
