"""The scoring run: every customer's churn score, model version and top reason codes, stored (issue 23 §4).

Features are the churn model's (`features.FEATURES`), taken from what TelQC stores, as of today: tenure and
contract end from the customer, the last 3 billed months against the 3 before (spend and data), overdue
bills, complaint orders in 30 and 90 days (`assessments.facts` and one more usage and complaint read); repeat
complaints in 30 days and orders still unresolved from the orders read model (`orders.read`), the latest NPS
answer of the last 3 months from the surveys read model (`surveys.read`), one grouped query each. A customer
without any of them gets 0 — "no sign", the value the model sees for a customer without them — and a fall is
0 unless both windows have data (a customer without imported usage has not "dropped 100%").

The model: the latest one trained on the operator's own history (`retrain`, `telqc insight churn train` and
the monthly job), else `reference_model()`, trained on the synthetic panel with the planted drivers (`synth`,
`churn evaluate` shows its AUC and calibration); the stored version says which model gave a score, so a score
from another model is never read as this one's. Port-out (携号转网) requests count over the last 3 months
(`insight_churn_events`).
Reasons are stored as codes with the customer's value ([feature, value]) and put into words when read, in the
reader's language (`churn.reason_text`, messages in `insight.messages`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

import numpy as np
from numpy.typing import NDArray
from sqlalchemy import func, select

from telqc.core.context import Ctx
from telqc.insight import assessments, churn, features, retrain, scores, synth
from telqc.insight import repository as repo
from telqc.insight.models import InsightChurnEvent, InsightUsageMonth
from telqc.orders import read as orders_read
from telqc.surveys import read as surveys_read

REFERENCE = {"customers": 20_000, "months": 14, "seed": 23}  # the synthetic training panel
TOP = 3
NPS_DAYS = 90  # the panel's "last 3 months' answers" (`features.snapshot`)


@lru_cache(maxsize=1)
def reference_model() -> churn.Model:
    """Trained once per process on every labelled month of the reference panel (about a second)."""
    p = synth.generate(REFERENCE["customers"], REFERENCE["months"], seed=REFERENCE["seed"])
    x, y, _ = features.training_rows(p, range(synth.WARMUP, p.months - 1))
    return churn.train(x, y, (synth.WARMUP, p.months - 2))


def _fall(now: float | None, before: float | None) -> float:
    if now is None or before is None or before <= 0:
        return 0.0
    return float(np.clip(1.0 - now / before, 0.0, 1.0))


def feature_rows(ctx: Ctx, today: date) -> tuple[list[int], NDArray[np.float64]]:
    """(customer ids, X) with one row per stored customer, columns in `features.FEATURES` order."""
    facts = assessments.facts(ctx, today)
    now_m = today.year * 12 + today.month - 1
    first, last = _first_of(now_m - 6), _first_of(now_m - 3)
    data_before: dict[int, list[int]] = {}
    for cid, _month, mb in ctx.session.execute(
            select(InsightUsageMonth.customer_id, InsightUsageMonth.month, func.sum(InsightUsageMonth.data_mb))
            .where(InsightUsageMonth.month >= first, InsightUsageMonth.month < last)
            .group_by(InsightUsageMonth.customer_id, InsightUsageMonth.month)):
        data_before.setdefault(int(cid), []).append(int(mb or 0))
    now = ctx.now().astimezone(ZoneInfo(ctx.settings.timezone))
    complaints_30d = orders_read.complaints_per_customer(ctx.session, now - timedelta(days=30))
    repeats_30d = orders_read.repeat_complaints_per_customer(ctx.session, now - timedelta(days=30))
    unresolved = orders_read.unresolved_per_customer(ctx.session)
    last_nps = surveys_read.last_nps_per_customer(ctx.session, now - timedelta(days=NPS_DAYS))
    ports = {int(cid): int(n or 0) for cid, n in ctx.session.execute(
        select(InsightChurnEvent.customer_id, func.sum(InsightChurnEvent.count)).where(
            InsightChurnEvent.kind == "port_out_request", InsightChurnEvent.month >= _first_of(now_m - 3))
        .group_by(InsightChurnEvent.customer_id))}
    ids = sorted(facts)
    x = np.zeros((len(ids), len(features.FEATURES)), dtype=np.float64)
    col = {name: i for i, name in enumerate(features.FEATURES)}
    for r, cid in enumerate(ids):
        f = facts[cid]
        before = data_before.get(cid)
        gb_before = sum(before) / len(before) / 1024 if before else None
        x[r, col["tenure_months"]] = f.tenure_months
        x[r, col["plan_price"]] = f.arpu_yuan or 0.0
        x[r, col["arpu_3m"]] = f.arpu_yuan or 0.0
        x[r, col["arpu_drop"]] = _fall(f.arpu_yuan, f.arpu_before_yuan)
        x[r, col["data_3m"]] = f.data_gb or 0.0
        x[r, col["usage_drop"]] = _fall(f.data_gb, gb_before)
        x[r, col["complaints_30d"]] = complaints_30d.get(cid, 0)
        x[r, col["complaints_90d"]] = f.complaints_90d
        x[r, col["repeat_complaints_30d"]] = repeats_30d.get(cid, 0)
        x[r, col["unresolved_orders"]] = unresolved.get(cid, 0)
        nps = last_nps.get(cid)
        x[r, col["nps_gap"]] = max(features.NPS_PASSIVE - nps, 0) if nps is not None else 0
        x[r, col["overdue_bills"]] = f.overdue_bills
        x[r, col["contract_expiring"]] = f.months_to_contract_end is not None and 0 <= f.months_to_contract_end <= 2
        x[r, col["new_customer"]] = f.tenure_months < features.NEW_MONTHS
        x[r, col["port_out_requests"]] = ports.get(cid, 0)
    return ids, x


def _first_of(index: int) -> date:
    year, month0 = divmod(index, 12)
    return date(year, month0 + 1, 1)


def reason_codes(model: churn.Model, x: NDArray[np.float64], top: int = TOP) -> list[list[scores.Reason]]:
    codes = model.reasons(x, top)
    return [[[features.FEATURES[int(j)], round(float(x[i, j]), 4)] for j in row if j >= 0]
            for i, row in enumerate(codes)]


@dataclass(frozen=True)
class RunSummary:
    scored: int
    model_version: str
    high: int  # scores at or above HIGH
    mean: float


def run(ctx: Ctx, model: churn.Model | None = None) -> RunSummary:
    """Score every customer and replace their stored score (a re-run with the same model and data writes the
    same numbers); audited once for the run, not per customer."""
    model = model or retrain.current(ctx) or reference_model()
    today = ctx.now().astimezone(ZoneInfo(ctx.settings.timezone)).date()
    ids, x = feature_rows(ctx, today)
    prob = model.score(x) if ids else np.zeros(0)
    reasons = reason_codes(model, x) if ids else []
    store(ctx, ids, prob, reasons, model.version)
    out = RunSummary(len(ids), model.version, int((prob >= scores.HIGH).sum()), float(prob.mean()) if ids else 0.0)
    ctx.audit("insight.churn_scored", "insight", "churn", scored=out.scored, model_version=out.model_version,
              high=out.high, mean=round(out.mean, 4))
    return out


def store(ctx: Ctx, ids: list[int], prob: NDArray[np.float64], reasons: list[list[scores.Reason]],
          model_version: str) -> None:
    """Replace the stored scores of `ids` through the bulk path (`repository.replace_rows`: COPY into a staging
    table on PostgreSQL, then one DELETE and one INSERT … SELECT). For 1M customers, DELETE by id lists and
    executemany batches took 8× a plain COPY, this path 0.9–2.4× (docs/BENCHMARKS.md, insight_bench --store-db)."""
    rows = [(cid, round(float(p), 4), r) for cid, p, r in zip(ids, prob, reasons, strict=True)]
    repo.replace_rows(ctx.session, "churn_scores", ("customer_id", "score", "reasons"), ("customer_id",), rows,
                      {"model_version": model_version, "scored_at": ctx.now()})
