"""Column-wise KPI evaluation (dashboards) gives exactly the cell-by-cell value (the registry's formulas)."""

from __future__ import annotations

import math

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from telqc.metrics import registry, sketch

PARTS = sorted({p for k in registry.KPIS for p in k.parts})
counts = st.one_of(st.just(0.0), st.integers(0, 50).map(float), st.floats(0, 1e6, allow_nan=False))
cells = st.lists(st.dictionaries(st.sampled_from(PARTS), counts, max_size=40), min_size=1, max_size=12)


@settings(max_examples=200, deadline=None)
@given(cells=cells)
def test_columns_equal_cells(cells: list[dict[str, float]]) -> None:
    cols = {p: np.array([c.get(p, 0.0) for c in cells]) for p in PARTS}
    for kpi in registry.KPIS:
        got = kpi.values(cols, len(cells))
        for i, cell in enumerate(cells):
            want = kpi.value(cell)
            assert (want is None and math.isnan(got[i])) or got[i] == want, (kpi.name, cell, got[i], want)


def test_percentile_from_bins_by_hand() -> None:
    h: dict[str, float] = {}
    for v in (3, 8, 8, 19, 44, 44, 44, 90, 200, 10_000):
        sketch.add(h, "asa", v)
    assert registry.BY_NAME["asa_p90"].value(h) == 240   # 9th of 10 values (200 s) is in the bin up to 240 s
    assert sketch.quantile_of_values([3, 8, 8, 19, 44, 44, 44, 90, 200, 10_000], "asa", 0.5) == 45
    assert registry.BY_NAME["asa_p90"].value({}) is None
    col = registry.BY_NAME["asa_p90"].values({k: np.array([v, 0.0]) for k, v in h.items()}, 2)
    assert col[0] == 240 and math.isnan(col[1])


def test_a_scalar_only_formula_still_evaluates_column_wise() -> None:
    """A KPI registered later with plain `if` in its formula falls back to cell-by-cell evaluation."""
    kpi = registry.KPI("x", "x", "x", "ratio", "higher", None, ("a", "b"),
                       lambda p: p["a"] / p["b"] if p["b"] else None)
    got = kpi.values({"a": np.array([1.0, 2.0]), "b": np.array([4.0, 0.0])}, 2)
    assert got[0] == 0.25 and math.isnan(got[1])
