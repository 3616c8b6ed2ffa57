"""Synthetic customer-months with a churn signal that can be planted or removed (issue 23).

Why synthetic: the churn pipeline must be shown to find a signal that is known to be there (AUC well above
0.5 on held-out months) and to find nothing when it is not (AUC near 0.5), before it is trusted on the
operator's own history. The drivers planted are the ones the source documents name: repeat complaints and
unresolved orders (投诉处理"闭环不闭环", 质量分析 三.四), the contract-expiry window (合约到期, 四.三.1), falling
usage, overdue bills, low satisfaction and a short tenure, and a request to port the number to another operator
(携号转网: the customer asks for the port-out authorisation code before leaving).

Layout: customer i is row i of every array; monthly arrays are (customers, months). The first `WARMUP`
months are history only (every window of `telqc.insight.features` is full from then on); a customer can
leave in any month after it. Row t of a customer exists while t < churn_month, and its label is
`churn_month == t + 1` (the customer leaves during the next month). `NEVER` = months + 1 means stayed.
Everything is drawn from one seeded numpy Generator, vectorised over customers: same seed, same panel.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

WARMUP = 6  # months of history before the first labelled month (3 recent + 3 earlier months of usage)
PLANS = np.array([19.0, 39.0, 59.0, 99.0, 129.0, 199.0])  # monthly price, yuan
ALLOWANCE_GB = np.array([5.0, 20.0, 40.0, 80.0, 100.0, 200.0])
PLAN_SHARE = np.array([0.15, 0.25, 0.25, 0.2, 0.1, 0.05])
OVERAGE_YUAN_PER_GB = 3.0
BASE_CHURN = 0.015  # monthly probability of leaving when nothing is wrong
PORT_OUT_RATE = 0.006  # customers asking for a port-out authorisation code in a month
PORT_OUT_LOGIT = 2.5  # a port-out request in the month: most who ask for the code go


@dataclass(frozen=True)
class Panel:
    customer_id: NDArray[np.int64]  # (N,)
    tenure0: NDArray[np.int32]  # months in network before month 0
    plan_price: NDArray[np.float64]  # yuan per month
    contract_end: NDArray[np.int32]  # month index at which the contract ends (negative: already out of contract)
    data_gb: NDArray[np.float32]  # (N, M)
    bill: NDArray[np.float32]  # (N, M) yuan
    complaints: NDArray[np.int8]  # (N, M) complaints filed in the month
    repeat_complaints: NDArray[np.int8]  # (N, M) of them, on a problem already complained about
    unresolved_orders: NDArray[np.int8]  # (N, M) orders still open at month end
    overdue_bills: NDArray[np.int8]  # (N, M) bills unpaid past their due date at month end
    nps: NDArray[np.int8]  # (N, M) 0–10 answer of the month's survey, -1 when not surveyed
    port_out_requests: NDArray[np.int8]  # (N, M) port-out (携号转网) authorisation requests in the month
    churn_month: NDArray[np.int32]  # (N,) the month the customer left in; NEVER when they stayed
    signal: bool
    # (N,) the first month the customer has a row in (joined later, or history imported later); None: month 0
    first_month: NDArray[np.int32] | None = None

    @property
    def customers(self) -> int:
        return int(self.customer_id.shape[0])

    @property
    def months(self) -> int:
        return int(self.data_gb.shape[1])

    @property
    def never(self) -> int:
        return self.months + 1

    def active(self, month: int) -> NDArray[np.bool_]:
        """Customers with a row in `month` (already there, not yet gone)."""
        present = self.churn_month > month
        if self.first_month is not None:
            present &= self.first_month <= month
        return np.asarray(present, dtype=np.bool_)

    def label(self, month: int) -> NDArray[np.bool_]:
        """Leaves during the month after `month` (for every customer; meaningful where active)."""
        return np.asarray(self.churn_month == month + 1, dtype=np.bool_)


def generate(customers: int, months: int = 12, *, seed: int = 0, signal: bool = True) -> Panel:
    """`customers` customers over `months` months (at least WARMUP + 1); `signal=False` makes churn a coin
    flip with the same base rate, independent of every feature."""
    if months <= WARMUP:
        raise ValueError(f"months must be above the {WARMUP}-month warm-up")
    rng = np.random.default_rng(seed)
    n, m = customers, months
    plan = rng.choice(len(PLANS), size=n, p=PLAN_SHARE)
    price = PLANS[plan]
    tenure0 = np.minimum(rng.exponential(40.0, n), 240).astype(np.int32)
    contract_end = rng.integers(-12, m + 18, n).astype(np.int32)

    # Data use: a level tied to the plan, month-to-month noise, and for one customer in five a decline that
    # starts in a random month (a second SIM elsewhere, a move, a competitor's offer).
    level = ALLOWANCE_GB[plan] * rng.lognormal(-0.3, 0.45, n)
    noise = rng.lognormal(0.0, 0.12, (n, m))
    declining = rng.random(n) < 0.2
    start = rng.integers(0, m, n)
    age = np.maximum(np.arange(m)[None, :] - start[:, None], 0)
    decay = np.where(declining[:, None], 0.85**age, 1.0)
    data = (level[:, None] * noise * decay).astype(np.float32)
    overage = np.maximum(data - ALLOWANCE_GB[plan][:, None], 0.0) * OVERAGE_YUAN_PER_GB
    bill = (price[:, None] + overage + rng.gamma(1.0, 4.0, (n, m))).astype(np.float32)

    # Complaints: a customer's own rate (most never complain, a few often), and in a bad month more of them.
    rate = rng.gamma(0.5, 0.3, n)
    complaints = rng.poisson(rate[:, None] * rng.gamma(2.0, 0.5, (n, m)))
    complaints = np.minimum(complaints, 9)
    repeat = rng.binomial(complaints, 0.35)
    unresolved = np.minimum(rng.binomial(complaints, 0.25) + rng.poisson(0.02, (n, m)), 9)

    # Overdue bills accumulate while a customer pays late and reset when they pay.
    late_payer = rng.random(n) < 0.1
    p_late = np.where(late_payer, 0.35, 0.01)
    late = rng.random((n, m)) < p_late[:, None]
    overdue = np.zeros((n, m), dtype=np.int8)
    run = np.zeros(n, dtype=np.int8)
    for t in range(m):
        run = np.where(late[:, t], np.minimum(run + 1, 6), 0).astype(np.int8)
        overdue[:, t] = run

    surveyed = rng.random((n, m)) < 0.2
    score = np.clip(np.rint(rng.normal(8.0, 1.6, (n, m)) - 1.2 * complaints), 0, 10)
    nps = np.where(surveyed, score, -1).astype(np.int8)

    # Port-out requests from a generator of their own (the draws above stay those of earlier versions): rare,
    # and drawn apart from the other drivers, so each keeps its own weight in the model.
    ports = np.random.default_rng([seed, 0x504F5254])
    port_out = (ports.random((n, m)) < PORT_OUT_RATE).astype(np.int8)

    logit = np.full((n, m), np.log(BASE_CHURN / (1 - BASE_CHURN)))
    if signal:
        logit = logit + _planted(tenure0, contract_end, data, complaints, repeat, unresolved, overdue, nps)
        logit = logit + PORT_OUT_LOGIT * port_out
    hazard = 1.0 / (1.0 + np.exp(-logit))
    leaves = rng.random((n, m)) < hazard
    leaves[:, :WARMUP] = False  # the warm-up months are history: everyone observed then is still a customer
    first = leaves.argmax(axis=1)
    churn_month = np.where(leaves.any(axis=1), first + 1, m + 1).astype(np.int32)

    return Panel(
        customer_id=np.arange(1, n + 1, dtype=np.int64) * 7 + 100_000,  # not 0..N-1: ids are not positions
        tenure0=tenure0,
        plan_price=price,
        contract_end=contract_end,
        data_gb=data,
        bill=bill,
        complaints=complaints.astype(np.int8),
        repeat_complaints=repeat.astype(np.int8),
        unresolved_orders=unresolved.astype(np.int8),
        overdue_bills=overdue,
        nps=nps,
        port_out_requests=port_out,
        churn_month=churn_month,
        signal=signal,
    )


def _planted(
    tenure0: NDArray[np.int32],
    contract_end: NDArray[np.int32],
    data: NDArray[np.float32],
    complaints: NDArray[np.int64],
    repeat: NDArray[np.int64],
    unresolved: NDArray[np.int64],
    overdue: NDArray[np.int8],
    nps: NDArray[np.int8],
) -> NDArray[np.float64]:
    """The log-odds added to the base rate of leaving in month t + 1, from what is seen in month t. Written
    on the raw months, not through `features`, so the model has to recover it from its own summaries."""
    n, m = data.shape
    t = np.arange(m)[None, :]
    recent = _rolling_mean(data, 3)
    earlier = np.concatenate([np.full((n, 3), np.nan, dtype=np.float64), recent[:, :-3]], axis=1)
    drop = np.nan_to_num(np.clip(1.0 - recent / np.maximum(earlier, 1e-3), 0.0, 1.0))
    to_end = contract_end[:, None] - t
    detractor = np.where(nps >= 0, np.maximum(6 - nps, 0), 0)
    logit = (
        1.2 * np.minimum(repeat, 3)
        + 0.5 * np.minimum(complaints, 4)
        + 0.8 * np.minimum(unresolved, 3)
        + 0.6 * np.minimum(overdue, 3)
        + 0.35 * detractor
        + 1.8 * ((to_end >= 0) & (to_end <= 2))
        + 4.0 * drop
        + 1.0 * ((tenure0[:, None] + t) < 6)
    )
    return np.asarray(logit, dtype=np.float64)


def _rolling_mean(a: NDArray[np.float32], k: int) -> NDArray[np.float64]:
    """Mean of the last k months up to and including each month (shorter at the start)."""
    c = np.cumsum(a, axis=1, dtype=np.float64)
    out = c.copy()
    out[:, k:] = c[:, k:] - c[:, :-k]
    width = np.minimum(np.arange(1, a.shape[1] + 1), k)
    return out / width[None, :]
