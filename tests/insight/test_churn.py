"""The churn pipeline end to end on generated data: it finds the planted signal on held-out later months and
finds nothing when the signal is removed; reasons, version and calibration."""

from __future__ import annotations

import numpy as np
import pytest
from typer.testing import CliRunner

from telqc.cli import app as cli
from telqc.insight import churn, features, synth

N = 6000


@pytest.fixture(scope="module")
def planted() -> churn.Evaluation:
    return churn.evaluate(synth.generate(N, 12, seed=11), test_months=3)


def test_planted_signal_is_found_on_held_out_months(planted: churn.Evaluation) -> None:
    assert planted.train_months == (6, 8) and planted.test_months == (9, 11)
    assert planted.auc > 0.7
    assert planted.brier < planted.brier_base  # better than the base rate for everyone


def test_no_signal_gives_a_coin_flip() -> None:
    e = churn.evaluate(synth.generate(N, 12, seed=11, signal=False), test_months=3)
    assert 0.45 < e.auc < 0.58
    assert e.brier == pytest.approx(e.brier_base, rel=0.02)


def test_calibration_on_held_out_months(planted: churn.Evaluation) -> None:
    bins = planted.calibration
    assert len(bins) == 10 and sum(b.n for b in bins) == planted.test_rows
    assert [b.predicted for b in bins] == sorted(b.predicted for b in bins)
    # the riskiest decile leaves several times as often as the safest, and as often as predicted (±40%)
    assert bins[-1].observed > 4 * bins[0].observed
    assert bins[-1].observed == pytest.approx(bins[-1].predicted, rel=0.4)


def test_reasons_name_the_planted_drivers_in_chinese(planted: churn.Evaluation) -> None:
    given = {name for name, _ in planted.top_reasons[:5]}
    assert {"usage_drop", "complaints_30d"} <= given
    assert "plan_price" not in given


def test_reason_codes_are_the_largest_raising_terms() -> None:
    p = synth.generate(3000, 12, seed=4)
    x, y, _ = features.training_rows(p, range(6, 10))
    model = churn.train(x, y, (6, 9))
    _, now = features.snapshot(p, 11)
    codes = model.reasons(now)
    c = model.contributions(now)
    for i in range(200):
        picked = [j for j in codes[i] if j >= 0]
        assert all(c[i, j] > churn.REASON_FLOOR for j in picked)
        raising = sorted((v for v in c[i] if v > churn.REASON_FLOOR), reverse=True)
        assert [c[i, j] for j in picked] == raising[:3]
    # the model's log-odds are the intercept plus the terms
    p_now = model.score(now)
    logit = np.log(p_now / (1 - p_now))
    assert np.allclose(logit, model.pipeline.named_steps["lr"].intercept_[0] + c.sum(axis=1))


def test_reason_text() -> None:
    f = features.FEATURES.index
    assert churn.reason_text(f("repeat_complaints_30d"), 2.0) == "近30天重复投诉 2 次"
    assert churn.reason_text(f("usage_drop"), 0.38) == "近3个月流量较前3个月下降 38%"
    assert churn.reason_text(f("nps_gap"), 4.0) == "满意度调查给出低分（NPS 3 分）"
    assert set(churn.LABELS) == set(churn.MODEL_FEATURES) <= set(churn.REASONS)


def test_version_is_a_hash_of_parameters_and_window() -> None:
    v = churn.version((6, 8), 1000)
    assert v == churn.version((6, 8), 1000) and v.startswith("churn-logistic-m6-m8-")
    assert v != churn.version((6, 9), 1000) != churn.version((6, 8), 1001)


def test_command_prints_both_evaluations() -> None:
    res = CliRunner().invoke(cli, ["insight", "churn", "evaluate", "--customers", "3000", "--seed", "5"])
    assert res.exit_code == 0, res.output
    assert "植入流失信号" in res.output and "无信号" in res.output
    assert res.output.count("churn-logistic-m6-m8-") == 2 and "校准" in res.output


def test_command_refuses_no_training_month() -> None:
    res = CliRunner().invoke(cli, ["insight", "churn", "evaluate", "--months", "9", "--test-months", "3"])
    assert res.exit_code == 2 and "没有训练月份" in res.output
