"""What the insight routes and services take and return."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Literal

from pydantic import ConfigDict, Field

from telqc.core.schemas import MAX_INT, In, Out

Fen = Annotated[int, Field(ge=0, le=MAX_INT)]
UsageSource = Literal["given", "stored", "synthetic"]
# stored: `insight_households`; default: usage is stored but the household is not, so one person is assumed
HouseholdSource = Literal["given", "stored", "synthetic", "default"]
Trend = Literal["up", "down", "flat"]


class PlanBrief(Out):
    code: str
    name: str


class UsageMonth(Out):
    data_mb: int
    voice_min: int
    month: date | None = None  # stored usage: the month (the household's subscriptions summed)


class RecommendationOut(Out):
    plan: PlanBrief | None  # None: nothing is cheaper than the current plan
    monthly_cost: Decimal | None  # yuan
    current_plan: PlanBrief | None  # the customer's plan the recommendation compares with
    current_cost: Decimal | None
    saving: Decimal | None
    text: str


class ChurnOut(Out):
    """The customer's stored churn score (`telqc insight churn score`): the probability of leaving next month."""

    score: float
    model_version: str
    scored_at: datetime
    reasons: list[str]  # the top reasons, in the reader's language
    codes: list[str]  # the same reasons' feature names (for a channel that words them itself)


class ProfileOut(Out):
    customer_id: int
    tier: str
    lifecycle: str
    plans: list[PlanBrief]
    household: int
    household_source: HouseholdSource
    usage_source: UsageSource
    usage: list[UsageMonth]
    recommendation: RecommendationOut
    churn: ChurnOut | None = None  # None until a scoring run


class RetentionTaskBrief(Out):
    """An open retention task of the customer, as an agent beside one of their orders reads it."""

    action: str  # offer | callback | fault_check
    action_name: str  # its Chinese label
    campaign: str
    agent: str | None  # the assigned agent's display name
    stage: str


class OrderHistoryOut(Out):
    """The customer's orders of one type: in the last 90 days and ever."""

    recent: int
    total: int


class AgentBriefOut(Out):
    """The profile's key facts an agent reads beside a work order (issue 23 §2: the profile is shown on the
    customer 360 page and on the agent's order page): tier, stage, ARPU trend, device, fault and complaint
    history, churn risk and any open retention task."""

    customer_id: int
    tier: str
    lifecycle: str
    arpu: Decimal | None  # yuan a month, mean of the last 3 billed months
    arpu_before: Decimal | None  # the 3 months before
    arpu_trend: Trend | None  # None: not both windows billed
    arpu_change: float | None  # arpu / arpu_before - 1
    device: str | None  # terminal model of the latest usage month that names one
    faults: OrderHistoryOut
    complaints: OrderHistoryOut
    churn: ChurnOut | None = None
    retention: list[RetentionTaskBrief] = []


class PlanIn(In):
    """A catalogue plan (`recommend.Plan`): fee and overage prices in fen, allowances in MB and minutes."""

    code: Annotated[str, Field(min_length=1, max_length=20, pattern=r"^[A-Za-z0-9_.-]+$")]
    name: Annotated[str, Field(min_length=1, max_length=60)]
    fee_fen: Fen
    data_mb: Fen
    voice_min: Fen
    data_fen_per_gb: Fen
    voice_fen_per_min: Fen
    is_family: bool = False
    members: Annotated[int, Field(ge=1, le=20)] = 1


class PlanOut(PlanIn):
    """A stored catalogue plan: the fields it was saved with."""

    model_config = ConfigDict(from_attributes=True)


class ImportOut(Out):
    kind: Literal["usage", "bills", "households", "churn_events"]
    file: str
    digest: str  # SHA-256 of the file, first 16 hex digits (the audit entry's id)
    rows: int
    replaced: int  # stored rows with the same key, replaced by the file's
    customers: int
    months: list[date]  # none for households


class UsageOut(Out):
    subscription: str
    month: date
    data_mb: int
    voice_min: int
    sms: int
    roaming_mb: int
    broadband_mbps: int | None
    broadband_gb: int | None
    home_devices: int | None
    terminal_model: str | None


class BillOut(Out):
    month: date
    amount_fen: int
    paid_fen: int
    paid_at: datetime | None


class OutcomeIn(In):
    outcome: Literal["contacted", "accepted", "declined", "unreachable"]
    note: str | None = Field(default=None, max_length=500)


class TaskOut(Out):
    id: int
    campaign_name: str
    customer_id: int
    customer_name: str
    stage: str
    action: str
    reasons: list[str]
    churn: float | None  # the stored score when the task was given
    churn_reasons: list[str]  # that score's reasons, in the reader's language
    model_version: str | None
    status: str
    note: str | None
    outcome_at: datetime | None


class CampaignIn(In):
    name: str = Field(min_length=1, max_length=100)


class UpliftOut(Out):
    treated_rate: float
    control_rate: float
    difference: float
    low: float
    high: float
    significant: bool


class SavedRevenueOut(Out):
    """(treated rate − holdout rate) × treated customers × their monthly ARPU × months (`uplift.saved_revenue`)."""

    customers: float
    low_customers: float
    high_customers: float
    arpu: Decimal  # yuan a month
    months: int
    amount: Decimal  # yuan
    low: Decimal
    high: Decimal


class CampaignOut(Out):
    id: int
    name: str
    holdout_share: float
    treated: int
    held_out: int
    outcomes: dict[str, int] = {}
    measured_at: datetime | None
    uplift: UpliftOut | None = None
    saved_revenue: SavedRevenueOut | None = None


class OfferIn(In):
    customer_id: int = Field(ge=1, le=MAX_INT)
    channel: Literal["agent", "self_service"]
    plan_code: str | None = Field(default=None, max_length=20)


class DecisionIn(In):
    accepted: bool


class OfferOut(Out):
    id: int
    customer_id: int
    channel: str
    segment: str
    plan_code: str | None
    accepted: bool | None


class ConversionOut(Out):
    channel: str
    segment: str
    shown: int
    decided: int
    accepted: int
    rate: float | None
