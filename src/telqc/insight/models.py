"""Insight tables: the operator's plan catalogue, monthly usage per subscription, bills, household size.

Money is integer fen (分), as in `telqc.insight.recommend`: a price never passes through a float. A usage row
is one subscription's month; a subscription is referred to as the customers domain stores it, by the plan
code of one of the customer's plans (`customers.read.CUSTOMER_PLANS.plan_code`): TelQC keeps no line table,
and the phone number is personal data (encrypted, with a rotating blind index), so it is not copied here.
Months are DATE values on the first day of the month (the importer refuses any other day).
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    CheckConstraint,
    Date,
    Float,
    ForeignKey,
    Integer,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from telqc.core.db import Base, UTCDateTime

BigId = BigInteger().with_variant(Integer, "sqlite")
HOUSEHOLD_SOURCES = ("import", "agent", "survey")
MEMBER_STATUSES = ("open", "contacted", "accepted", "declined", "unreachable")
OFFER_CHANNELS = ("agent", "self_service", "retention")


def _in(col: str, values: tuple[str, ...]) -> str:
    return f"{col} in ({', '.join(repr(v) for v in values)})"


class InsightPlan(Base):
    """A plan the recommendation may offer: fee, allowances and overage prices (`recommend.Plan`)."""

    __tablename__ = "insight_plans"
    __table_args__ = (
        CheckConstraint("fee_fen >= 0 and data_fen_per_gb >= 0 and voice_fen_per_min >= 0", name="prices"),
        CheckConstraint("data_mb >= 0 and voice_min >= 0", name="allowances"),
        CheckConstraint("members >= 1 and (is_family or members = 1)", name="members"),
    )

    code: Mapped[str] = mapped_column(String(20), primary_key=True)
    name: Mapped[str] = mapped_column(String(60))
    fee_fen: Mapped[int] = mapped_column(Integer)
    data_mb: Mapped[int] = mapped_column(Integer)
    voice_min: Mapped[int] = mapped_column(Integer)
    data_fen_per_gb: Mapped[int] = mapped_column(Integer)
    voice_fen_per_min: Mapped[int] = mapped_column(Integer)
    is_family: Mapped[bool] = mapped_column(Boolean, default=False)
    members: Mapped[int] = mapped_column(Integer, default=1)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())


class InsightUsageMonth(Base):
    """One subscription's usage in one month; broadband and home-network columns are empty for a mobile line.

    Keyed by (customer, month, subscription), the key every read and the import's replace use. On PostgreSQL
    the table is range-partitioned by month, a partition per month (migration 0175, `insight.partitions`): the
    churn and profile reads ask for a few months and scan only those partitions."""

    __tablename__ = "insight_usage_months"
    __table_args__ = (
        CheckConstraint("data_mb >= 0 and voice_min >= 0 and sms >= 0 and roaming_mb >= 0", name="usage"),
        CheckConstraint("(broadband_mbps is null or broadband_mbps >= 0) and "
                        "(broadband_gb is null or broadband_gb >= 0) and "
                        "(home_devices is null or home_devices >= 0)", name="home"),
        {"postgresql_partition_by": "RANGE (month)"},
    )

    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id", ondelete="RESTRICT"), primary_key=True)
    month: Mapped[date] = mapped_column(Date, primary_key=True)
    subscription: Mapped[str] = mapped_column(String(20), primary_key=True)
    data_mb: Mapped[int] = mapped_column(Integer)
    voice_min: Mapped[int] = mapped_column(Integer)
    sms: Mapped[int] = mapped_column(Integer)
    roaming_mb: Mapped[int] = mapped_column(Integer)
    broadband_mbps: Mapped[int | None] = mapped_column(Integer)
    broadband_gb: Mapped[int | None] = mapped_column(Integer)
    home_devices: Mapped[int | None] = mapped_column(Integer)
    terminal_model: Mapped[str | None] = mapped_column(String(60))
    imported_at: Mapped[datetime] = mapped_column(UTCDateTime())


class InsightBill(Base):
    """A customer's bill of one month and what has been paid of it."""

    __tablename__ = "insight_bills"
    __table_args__ = (
        UniqueConstraint("customer_id", "month", name="uq_insight_bills_key"),
        CheckConstraint("amount_fen >= 0 and paid_fen >= 0", name="money"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id", ondelete="RESTRICT"))
    month: Mapped[date] = mapped_column(Date)
    amount_fen: Mapped[int] = mapped_column(Integer)
    paid_fen: Mapped[int] = mapped_column(Integer)
    paid_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    imported_at: Mapped[datetime] = mapped_column(UTCDateTime())


class InsightHousehold(Base):
    """How many people share the customer's plans: a family plan is offered only to 2 or more (三.三)."""

    __tablename__ = "insight_households"
    __table_args__ = (
        CheckConstraint("size between 1 and 20", name="size"),
        CheckConstraint(f"source in ({', '.join(repr(s) for s in HOUSEHOLD_SOURCES)})", name="source"),
    )

    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id", ondelete="RESTRICT"), primary_key=True)
    size: Mapped[int] = mapped_column(Integer)
    source: Mapped[str] = mapped_column(String(10))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())


class RetentionCampaign(Base):
    """One run of the retention rules: its holdout share and seed are stored so the draw can be explained."""

    __tablename__ = "retention_campaigns"
    __table_args__ = (CheckConstraint("holdout_share >= 0 and holdout_share <= 0.5", name="share"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    holdout_share: Mapped[float] = mapped_column(Float)
    seed: Mapped[int] = mapped_column(Integer)
    treated: Mapped[int] = mapped_column(Integer, default=0)
    held_out: Mapped[int] = mapped_column(Integer, default=0)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    measured_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class RetentionMember(Base):
    """A customer drawn into a campaign: held out (no action, no agent) or treated, with a task for one agent.

    `retained` is set when the campaign is measured: the customer's re-assessed stage is then neither lapsed
    nor at risk (the same for both groups, so the difference is the actions' effect)."""

    __tablename__ = "retention_members"
    __table_args__ = (
        UniqueConstraint("campaign_id", "customer_id", name="uq_retention_members_key"),
        CheckConstraint("(holdout and agent_id is null and status = 'open') or "
                        "(not holdout and agent_id is not null)", name="holdout"),
        CheckConstraint(_in("status", MEMBER_STATUSES), name="status"),
        CheckConstraint(_in("action", ("offer", "callback", "fault_check")), name="action"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("retention_campaigns.id", ondelete="RESTRICT"), index=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id", ondelete="RESTRICT"), index=True)
    province_code: Mapped[str] = mapped_column(String(12))
    stage: Mapped[str] = mapped_column(String(20))
    churn: Mapped[float | None] = mapped_column(Float)
    reasons: Mapped[list[str]] = mapped_column(JSON, default=list)
    holdout: Mapped[bool] = mapped_column(Boolean)
    action: Mapped[str] = mapped_column(String(12))
    agent_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"), index=True)
    status: Mapped[str] = mapped_column(String(12), default="open")
    note: Mapped[str | None] = mapped_column(String(500))
    outcome_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    retained: Mapped[bool | None] = mapped_column(Boolean)
    # the stored churn score's reason codes and model at assignment ([[feature, value], ...]; rendered in the
    # reader's language by `scoring.reason_texts`), and the customer's monthly ARPU when measured
    churn_reasons: Mapped[list[list[str | float]] | None] = mapped_column(JSON)
    model_version: Mapped[str | None] = mapped_column(String(80))
    arpu_fen: Mapped[int | None] = mapped_column(Integer)
    version: Mapped[int] = mapped_column(Integer, default=1)

    __mapper_args__ = {"version_id_col": version}


class InsightChurnScore(Base):
    """A customer's latest churn score (`telqc insight churn score`): the probability of leaving next month,
    the model that gave it and its top reason codes ([[feature, value], ...], `churn.reasons`)."""

    __tablename__ = "insight_churn_scores"
    __table_args__ = (CheckConstraint("score >= 0 and score <= 1", name="score"),)

    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id", ondelete="RESTRICT"), primary_key=True)
    score: Mapped[float] = mapped_column(Float)
    model_version: Mapped[str] = mapped_column(String(80))
    scored_at: Mapped[datetime] = mapped_column(UTCDateTime())
    reasons: Mapped[list[list[str | float]]] = mapped_column(JSON, default=list)


class InsightOffer(Base):
    """A plan offered to a customer and whether it was taken: conversion by channel and segment (三.三: list
    selling converted under 8%, 四.三.1: contract-expiry offers 25%)."""

    __tablename__ = "insight_offers"
    __table_args__ = (CheckConstraint(_in("channel", OFFER_CHANNELS), name="channel"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id", ondelete="RESTRICT"), index=True)
    province_code: Mapped[str] = mapped_column(String(12))
    segment: Mapped[str] = mapped_column(String(10))  # the customer's tier when offered
    channel: Mapped[str] = mapped_column(String(12))
    plan_code: Mapped[str | None] = mapped_column(String(20))
    member_id: Mapped[int | None] = mapped_column(ForeignKey("retention_members.id", ondelete="RESTRICT"))
    shown_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"))
    shown_at: Mapped[datetime] = mapped_column(UTCDateTime())
    accepted: Mapped[bool | None] = mapped_column(Boolean)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


CHURN_EVENTS = ("port_out_request", "port_out", "cancelled")


class InsightChurnEvent(Base):
    """What the operator observed of a customer leaving, by month: a port-out (携号转网) authorisation request
    (a feature), a completed port-out or a cancellation (销户: either is the label the model learns)."""

    __tablename__ = "insight_churn_events"
    __table_args__ = (
        UniqueConstraint("customer_id", "month", "kind", name="uq_insight_churn_events_key"),
        CheckConstraint(_in("kind", CHURN_EVENTS), name="kind"),
        CheckConstraint("count >= 1", name="count"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id", ondelete="RESTRICT"))
    month: Mapped[date] = mapped_column(Date)
    kind: Mapped[str] = mapped_column(String(20))
    count: Mapped[int] = mapped_column(Integer, default=1)
    imported_at: Mapped[datetime] = mapped_column(UTCDateTime())


class InsightChurnModel(Base):
    """A churn model trained on the operator's own history (`retrain`): its version (what a stored score
    names), the calendar months trained on, the held-out months' AUC and Brier, and its coefficients (plain
    numbers, not a pickle: loading a model runs no code). The latest trained is the one scoring uses."""

    __tablename__ = "insight_churn_models"

    version: Mapped[str] = mapped_column(String(80), primary_key=True)
    trained_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    first_month: Mapped[date] = mapped_column(Date)  # first and last feature month trained on
    last_month: Mapped[date] = mapped_column(Date)
    test_first: Mapped[date] = mapped_column(Date)  # the held-out months of the evaluation
    test_last: Mapped[date] = mapped_column(Date)
    rows: Mapped[int] = mapped_column(Integer)
    auc: Mapped[float] = mapped_column(Float)
    brier: Mapped[float] = mapped_column(Float)
    base_rate: Mapped[float] = mapped_column(Float)
    params: Mapped[dict[str, list[float] | float | list[str]]] = mapped_column(JSON)
