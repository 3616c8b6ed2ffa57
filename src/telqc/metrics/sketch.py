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
from typing import Any

import numpy as np

# Upper bin edges in seconds (inclusive); the last bin is open ended.
EDGES: tuple[float, ...] = (
    0, 5, 10, 15, 20, 30, 45, 60, 90, 120, 180, 240, 300, 420, 600, 900, 1200, 1800, 2700, 3600,
    5400, 7200, 10800, 14400, 21600, 28800, 43200, 86400, 172800, 259200, 432000, 604800, math.inf,
)
METRICS = ("asa", "aht", "frt", "res")
# What a rank in each bin reads as: the bin's upper edge; the open last bin reads as the last finite edge.
_ANSWER = np.array([*EDGES[:-1], EDGES[-2]])


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


def quantile(parts: Mapping[str, Any], metric: str, q: float) -> Any:
    """Upper edge of the bin holding rank ceil(q·n); NaN without data. Parts may be floats or columns."""
    seen = np.cumsum(np.stack([np.asarray(parts[name], dtype=float) for name in _names(metric)]), axis=0)
    n = seen[-1]
    rank = np.maximum(1.0, np.ceil(q * n))
    edge = _ANSWER[np.argmax(seen >= rank, axis=0)]
    return np.where(n > 0, edge, np.nan)


def quantile_of_values(values: Iterable[float], metric: str, q: float) -> float | None:
    """The same quantile computed from raw values (used to check rollups against raw rows)."""
    h: dict[str, float] = {name: 0.0 for name in _names(metric)}
    for v in values:
        add(h, metric, v)
    out = float(quantile(h, metric, q))
    return None if math.isnan(out) else out
