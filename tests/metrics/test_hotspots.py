"""Complaint hotspots: a significant rise is reported, noise is not; descriptions cluster into problems."""

from __future__ import annotations

from datetime import date

import pytest
from fastapi import FastAPI

from metrics.metrics_factories import SUBSCRIBERS, emit_all, october_events, set_subscribers
from telqc.core.context import Ctx
from telqc.core.uow import UnitOfWork
from telqc.metrics import hotspots


def test_two_proportion_z_by_hand() -> None:
    z, p = hotspots.two_proportion_z(3, 20000, 30, 20000)
    pooled = 33 / 40000
    se = (pooled * (1 - pooled) * (2 / 20000)) ** 0.5
    assert z == pytest.approx((30 / 20000 - 3 / 20000) / se) and z > 4.6 and p < 1e-5
    z, p = hotspots.two_proportion_z(2, 30000, 3, 30000)  # one more complaint is noise
    assert z < 1 and p > 0.5
    assert hotspots.two_proportion_z(0, 0, 5, 0) == (0.0, 1.0)


def test_rises_and_clusters(app: FastAPI) -> None:
    set_subscribers(app, SUBSCRIBERS)
    emit_all(app, october_events())
    st = app.state
    with st.sessionmaker() as s:
        uow = UnitOfWork(s)
        ctx = Ctx(uow=uow, clock=st.clock, settings=st.settings)
        rises = hotspots.rises(ctx, date(2026, 10, 1), date(2026, 10, 31))
        found = [(r.dimension, r.value) for r in rises]
        assert ("category", "signal") in found and ("city", "440300") in found
        assert sorted(found) == [("category", "signal"), ("city", "440300")], "6 → 9 in 30,000 is noise"
        assert all(r.p_value < 0.05 for r in rises)
        texts = hotspots.complaint_texts(ctx, date(2026, 10, 1), date(2026, 10, 31))
    assert len(texts) == 42
    two = hotspots.cluster_texts(texts, k=2)
    assert [c.size for c in two] == [30, 12]
    assert "信号" in two[0].terms and len(two[0].example_orders) == 3
    assert all(1001 <= o <= 1030 for o in two[0].example_orders)
    assert {"扣费", "话费"} & set(two[1].terms) and all(o > 1030 for o in two[1].example_orders)
    auto = hotspots.cluster_texts(texts)  # k chosen by silhouette, at most √(n/2)
    billing = [c for c in auto if "扣费" in c.terms]
    assert len(billing) == 1 and billing[0].size == 12
    assert all("信号" in c.terms for c in auto if c is not billing[0])
