"""A campaign's results by dimension × segment: raw and stratum-weighted means and satisfied shares, low items.

Pure: plain scores in, plain cells out.

Weighting. The sample is stratified (`telqc.surveys.sampling`): small strata get a floor and answers come back
at different rates per stratum, so the answers over-represent some strata. Each answer in stratum h for a
dimension is weighted ``w_h = N_h / a_h`` (the stratum's population at sending over the answers that
stratum gave for that dimension), which turns a cell's weighted mean into an estimate for the cell's
population (post-stratification on the sampling strata). Both are reported: the raw mean is what the
answers say, the weighted mean what they say of the customers.

Low items (手册 8.3.3: items with low satisfaction get an improvement plan and are watched next time): a cell
with at least ``min_n`` answers whose weighted mean is below ``low_mean`` (e.g. 4.0) or whose weighted
satisfied share (scores 4–5) is below ``low_share`` (e.g. 80%). Cells with fewer answers are insufficient:
shown, never flagged, because a handful of answers says little about a province.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

DIMENSIONS = ("attitude", "efficiency", "quality", "etiquette")
CUTS = ("province", "channel", "tier")
SATISFIED = 4  # 4 satisfied, 5 very satisfied


@dataclass(frozen=True)
class Score:
    stratum: str
    province: str
    channel: str
    tier: str
    dimension: str
    score: int

    def value_of(self, cut: str) -> str:
        return {"province": self.province, "channel": self.channel, "tier": self.tier}[cut]


@dataclass(frozen=True)
class Thresholds:
    min_n: int = 30
    low_mean: float = 4.0
    low_share: float = 0.8


@dataclass(frozen=True)
class Cell:
    dimension: str
    key: dict[str, str]
    n: int
    mean: float
    weighted_mean: float
    satisfied: float
    weighted_satisfied: float
    sufficient: bool
    reasons: tuple[str, ...]  # "mean" and/or "share": why the cell is a low item

    @property
    def low(self) -> bool:
        return bool(self.reasons)


def weights(scores: Iterable[Score], population: Mapping[str, int]) -> dict[tuple[str, str], float]:
    """(stratum, dimension) → N_h / a_h."""
    answers: dict[tuple[str, str], int] = defaultdict(int)
    for s in scores:
        answers[(s.stratum, s.dimension)] += 1
    return {k: population.get(k[0], 0) / a for k, a in answers.items()}


def aggregate(scores: Sequence[Score], population: Mapping[str, int], by: Sequence[str],
              limits: Thresholds = Thresholds()) -> list[Cell]:
    """One cell per dimension × combination of ``by`` values present in the answers, in dimension then key order."""
    if any(c not in CUTS for c in by):
        raise ValueError(f"cut by {', '.join(CUTS)}")
    w = weights(scores, population)
    groups: dict[tuple[str, tuple[str, ...]], list[Score]] = defaultdict(list)
    for s in scores:
        groups[(s.dimension, tuple(s.value_of(c) for c in by))].append(s)
    cells = []
    for dim in DIMENSIONS:
        for (d, key), members in sorted(groups.items()):
            if d != dim:
                continue
            n = len(members)
            ws = [w[(s.stratum, s.dimension)] for s in members]
            total_w = sum(ws) or 1.0  # a stratum with no population recorded: weights 0, fall back to raw below
            mean = sum(s.score for s in members) / n
            share = sum(s.score >= SATISFIED for s in members) / n
            wmean = sum(x * s.score for x, s in zip(ws, members, strict=True)) / total_w if sum(ws) else mean
            wshare = (sum(x for x, s in zip(ws, members, strict=True) if s.score >= SATISFIED) / total_w
                      if sum(ws) else share)
            sufficient = n >= limits.min_n
            reasons = tuple(r for r, bad in (("mean", wmean < limits.low_mean), ("share", wshare < limits.low_share))
                            if bad and sufficient)
            cells.append(Cell(dim, dict(zip(by, key, strict=True)), n, mean, wmean, share, wshare, sufficient,
                              reasons))
    return cells


def low_items(scores: Sequence[Score], population: Mapping[str, int],
              limits: Thresholds = Thresholds()) -> list[Cell]:
    """The low cells of every single cut (province, channel, tier), lowest weighted mean first."""
    found = [c for cut in CUTS for c in aggregate(scores, population, (cut,), limits) if c.low]
    return sorted(found, key=lambda c: (c.weighted_mean, c.dimension, sorted(c.key.items())))
