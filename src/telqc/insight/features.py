"""The profile features a churn score is computed from, for every customer at one month: one pass of numpy
over (customers, months) arrays, no per-customer Python.

A 3-month window against the 3 months before it is what the source asks a recommendation to look at
(近3个月流量使用曲线, 质量分析 三.三) and is long enough that one odd month does not read as a trend. Falls are
clipped to 0..1 (a customer using more is not "less at risk" without bound); satisfaction counts only a
detractor's gap below 7 in the last 3 months' answers (an unanswered survey is no signal); port-out
(携号转网) requests count over the last 3 months (the code is valid for a while after it is asked for).
"""

from __future__ import annotations

from typing import TypeVar

import numpy as np
from numpy.typing import NDArray

from telqc.insight.synth import WARMUP, Panel

FEATURES = (
    "tenure_months",
    "plan_price",
    "arpu_3m",
    "arpu_drop",
    "data_3m",
    "usage_drop",
    "complaints_30d",
    "complaints_90d",
    "repeat_complaints_30d",
    "unresolved_orders",
    "overdue_bills",
    "nps_gap",
    "contract_expiring",
    "new_customer",
    "port_out_requests",
)
FIRST_MONTH = WARMUP - 1  # the first month with 6 months of history behind it
NPS_PASSIVE = 7
G = TypeVar("G", bound=np.generic)
NEW_MONTHS = 6  # the lifecycle stage "new" (新入网, 质量分析 四.三.1)


def snapshot(p: Panel, month: int) -> tuple[NDArray[np.int64], NDArray[np.float64]]:
    """(rows, X): the panel rows of the customers present in `month` and their features as of its end."""
    if not FIRST_MONTH <= month < p.months:
        raise ValueError(f"month must be in {FIRST_MONTH}..{p.months - 1}")
    rows = np.flatnonzero(p.active(month))
    t = month
    bill = p.bill[rows, t - 5 : t + 1].astype(np.float64)
    data = p.data_gb[rows, t - 5 : t + 1].astype(np.float64)
    arpu_3m, arpu_before = bill[:, 3:].mean(axis=1), bill[:, :3].mean(axis=1)
    data_3m, data_before = data[:, 3:].mean(axis=1), data[:, :3].mean(axis=1)
    last_nps = np.full(rows.shape[0], -1, dtype=np.int64)
    for k in range(t - 2, t + 1):
        answer = p.nps[rows, k].astype(np.int64)
        last_nps = np.where(answer >= 0, answer, last_nps)
    to_end = p.contract_end[rows] - t
    x = np.empty((rows.shape[0], len(FEATURES)), dtype=np.float64)
    x[:, 0] = p.tenure0[rows] + t
    x[:, 1] = p.plan_price[rows]
    x[:, 2] = arpu_3m
    x[:, 3] = drop(arpu_3m, arpu_before)
    x[:, 4] = data_3m
    x[:, 5] = drop(data_3m, data_before)
    x[:, 6] = p.complaints[rows, t]
    x[:, 7] = p.complaints[rows, t - 2 : t + 1].sum(axis=1, dtype=np.int64)
    x[:, 8] = p.repeat_complaints[rows, t]
    x[:, 9] = p.unresolved_orders[rows, t]
    x[:, 10] = p.overdue_bills[rows, t]
    x[:, 11] = np.where(last_nps >= 0, np.maximum(NPS_PASSIVE - last_nps, 0), 0)
    x[:, 12] = (to_end >= 0) & (to_end <= 2)
    x[:, 13] = x[:, 0] < NEW_MONTHS
    x[:, 14] = p.port_out_requests[rows, t - 2 : t + 1].sum(axis=1, dtype=np.int64)
    return rows, x


def drop(now: NDArray[np.float64], before: NDArray[np.float64]) -> NDArray[np.float64]:
    """How far `now` fell below `before`, 0 (no fall) to 1 (to nothing)."""
    return np.clip(1.0 - now / np.maximum(before, 1e-3), 0.0, 1.0)


def training_rows(
    p: Panel,
    months: range,
) -> tuple[NDArray[np.float64], NDArray[np.bool_], NDArray[np.int64]]:
    """(X, y, month) stacked over `months`: every customer present in a month, labelled by leaving in the next."""
    xs, ys, ms = [], [], []
    for t in months:
        rows, x = snapshot(p, t)
        xs.append(x)
        ys.append(p.label(t)[rows])
        ms.append(np.full(rows.shape[0], t, dtype=np.int64))
    return np.concatenate(xs), np.concatenate(ys), np.concatenate(ms)


def panel_from_rows(
    customer_id: NDArray[np.int64],
    month: NDArray[np.int64],
    columns: dict[str, NDArray[np.generic]],
    customers: dict[str, NDArray[np.generic]],
) -> Panel:
    """A panel from long rows (one per customer and month, as a query returns them) and a customers table
    (customer_id, tenure0, plan_price, contract_end). Rows need no order; a customer's churn_month is the
    month after their last row (rows run from month 0 without gaps), so `active` is right and `label` is
    not known (nor needed to score)."""
    ids = np.asarray(customers["customer_id"])
    order = np.argsort(ids, kind="stable")
    # Look up each run of equal ids once: rows come grouped by customer from an ORDER BY (11M lookups
    # become 1M); in any other order the runs are shorter and the answer is the same.
    start = np.flatnonzero(np.concatenate(([True], customer_id[1:] != customer_id[:-1])))
    run = order[np.searchsorted(ids, customer_id[start], sorter=order)]
    pos = np.repeat(run, np.diff(np.append(start, customer_id.shape[0])))
    n, m = ids.shape[0], int(month.max()) + 1
    cell = pos * m + month

    def grid(name: str, dtype: type[G], fill: int) -> NDArray[G]:
        out = np.full(n * m, fill, dtype=dtype)
        out[cell] = columns[name]
        return out.reshape(n, m)

    seen = np.bincount(pos, minlength=n)  # a customer's rows run from month 0 to the month before leaving
    return Panel(
        customer_id=ids.astype(np.int64),
        tenure0=np.asarray(customers["tenure0"], dtype=np.int32),
        plan_price=np.asarray(customers["plan_price"], dtype=np.float64),
        contract_end=np.asarray(customers["contract_end"], dtype=np.int32),
        data_gb=grid("data_gb", np.float32, 0),
        bill=grid("bill", np.float32, 0),
        complaints=grid("complaints", np.int8, 0),
        repeat_complaints=grid("repeat_complaints", np.int8, 0),
        unresolved_orders=grid("unresolved_orders", np.int8, 0),
        overdue_bills=grid("overdue_bills", np.int8, 0),
        nps=grid("nps", np.int8, -1),
        port_out_requests=grid("port_out_requests", np.int8, 0) if "port_out_requests" in columns
        else np.zeros((n, m), dtype=np.int8),
        churn_month=seen.astype(np.int32),
        signal=False,
    )
