"""What the insight routes return."""

from __future__ import annotations

from decimal import Decimal
from typing import Literal

from telqc.core.schemas import Out


class PlanBrief(Out):
    code: str
    name: str


class UsageMonth(Out):
    data_mb: int
    voice_min: int


class RecommendationOut(Out):
    plan: PlanBrief | None  # None: nothing is cheaper than the current plan
    monthly_cost: Decimal | None  # yuan
    current_plan: PlanBrief | None  # the customer's plan the recommendation compares with
    current_cost: Decimal | None
    saving: Decimal | None
    text: str


class ProfileOut(Out):
    customer_id: int
    tier: str
    lifecycle: str
    plans: list[PlanBrief]
    household: int
    usage_source: Literal["given", "synthetic"]
    usage: list[UsageMonth]
    recommendation: RecommendationOut
