"""The churn model trained on the operator's own history (issue 23 §4), retrained on a schedule.

The history is the stored months, laid out as the synthetic panel is (`synth.Panel`), so the same features,
time split and evaluation apply: per customer and month the data used and the bill (`insight_usage_months`,
`insight_bills`), bills still unpaid at the month's end, complaints and repeat complaints (`orders.read`), and
port-out (携号转网) authorisation requests (`insight_churn_events`); the label is the operator's observed
outcome, a port-out or a cancellation (销户) recorded in the next month. Unresolved orders at a past month's
end and survey answers per month are not kept historically, so they are 0 / unanswered in training (the model
learns no weight for them from history; scores still read today's values).

A run trains on every labelled month but the last `test_months`, reports AUC and Brier on those held-out
months, then fits the stored model on all labelled months (the held-out months are the newest, the ones most
like next month). The model is stored with its version and its numbers (`InsightChurnModel`); scoring uses
the latest one, else the reference model of the synthetic panel (`scoring.reference_model`).
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, replace
from datetime import date, datetime
from zoneinfo import ZoneInfo

import numpy as np
from sqlalchemy import func, select

from telqc.core.context import Ctx
from telqc.core.errors import Invalid
from telqc.customers.read import CUSTOMERS
from telqc.insight import churn, features, synth
from telqc.insight.models import InsightBill, InsightChurnEvent, InsightChurnModel, InsightUsageMonth
from telqc.orders import read as orders_read

HISTORY_MONTHS = 18  # the months read: 6 of warm-up, then labelled months
TEST_MONTHS = 3
LEFT = ("port_out", "cancelled")
NEVER = 10_000


def _index(d: date) -> int:
    return d.year * 12 + d.month - 1


def _first_of(index: int) -> date:
    return date(index // 12, index % 12 + 1, 1)


def history(ctx: Ctx, months: int = HISTORY_MONTHS) -> tuple[synth.Panel, int]:
    """(panel, calendar month index of the panel's month 0): the `months` full months before this one."""
    tz = ZoneInfo(ctx.settings.timezone)
    now = ctx.now().astimezone(tz)
    first = _index(now.date()) - months
    since, s = _first_of(first), ctx.session
    rows = s.execute(select(CUSTOMERS.c.id, CUSTOMERS.c.joined_on, CUSTOMERS.c.contract_end)
                     .order_by(CUSTOMERS.c.id)).all()
    pos = {int(r.id): i for i, r in enumerate(rows)}
    n = len(rows)

    def grid(dtype: type[np.generic], fill: int = 0) -> np.ndarray:
        return np.full((n, months), fill, dtype=dtype)

    data, bill = grid(np.float32), grid(np.float32)
    for cid, m, mb in s.execute(select(InsightUsageMonth.customer_id, InsightUsageMonth.month,
                                       func.sum(InsightUsageMonth.data_mb)).where(InsightUsageMonth.month >= since)
                                .group_by(InsightUsageMonth.customer_id, InsightUsageMonth.month)):
        t = _index(m) - first
        if 0 <= t < months:
            data[pos[int(cid)], t] = float(mb or 0) / 1024
    overdue = grid(np.int8)
    for cid, m, amount, paid, paid_at in s.execute(
            select(InsightBill.customer_id, InsightBill.month, InsightBill.amount_fen, InsightBill.paid_fen,
                   InsightBill.paid_at).where(InsightBill.month >= _first_of(first - 6))):
        t, i = _index(m) - first, pos[int(cid)]
        if 0 <= t < months:
            bill[i, t] = amount / 100
        # unpaid at the end of every month after the billed one until it was paid (never paid: still unpaid)
        paid_t = NEVER if paid_at is None and paid < amount else (
            _index(paid_at.astimezone(tz).date()) - first if paid_at is not None else t + 1)
        lo, hi = max(t + 1, 0), min(paid_t, months)
        if lo < hi:
            overdue[i, lo:hi] = np.minimum(overdue[i, lo:hi] + 1, 6)
    complaints, repeats = grid(np.int8), grid(np.int8)
    for (cid, month), (c, r) in orders_read.complaints_per_customer_month(
            s, datetime(since.year, since.month, 1, tzinfo=tz), tz).items():
        t = month - first
        if cid in pos and 0 <= t < months:
            complaints[pos[cid], t], repeats[pos[cid], t] = min(c, 9), min(r, 9)
    ports = grid(np.int8)
    churn_month = np.full(n, months + 1, dtype=np.int32)
    for cid, m, kind, count in s.execute(select(InsightChurnEvent.customer_id, InsightChurnEvent.month,
                                                InsightChurnEvent.kind, InsightChurnEvent.count)):
        t, i = _index(m) - first, pos[int(cid)]
        if kind in LEFT:
            churn_month[i] = min(churn_month[i], max(t, 0))
        elif 0 <= t < months:
            ports[i, t] = min(count, 9)
    joined = np.array([_index(r.joined_on) - first for r in rows], dtype=np.int32)
    end = np.array([_index(r.contract_end) - first if r.contract_end else -NEVER for r in rows], dtype=np.int32)
    panel = synth.Panel(
        customer_id=np.array(list(pos), dtype=np.int64), tenure0=-joined, plan_price=bill.mean(axis=1).astype(
            np.float64), contract_end=end, data_gb=data, bill=bill, complaints=complaints,
        repeat_complaints=repeats, unresolved_orders=grid(np.int8), overdue_bills=overdue, nps=grid(np.int8, -1),
        port_out_requests=ports, churn_month=churn_month, signal=False, first_month=np.maximum(joined, 0))
    return panel, first


def _without_last_month(p: synth.Panel) -> synth.Panel:
    monthly = ("data_gb", "bill", "complaints", "repeat_complaints", "unresolved_orders", "overdue_bills", "nps",
               "port_out_requests")
    return replace(p, **{name: getattr(p, name)[:, :-1] for name in monthly})


@dataclass(frozen=True)
class Trained:
    model: churn.Model
    evaluation: churn.Evaluation
    row: InsightChurnModel


def train(ctx: Ctx, months: int = HISTORY_MONTHS, test_months: int = TEST_MONTHS) -> Trained:
    """Train, evaluate on the held-out months, store and audit; Invalid when the history cannot say anything
    (too few months, or no customer left in the training or the held-out months)."""
    panel, first = history(ctx, months)
    # the last stored month's label is this month, not over yet: judged and trained up to the month before
    try:
        e = churn.evaluate(_without_last_month(panel), test_months)
    except ValueError as exc:  # a split without months, or one class only (roc_auc_score)
        raise Invalid("insight.error.no_history", field="history", months=months, reason=str(exc)) from exc
    last = panel.months - 2
    x, y, _ = features.training_rows(panel, range(synth.WARMUP, last + 1))
    fitted = churn.train(x, y, (synth.WARMUP, last))
    params = churn.to_params(fitted)
    start, end = _first_of(first + synth.WARMUP), _first_of(first + last)
    digest = hashlib.sha256(json.dumps({"params": params, "rows": int(y.size)}, sort_keys=True).encode()).hexdigest()
    version = f"churn-history-{start:%Y%m}-{end:%Y%m}-{digest[:12]}"
    model = churn.Model(fitted.pipeline, version, fitted.train_months, fitted.rows)
    row = ctx.session.get(InsightChurnModel, version) or InsightChurnModel(version=version)
    row.trained_at, row.first_month, row.last_month = ctx.now(), start, end
    row.test_first, row.test_last = _first_of(first + e.test_months[0]), _first_of(first + e.test_months[1])
    row.rows, row.auc, row.brier, row.base_rate, row.params = int(y.size), e.auc, e.brier, e.base_rate, params
    ctx.session.add(row)
    ctx.session.flush()
    ctx.audit("insight.churn_model_trained", "insight", version, auc=round(e.auc, 4), brier=round(e.brier, 5),
              rows=int(y.size), months=[start.isoformat(), end.isoformat()],
              test=[row.test_first.isoformat(), row.test_last.isoformat()])
    return Trained(model, e, row)


def current(ctx: Ctx) -> churn.Model | None:
    """The latest model trained on the operator's history, None while there is none (or it was trained on
    other features than this version's)."""
    row = ctx.session.scalars(select(InsightChurnModel).order_by(InsightChurnModel.trained_at.desc()).limit(1)).first()
    if row is None:
        return None
    try:
        return churn.from_params(row.params, row.version, (_index(row.first_month), _index(row.last_month)), row.rows)
    except ValueError:
        return None
