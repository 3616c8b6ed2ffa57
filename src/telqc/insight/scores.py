"""Stored churn scores as agents and pages read them: the score, its model and its reasons in words.

The light half of the scoring run (`scoring`): no numpy or scikit-learn, so a page, the campaign draw and
the API read scores without loading the model. Reasons are stored as codes with the customer's value
([feature, value]) and put into words here, in the reader's language (messages in `insight.messages`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Integer, func, select

from telqc.core.context import Ctx
from telqc.core.i18n import DEFAULT, t
from telqc.customers.read import CUSTOMERS
from telqc.insight.models import InsightChurnScore

CHUNK = 5000
HIGH = 0.3  # the retention rules' `min_churn` of the at-risk stage: what the board counts as high risk
Reason = list[str | float]  # [feature, value]
# What an agent reads for a feature that raises the risk: a message ({v} the customer's value, {p} a fall in
# per cent, {s} an NPS answer).
REASONS: dict[str, str] = {name: f"churn.reason.{name}" for name in (
    "arpu_drop", "usage_drop", "complaints_30d", "complaints_90d", "repeat_complaints_30d", "unresolved_orders",
    "overdue_bills", "nps_gap", "contract_expiring", "new_customer", "port_out_requests")}


def reason_text(name: str, value: float, lang: str = DEFAULT) -> str:
    return t(REASONS[name], lang, v=value, p=value * 100, s=7 - value)


def stored(ctx: Ctx, customer_ids: Iterable[int] | None = None) -> dict[int, InsightChurnScore]:
    """The stored scores, of the given customers or all."""
    q = select(InsightChurnScore)
    if customer_ids is None:
        return {s.customer_id: s for s in ctx.session.scalars(q)}
    wanted, out = sorted(set(customer_ids)), {}
    for i in range(0, len(wanted), CHUNK):
        out.update({s.customer_id: s for s in ctx.session.scalars(
            q.where(InsightChurnScore.customer_id.in_(wanted[i:i + CHUNK])))})
    return out


def reason_texts(reasons: Sequence[Sequence[str | float]] | None, lang: str = DEFAULT) -> list[str]:
    """Stored reason codes in words; a code this version does not know is skipped, not shown raw."""
    return [reason_text(str(name), float(value), lang) for name, value in (reasons or [])
            if str(name) in REASONS]


def line(score: float | None, reasons: Sequence[Sequence[str | float]] | None, lang: str = DEFAULT) -> str:
    """"流失风险 0.72：近3个月流量较前3个月下降 45%、近30天投诉 2 次" — what an agent reads on a task."""
    if score is None:
        return t("insight.churn_none", lang)
    sep = "、" if lang == DEFAULT else ", "
    words = sep.join(reason_texts(reasons, lang)) or t("insight.churn_no_reason", lang)
    return t("insight.churn_line", lang, score=f"{score:.2f}", reasons=words)


def scores_of(rows: Mapping[int, InsightChurnScore]) -> dict[int, float]:
    return {cid: s.score for cid, s in rows.items()}


@dataclass(frozen=True)
class Summary:
    scored: int
    high: int  # at or above HIGH
    model_version: str | None
    scored_at: datetime | None


def summary(ctx: Ctx) -> Summary:
    """The stored scores of the customers in the reader's regions: how many, how many high, the latest run."""
    s = InsightChurnScore
    q = select(func.count(), func.sum((s.score >= HIGH).cast(Integer)), func.max(s.scored_at)).select_from(s)
    scope = ctx.principal.region_scope if ctx.principal else None
    if scope is not None:
        q = q.join(CUSTOMERS, CUSTOMERS.c.id == s.customer_id).where(CUSTOMERS.c.province_code.in_(scope))
    n, high, at = ctx.session.execute(q).one()
    version = ctx.session.scalar(select(s.model_version).where(s.scored_at == at).limit(1)) if at else None
    return Summary(int(n or 0), int(high or 0), version, at)
