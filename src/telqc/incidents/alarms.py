"""Network-quality alarms (管理规范手册 3.1: monitor utilisation, latency, packet loss … and alarm when a
value leaves its threshold, so problems are found before customers call).

Pure logic over one area × metric's readings in time order: a threshold alarm when a reading is on the bad
side of its limit, a trend alarm when the last `TREND_POINTS` readings move steadily toward the limit and
the last one has covered `TREND_SHARE` of the distance from the first.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

METRICS = ("utilisation", "latency_ms", "packet_loss", "call_drop", "availability")


@dataclass(frozen=True)
class Limit:
    value: float
    higher_is_worse: bool = True

    def breached(self, v: float) -> bool:
        return v >= self.value if self.higher_is_worse else v <= self.value


LIMITS: dict[str, Limit] = {
    "utilisation": Limit(0.90),
    "latency_ms": Limit(150.0),
    "packet_loss": Limit(0.02),
    "call_drop": Limit(0.02),
    "availability": Limit(0.99, higher_is_worse=False),
}
TREND_POINTS = 4
TREND_SHARE = 0.7


@dataclass(frozen=True)
class Reading:
    at: datetime
    value: float


@dataclass(frozen=True)
class Alarm:
    metric: str
    kind: str  # threshold | trend
    at: datetime
    value: float


def evaluate(metric: str, readings: Sequence[Reading]) -> Alarm | None:
    """The alarm the newest reading raises, if any (readings oldest first)."""
    if not readings:
        return None
    limit = LIMITS[metric]
    last = readings[-1]
    if limit.breached(last.value):
        return Alarm(metric, "threshold", last.at, last.value)
    tail = readings[-TREND_POINTS:]
    if len(tail) < TREND_POINTS:
        return None
    sign = 1 if limit.higher_is_worse else -1
    steps = [sign * (b.value - a.value) for a, b in itertools.pairwise(tail)]
    if all(s > 0 for s in steps):
        distance = sign * (limit.value - tail[0].value)
        if distance > 0 and sign * (last.value - tail[0].value) >= TREND_SHARE * distance:
            return Alarm(metric, "trend", last.at, last.value)
    return None
