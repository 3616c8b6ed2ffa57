"""Contact arrival model for demo data: Poisson counts per 15-minute interval.

The shape follows what operators report in the seed documents: a daytime plateau,
an evening peak 18:00–21:00 when customers are home, fewer contacts at weekends
and a spike on the first days of the month when bills arrive.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import numpy as np

SLOTS_PER_DAY = 96  # 15-minute intervals

# Relative weight per hour of day (local time), evening peak 18–21.
HOURLY = np.array([
    0.15, 0.08, 0.05, 0.04, 0.04, 0.08, 0.25, 0.55, 0.95, 1.20, 1.30, 1.25,
    1.05, 1.10, 1.20, 1.20, 1.15, 1.20, 1.70, 1.90, 1.85, 1.40, 0.80, 0.40,
])
WEEKDAY = np.array([1.10, 1.02, 1.00, 0.98, 1.00, 0.80, 0.72])  # Monday first


def intraday_shape() -> np.ndarray:
    """Weights of the 96 intervals of a day, normalised to sum to 1."""
    w = np.repeat(HOURLY, 4)
    out: np.ndarray = w / w.sum()
    return out


def bill_day_factor(day_of_month: int) -> float:
    return {1: 1.6, 2: 1.45, 3: 1.25}.get(day_of_month, 1.0)


def expected_per_slot(start: date, days: int, daily_mean: float) -> np.ndarray:
    """Expected contacts for each interval over ``days`` days (shape days × 96)."""
    shape = intraday_shape()
    out = np.empty((days, SLOTS_PER_DAY))
    for i in range(days):
        d = start + timedelta(days=i)
        out[i] = daily_mean * WEEKDAY[d.weekday()] * bill_day_factor(d.day) * shape
    return out


def arrival_times(
    rng: np.random.Generator, start: date, days: int, daily_mean: float, tz: str = "Asia/Shanghai"
) -> tuple[np.ndarray, np.ndarray]:
    """Draw arrivals; returns (UTC epoch seconds sorted, slot-of-day index) arrays."""
    lam = expected_per_slot(start, days, daily_mean)
    counts = rng.poisson(lam).ravel()
    slot_idx = np.repeat(np.arange(counts.size), counts)
    offsets = slot_idx * 900 + rng.uniform(0, 900, size=slot_idx.size)
    local0 = datetime(start.year, start.month, start.day, tzinfo=ZoneInfo(tz))
    epoch = local0.timestamp() + offsets
    return epoch, slot_idx % SLOTS_PER_DAY
