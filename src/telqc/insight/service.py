"""The customer's insight profile (issue 23 §2, §5): tier, lifecycle and plans with a plan recommendation.

Read-only. Tier, lifecycle and the access check come from the customers service (`customers.get` raises
NotFound unless the reader may see the customer, the same rule as the customer 360 view); the current plans
from the customers read model. There is no usage table yet: usage is passed in by the caller, or else is
the deterministic synthetic usage of `catalogue.demo_usage` (usage_source "synthetic"). Importing monthly
usage per subscription, and the operator's plan catalogue, is future work (issue 23 §1).
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

from sqlalchemy import select

from telqc.core.context import Ctx
from telqc.customers import service as customers
from telqc.customers.read import CUSTOMER_PLANS
from telqc.insight import schemas as s
from telqc.insight.catalogue import DEMO_CATALOGUE, demo_usage
from telqc.insight.recommend import Month, Plan, recommend


def _yuan(fen: int | None) -> Decimal | None:
    return None if fen is None else Decimal(fen) / 100


def _brief(plan: Plan | None) -> s.PlanBrief | None:
    return None if plan is None else s.PlanBrief(code=plan.code, name=plan.name)


def profile(
    ctx: Ctx,
    customer_id: int,
    usage: Sequence[Month] | None = None,
    household: int | None = None,
    catalogue: Sequence[Plan] = DEMO_CATALOGUE,
) -> s.ProfileOut:
    """The profile of a customer the reader may see (NotFound otherwise); `usage` and `household` override
    the synthetic ones."""
    c = customers.get(ctx, customer_id)
    cp = CUSTOMER_PLANS.c
    codes = list(
        ctx.session.scalars(
            select(cp.plan_code).where(cp.customer_id == c.id, cp.ended_on.is_(None)).order_by(cp.plan_code)
        )
    )
    names = {p.code: p.name for p in customers.plans(ctx)}
    synthetic_usage, synthetic_household = demo_usage(c.id)
    months = list(usage) if usage is not None else synthetic_usage
    people = household if household is not None else synthetic_household
    priced = {p.code for p in catalogue}
    current = next((code for code in codes if code in priced), None)
    r = recommend(catalogue, current, months, people)
    return s.ProfileOut(
        customer_id=c.id,
        tier=c.tier,
        lifecycle=c.lifecycle,
        plans=[s.PlanBrief(code=code, name=names.get(code, code)) for code in codes],
        household=people,
        usage_source="given" if usage is not None else "synthetic",
        usage=[s.UsageMonth(data_mb=m.data_mb, voice_min=m.voice_min) for m in months],
        recommendation=s.RecommendationOut(
            plan=_brief(r.plan),
            monthly_cost=_yuan(r.cost_fen),
            current_plan=_brief(r.current),
            current_cost=_yuan(r.current_cost_fen),
            saving=_yuan(r.saving_fen),
            text=r.text,
        ),
    )
