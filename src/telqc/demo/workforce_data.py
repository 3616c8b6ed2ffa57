"""Realistic interval volumes for the workforce demo and benchmarks: deterministic, from a seed.

Shapes follow the quality analysis (客户服务质量分析 三.二): a morning peak, an afternoon plateau and the
weekday 18:00–21:00 evening peak; Monday heavier, weekends lighter; month-start bill days (1–3) and the first
working day after a holiday heavier; public holidays light and flat; plan launches as events.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date

import numpy as np

from telqc.workforce.forecast import HOLIDAY, MAKEUP, SLOTS, WEEKEND, Calendar, day_range


def _bump(center_h: float, width_h: float) -> np.ndarray:
    t = (np.arange(SLOTS) + 0.5) / 2
    return np.exp(-0.5 * ((t - center_h) / width_h) ** 2)


WORKDAY_SHAPE = 0.03 + 0.9 * _bump(10.5, 1.6) + 0.7 * _bump(15.0, 2.0) + 1.25 * _bump(19.5, 1.3)
WORKDAY_SHAPE[:14] *= 0.15  # 00:00–07:00: the night line
WORKDAY_SHAPE /= WORKDAY_SHAPE.sum()
HOLIDAY_SHAPE = 0.05 + 0.8 * _bump(11.0, 2.5) + 0.8 * _bump(16.0, 3.0) + 0.5 * _bump(20.0, 1.5)
HOLIDAY_SHAPE[:14] *= 0.2
HOLIDAY_SHAPE /= HOLIDAY_SHAPE.sum()
WEEKDAY = (1.15, 1.0, 0.98, 1.0, 1.02, 0.78, 0.72)
BILL_DAY = {1: 1.35, 2: 1.25, 3: 1.1}


@dataclass(frozen=True)
class ChannelProfile:
    daily: float  # contacts on an ordinary Tuesday
    aht_s: float
    abandon: float  # share of offered that abandons


PROFILES: Mapping[str, ChannelProfile] = {
    "hotline": ChannelProfile(2400.0, 330.0, 0.06),
    "wechat": ChannelProfile(900.0, 540.0, 0.02),
    "app": ChannelProfile(700.0, 480.0, 0.02),
}


def expected(d: date, cal: Calendar, profile: ChannelProfile, events: Mapping[date, float], day_index: int
             ) -> np.ndarray:
    kind = cal.kind(d)
    shape = HOLIDAY_SHAPE if kind == HOLIDAY else WORKDAY_SHAPE
    level = profile.daily * WEEKDAY[d.weekday()] * (1.0 + 0.001 * day_index)
    if kind == HOLIDAY:
        level *= 0.55
    elif kind == MAKEUP:
        level = profile.daily * 1.05
    elif kind == WEEKEND:
        level *= 1.0
    level *= BILL_DAY.get(d.day, 1.0) * (1.3 if cal.after_holiday(d) else 1.0) * (1.0 + events.get(d, 0.0))
    return level * shape


@dataclass(frozen=True)
class Series:
    days: list[date]
    offered: np.ndarray  # (days, SLOTS)
    handled: np.ndarray
    abandoned: np.ndarray
    handle_s: np.ndarray
    wait_s: np.ndarray
    mean: np.ndarray  # the expected offered (the truth a forecast should find)


def series(channel: str, start: date, days: int, cal: Calendar, seed: int,
           events: Mapping[date, float] | None = None) -> Series:
    prof = PROFILES[channel]
    rng = np.random.default_rng([seed, sum(map(ord, channel))])
    ds = day_range(start, days)
    ev = events or {}
    mean = np.array([expected(d, cal, prof, ev, i) for i, d in enumerate(ds)])
    offered = rng.poisson(mean)
    abandoned = rng.binomial(offered, prof.abandon)
    handled = offered - abandoned
    evening = 1.0 + 0.1 * _bump(19.5, 1.5)
    handle_s = np.rint(handled * prof.aht_s * evening * rng.normal(1.0, 0.04, size=offered.shape).clip(0.8, 1.2))
    wait_s = np.rint(offered * rng.gamma(2.0, 6.0, size=offered.shape))
    return Series(ds, offered, handled, abandoned, handle_s.astype(int), wait_s.astype(int), mean)
