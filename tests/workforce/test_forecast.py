"""The forecaster reproduces a synthetic series of known seasonality and beats seasonal-naive."""

from __future__ import annotations

from datetime import date
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.ensemble import HistGradientBoostingRegressor
from threadpoolctl import threadpool_info, threadpool_limits

from telqc.demo.workforce_data import series
from telqc.orders.read import china_days_off, china_makeup_days
from telqc.workforce import forecast as fc

CAL = fc.Calendar(china_days_off(), china_makeup_days())


def test_reproduces_known_seasonality_through_a_holiday():
    # 9 weeks before 2026-04-28, then the 劳动节 week (May 1–5 off, May 9 a make-up Saturday) forecast
    s = series("hotline", date(2026, 2, 24), 70, CAL, seed=7)
    cut = 63
    model = fc.fit(s.days[:cut], s.offered[:cut], CAL)
    pred = model.predict(s.days[cut:])
    truth = s.mean[cut:]
    # ordinary working days within 8% of the true mean; the whole week (May 1 is a holiday *and* a bill day,
    # a combination the history never showed) within 15%
    assert all(fc.wape(truth[i], pred[i]) < 0.08 for i in range(3))
    assert fc.wape(truth, pred) < 0.15
    # the evening peak is where it is: the busiest predicted slot of an ordinary day is 19:00–20:00
    assert 37 <= int(np.argmax(pred[0])) <= 40
    # the holiday is predicted light (truth: 55% of the level)
    may3 = s.days.index(date(2026, 5, 3)) - cut
    assert pred[may3].sum() < 0.75 * pred[0].sum()
    naive = fc.seasonal_naive(s.offered[:cut], 7)
    assert fc.wape(s.offered[cut:], pred) < fc.wape(s.offered[cut:], naive)


def test_backtest_beats_seasonal_naive_on_every_origin_mean():
    s = series("wechat", date(2026, 3, 1), 60, CAL, seed=3)
    bt = fc.backtest(s.days, s.offered, CAL, origins=3)
    assert len(bt.scores) == 3
    assert bt.mase < bt.naive_mase and bt.wape < bt.naive_wape


def test_events_are_a_regressor():
    launch = {date(2026, 3, d): 0.6 for d in (10, 24, 31, 14)}
    launch[date(2026, 4, 7)] = 0.6
    s = series("app", date(2026, 2, 1), 70, CAL, seed=5, events=launch)
    cut = 63
    model = fc.fit(s.days[:cut], s.offered[:cut], CAL, launch)
    pred = model.predict(s.days[cut:])
    i = s.days.index(date(2026, 4, 7)) - cut
    ordinary = s.days.index(date(2026, 4, 8)) - cut
    assert pred[i].sum() > 1.3 * pred[ordinary].sum()


def test_shape_mismatch_is_refused():
    with pytest.raises(ValueError, match="shape"):
        fc.fit(fc.day_range(date(2026, 1, 5), 3), np.zeros((2, fc.SLOTS)), CAL)


@settings(max_examples=40, deadline=None)
@given(days=st.integers(8, 30), horizon=st.integers(1, 20), seed=st.integers(0, 10_000))
def test_seasonal_naive_repeats_the_last_week(days, horizon, seed):
    hist = np.random.default_rng(seed).poisson(5.0, size=(days, fc.SLOTS)).astype(float)
    out = fc.seasonal_naive(hist, horizon)
    assert out.shape == (horizon, fc.SLOTS)
    for i in range(horizon):
        assert np.array_equal(out[i], hist[days - 7 + i % 7])


@settings(max_examples=40, deadline=None)
@given(st.lists(st.floats(0, 1000), min_size=3, max_size=50))
def test_wape_of_a_perfect_forecast_is_zero(values):
    a = np.asarray(values)
    assert fc.wape(a, a) == 0.0


def _openmp_threads() -> list[int]:
    return [int(i["num_threads"]) for i in threadpool_info() if i["user_api"] == "openmp"]


def test_fit_and_predict_run_on_one_openmp_thread(monkeypatch: pytest.MonkeyPatch) -> None:
    """The boosting loops' OpenMP threads spin at a barrier every iteration; on busy cores one 60-day fit took
    165 s instead of 1 s, and the planner's form waited for it. However many threads the process allows, the
    forecaster's own fit and prediction run on one."""
    seen: list[list[int]] = []

    class Recording(HistGradientBoostingRegressor):  # type: ignore[misc]
        def fit(self, X: Any, y: Any, sample_weight: Any = None) -> Recording:
            seen.append(_openmp_threads())
            return super().fit(X, y, sample_weight)

        def predict(self, X: Any) -> Any:
            seen.append(_openmp_threads())
            return super().predict(X)

    monkeypatch.setattr(fc, "HistGradientBoostingRegressor", Recording)
    s = series("hotline", date(2026, 9, 1), 35, CAL, seed=3)
    with threadpool_limits(limits=4, user_api="openmp"):
        fc.fit(s.days[:28], s.offered[:28], CAL).predict(s.days[28:])
        assert set(_openmp_threads()) == {4}, "the process keeps its own setting"
    assert len(seen) == 2 and all(x and set(x) == {1} for x in seen), seen
