"""The synthetic panel: seeded, shaped as documented, and with the signal removed churn ignores features."""

from __future__ import annotations

import numpy as np
import pytest

from telqc.insight import features, synth


def test_same_seed_same_panel_and_a_different_seed_differs() -> None:
    a, b = synth.generate(500, 12, seed=3), synth.generate(500, 12, seed=3)
    assert np.array_equal(a.bill, b.bill) and np.array_equal(a.churn_month, b.churn_month)
    assert not np.array_equal(a.bill, synth.generate(500, 12, seed=4).bill)


def test_shapes_ranges_and_warmup() -> None:
    p = synth.generate(2000, 12, seed=1)
    assert p.data_gb.shape == p.nps.shape == (2000, 12)
    assert set(np.unique(p.nps)) <= set(range(-1, 11))
    assert (p.repeat_complaints <= p.complaints).all()
    assert (p.bill >= p.plan_price[:, None]).all()
    # nobody leaves during the warm-up; everyone is present through its last month
    assert p.churn_month.min() >= synth.WARMUP + 1
    assert p.active(synth.WARMUP).all()
    # a monthly churn of a few percent with the planted signal
    rate = p.label(synth.WARMUP)[p.active(synth.WARMUP)].mean()
    assert 0.01 < rate < 0.1


def test_months_must_exceed_the_warmup() -> None:
    with pytest.raises(ValueError, match="warm-up"):
        synth.generate(10, synth.WARMUP)


def test_without_signal_churn_is_independent_of_complaints() -> None:
    p = synth.generate(20_000, 8, seed=5, signal=False)
    t = synth.WARMUP
    rows, x = features.snapshot(p, t)
    y = p.label(t)[rows]
    complained = x[:, features.FEATURES.index("complaints_30d")] > 0
    assert abs(y[complained].mean() - y[~complained].mean()) < 0.01
    with_signal = synth.generate(20_000, 8, seed=5)
    rows, x = features.snapshot(with_signal, t)
    y = with_signal.label(t)[rows]
    complained = x[:, features.FEATURES.index("complaints_30d")] > 0
    assert y[complained].mean() > 2 * y[~complained].mean()


def test_features_by_hand_for_one_customer() -> None:
    p = synth.generate(50, 12, seed=2)
    t = 8
    rows, x = features.snapshot(p, t)
    i = 0
    r = rows[i]
    row = dict(zip(features.FEATURES, x[i], strict=True))
    assert row["tenure_months"] == p.tenure0[r] + t
    assert row["arpu_3m"] == pytest.approx(p.bill[r, 6:9].astype(float).mean())
    before = p.data_gb[r, 3:6].astype(float).mean()
    assert row["usage_drop"] == pytest.approx(max(0.0, min(1.0, 1 - p.data_gb[r, 6:9].astype(float).mean() / before)))
    assert row["complaints_90d"] == p.complaints[r, 6:9].sum()
    answers = [int(v) for v in p.nps[r, 6:9] if v >= 0]
    assert row["nps_gap"] == (max(0, 7 - answers[-1]) if answers else 0)
    assert row["contract_expiring"] == (0 <= p.contract_end[r] - t <= 2)


def test_panel_from_long_rows_gives_the_same_features() -> None:
    p = synth.generate(300, 12, seed=9)
    cust, month = np.nonzero(np.arange(12)[None, :] < np.minimum(p.churn_month, 12)[:, None])
    shuffle = np.random.default_rng(0).permutation(cust.size)
    cust, month = cust[shuffle], month[shuffle]
    names = ("data_gb", "bill", "complaints", "repeat_complaints", "unresolved_orders", "overdue_bills", "nps",
             "port_out_requests")
    q = features.panel_from_rows(
        p.customer_id[cust],
        month.astype(np.int64),
        {c: getattr(p, c)[cust, month] for c in names},
        {
            "customer_id": p.customer_id[::-1],
            "tenure0": p.tenure0[::-1],
            "plan_price": p.plan_price[::-1],
            "contract_end": p.contract_end[::-1],
        },
    )
    rows_p, xp = features.snapshot(p, 11)
    rows_q, xq = features.snapshot(q, 11)
    assert np.array_equal(p.customer_id[rows_p], q.customer_id[rows_q][::-1])
    assert np.array_equal(xp, xq[::-1])
    # rows grouped by customer (an ORDER BY), each run looked up once: the same grid
    grouped = np.lexsort((month, cust))
    g = features.panel_from_rows(
        p.customer_id[cust[grouped]],
        month[grouped].astype(np.int64),
        {c: getattr(p, c)[cust[grouped], month[grouped]] for c in names},
        {
            "customer_id": p.customer_id,
            "tenure0": p.tenure0,
            "plan_price": p.plan_price,
            "contract_end": p.contract_end,
        },
    )
    assert np.array_equal(features.snapshot(g, 11)[1], xp)
    assert np.array_equal(g.active(11), p.active(11))
