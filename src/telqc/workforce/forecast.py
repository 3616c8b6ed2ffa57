"""Contacts per 30-minute interval: a gradient-boosted Poisson regression over calendar features, and the
seasonal-naive benchmark it must beat. Pure: arrays and dates in, arrays out.

Why these features (客户服务质量分析 三.二, 四.二.1): the intraday shape (the 18:00–21:00 peak), the weekday,
the kind of day in China's calendar (working day, weekend, public holiday, make-up working day: the holiday
notice moves whole weeks), the month-start bill days (day of month 1–3), the first working day after a
holiday (the backlog), and known events (plan launches, planned works, incidents) as a regressor. The model is
scikit-learn's HistGradientBoostingRegressor with a Poisson loss (counts, multiplicative effects learnt as
interactions: a holiday changes the shape of the day, not just its level); statsforecast's MSTL would need
numba, which TelQC does not carry. A day-index feature lets the level follow the recent weeks.

One OpenMP thread per fit and prediction (`FIT_THREADS`): scikit-learn's histogram loops otherwise start a
thread per core and spin at a barrier in every boosting iteration; on a machine whose cores are already busy
(a loaded server, a test run beside others) those threads wait for time slices, and one 60-day fit took 165 s
instead of 1 s (measured on the shared 2-core machine, load ≈ 15). A fit of this size gains little from a
second thread even when idle, and a web request (the planner's 生成新预测) must not stall on it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np
from sklearn.ensemble import HistGradientBoostingRegressor
from threadpoolctl import threadpool_limits

SLOTS = 48  # 30-minute intervals per day
SEASON = 7 * SLOTS  # the seasonal-naive lag: same interval, one week earlier
FIT_THREADS = 1  # OpenMP threads for fitting and predicting (module docstring)
METHOD = "hgb-poisson(slot, weekday, day kind, bill day, after holiday, event, trend)"

WORKDAY, WEEKEND, HOLIDAY, MAKEUP = 0, 1, 2, 3


@dataclass(frozen=True)
class Calendar:
    days_off: frozenset[date]
    makeup_days: frozenset[date]

    def kind(self, d: date) -> int:
        if d in self.days_off:
            return HOLIDAY
        if d in self.makeup_days:
            return MAKEUP
        return WEEKEND if d.weekday() >= 5 else WORKDAY

    def after_holiday(self, d: date) -> bool:
        """The first working day after a public holiday."""
        return self.kind(d) in (WORKDAY, MAKEUP) and (d - timedelta(days=1)) in self.days_off


def day_range(start: date, days: int) -> list[date]:
    return [start + timedelta(days=i) for i in range(days)]


def features(days: Sequence[date], cal: Calendar, events: Mapping[date, float], origin: date) -> np.ndarray:
    """One row per (day, slot): slot, weekday, day kind, bill day, after holiday, event, day index."""
    per_day = np.array([[d.weekday(), cal.kind(d), d.day if d.day <= 3 else 0, cal.after_holiday(d),
                         events.get(d, 0.0), (d - origin).days] for d in days], dtype=float)
    rows = np.repeat(per_day, SLOTS, axis=0)
    slots = np.tile(np.arange(SLOTS, dtype=float), len(days))[:, None]
    return np.hstack([slots, rows])


CATEGORICAL = [True, True, True, True, False, False, False]


@dataclass
class Model:
    origin: date
    regressor: HistGradientBoostingRegressor
    cal: Calendar
    events: Mapping[date, float]

    def predict(self, days: Sequence[date]) -> np.ndarray:
        """Expected contacts, shape (len(days), SLOTS)."""
        x = features(days, self.cal, self.events, self.origin)
        with threadpool_limits(limits=FIT_THREADS, user_api="openmp"):
            raw = self.regressor.predict(x)
        out: np.ndarray = np.maximum(raw, 0.0).reshape(len(days), SLOTS)
        return out


def fit(days: Sequence[date], counts: np.ndarray, cal: Calendar, events: Mapping[date, float] | None = None) -> Model:
    """Fit on history: `counts` has shape (len(days), SLOTS), days consecutive."""
    if counts.shape != (len(days), SLOTS):
        raise ValueError(f"counts must have shape ({len(days)}, {SLOTS}), not {counts.shape}")
    ev = dict(events or {})
    reg = HistGradientBoostingRegressor(loss="poisson", learning_rate=0.08, max_iter=250, max_leaf_nodes=15,
                                        min_samples_leaf=20, l2_regularization=1.0, early_stopping=False,
                                        categorical_features=CATEGORICAL, random_state=0)
    with threadpool_limits(limits=FIT_THREADS, user_api="openmp"):
        reg.fit(features(days, cal, ev, days[0]), counts.reshape(-1))
    return Model(days[0], reg, cal, ev)


def seasonal_naive(history: np.ndarray, horizon_days: int) -> np.ndarray:
    """Each interval as it was the same weekday last week, repeated over the horizon."""
    last_week = history[-7:]
    reps = -(-horizon_days // 7)
    return np.tile(last_week, (reps, 1))[:horizon_days]


def mase_scale(history: np.ndarray) -> float:
    """In-sample MAE of the seasonal-naive forecast (lag one week): MASE's denominator."""
    flat = history.reshape(-1)
    if flat.size <= SEASON:
        raise ValueError("MASE needs more than one week of history")
    return float(np.mean(np.abs(flat[SEASON:] - flat[:-SEASON]))) or 1.0


def wape(actual: np.ndarray, predicted: np.ndarray) -> float:
    total = float(np.abs(actual).sum())
    return float(np.abs(actual - predicted).sum()) / total if total else 0.0


@dataclass(frozen=True)
class Score:
    origin: date
    mase: float
    wape: float
    naive_mase: float
    naive_wape: float


@dataclass(frozen=True)
class Backtest:
    scores: tuple[Score, ...]

    @property
    def mase(self) -> float:
        return float(np.mean([s.mase for s in self.scores]))

    @property
    def naive_mase(self) -> float:
        return float(np.mean([s.naive_mase for s in self.scores]))

    @property
    def wape(self) -> float:
        return float(np.mean([s.wape for s in self.scores]))

    @property
    def naive_wape(self) -> float:
        return float(np.mean([s.naive_wape for s in self.scores]))


def backtest(days: Sequence[date], counts: np.ndarray, cal: Calendar, events: Mapping[date, float] | None = None,
             origins: int = 4, horizon_days: int = 7, step_days: int = 7, min_train_days: int = 28,
             progress: object = None) -> Backtest:
    """Rolling origins: the last `origins` windows of `horizon_days`, each forecast from the history before it."""
    n = len(days)
    scores = []
    for k in range(origins, 0, -1):
        cut = n - horizon_days - (k - 1) * step_days
        if cut < min_train_days:
            continue
        train, test = counts[:cut], counts[cut:cut + horizon_days]
        model = fit(days[:cut], train, cal, events)
        pred = model.predict(days[cut:cut + horizon_days])
        naive = seasonal_naive(train, len(test))
        scale = mase_scale(train)
        scores.append(Score(days[cut], float(np.mean(np.abs(test - pred))) / scale, wape(test, pred),
                            float(np.mean(np.abs(test - naive))) / scale, wape(test, naive)))
        if callable(progress):
            progress()
    if not scores:
        raise ValueError(f"backtest needs at least {min_train_days + horizon_days} days of history")
    return Backtest(tuple(scores))


def aht_profile(handled: np.ndarray, handle_s: np.ndarray, weeks: int = 4, default_s: float = 300.0) -> np.ndarray:
    """Mean handle time per slot over the last `weeks` weeks (shape (SLOTS,)); slots with nothing handled take
    the period's mean, or `default_s` when nothing at all was handled."""
    h, s = handled[-7 * weeks:].sum(axis=0), handle_s[-7 * weeks:].sum(axis=0)
    overall = float(s.sum() / h.sum()) if h.sum() else default_s
    with np.errstate(invalid="ignore", divide="ignore"):
        per_slot = np.where(h > 0, s / np.maximum(h, 1), overall)
    return per_slot.astype(float)
