"""Survey invitations and answers, and periodic satisfaction campaigns (满意度测评, 手册 8.3.2).

Orders, contacts and customers are referenced by id only (other domains)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    CheckConstraint,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from telqc.core.db import Base, UTCDateTime

BigId = BigInteger().with_variant(Integer, "sqlite")


class SurveyInvitation(Base):
    """One survey sent to one customer; its link is single-use and expires."""

    __tablename__ = "survey_invitations"
    __table_args__ = (
        CheckConstraint("status in ('sent','answered','expired')", name="status"),
        CheckConstraint("channel in ('sms','app_push')", name="channel"),
        CheckConstraint("trigger in ('order','contact')", name="trigger"),
        Index("ix_survey_invitations_customer_sent", "customer_id", "sent_at"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    # SHA-256 of the token in the link: a leaked database does not give working links.
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    customer_id: Mapped[int] = mapped_column(Integer)
    trigger: Mapped[str] = mapped_column(String(10))
    order_id: Mapped[int | None] = mapped_column(BigInteger, index=True)
    contact_id: Mapped[int | None] = mapped_column(BigInteger, index=True)
    agent_id: Mapped[int | None] = mapped_column(Integer)
    channel: Mapped[str] = mapped_column(String(10))
    status: Mapped[str] = mapped_column(String(10), default="sent")
    sent_at: Mapped[datetime] = mapped_column(UTCDateTime())
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    dims: Mapped[str] = mapped_column(Text, default="{}")
    version: Mapped[int] = mapped_column(Integer, default=1)

    __mapper_args__ = {"version_id_col": version}


class SurveyResponse(Base):
    __tablename__ = "survey_responses"
    __table_args__ = (
        CheckConstraint("csat is null or (csat between 1 and 5)", name="csat"),
        CheckConstraint("nps is null or (nps between 0 and 10)", name="nps"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    # Unique: the database itself refuses a second answer to one link.
    invitation_id: Mapped[int] = mapped_column(ForeignKey("survey_invitations.id", ondelete="RESTRICT"), unique=True)
    csat: Mapped[int | None] = mapped_column(Integer)
    nps: Mapped[int | None] = mapped_column(Integer)
    resolved: Mapped[bool | None] = mapped_column(Boolean)
    comment: Mapped[str | None] = mapped_column(Text)
    answered_at: Mapped[datetime] = mapped_column(UTCDateTime())


class SurveyOrderCustomer(Base):
    """Customer of orders whose order.resolved event was emitted before it carried `customer_id`.

    No longer written: read only for such events still in the outbox after an upgrade."""

    __tablename__ = "survey_order_customers"

    order_id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    customer_id: Mapped[int | None] = mapped_column(Integer)
    order_type: Mapped[str] = mapped_column(String(20))


DIMENSIONS = ("attitude", "efficiency", "quality", "etiquette")  # 手册 4.1.1–4.1.4, 4.3.2


class SurveyCampaign(Base):
    """A quarterly or half-yearly satisfaction evaluation sent to a stratified sample of customers."""

    __tablename__ = "survey_campaigns"
    __table_args__ = (
        CheckConstraint("period_kind in ('quarter','half')", name="period_kind"),
        CheckConstraint("status in ('draft','sent','closed')", name="status"),
        CheckConstraint("sample_size > 0 and min_per_stratum >= 0 and validity_days > 0 and min_cell_n > 0",
                        name="sizes"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    name: Mapped[str] = mapped_column(String(80))
    period_kind: Mapped[str] = mapped_column(String(8))
    period_label: Mapped[str] = mapped_column(String(8))  # 2026Q4 | 2026H2
    strata: Mapped[list[str]] = mapped_column(JSON, default=list)  # customer attributes: province, tier
    sample_size: Mapped[int] = mapped_column(Integer)
    min_per_stratum: Mapped[int] = mapped_column(Integer)
    seed: Mapped[int] = mapped_column(BigInteger)
    validity_days: Mapped[int] = mapped_column(Integer)
    province_code: Mapped[str | None] = mapped_column(String(6), index=True)  # data scope; None: national
    min_cell_n: Mapped[int] = mapped_column(Integer)      # fewer answers in a result cell: insufficient
    low_mean: Mapped[float] = mapped_column(Float)        # a dimension's mean below this is a low item
    low_share: Mapped[float] = mapped_column(Float)       # a satisfied (4–5) share below this is a low item
    status: Mapped[str] = mapped_column(String(8), default="draft")
    population: Mapped[dict[str, int]] = mapped_column(JSON, default=dict)  # stratum → customers, at sending
    sampled: Mapped[int] = mapped_column(Integer, default=0)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    version: Mapped[int] = mapped_column(Integer, default=1)

    __mapper_args__ = {"version_id_col": version}


class SurveyCampaignInvitation(Base):
    """One sampled customer's questionnaire: the stratum it was drawn from and its single-use link."""

    __tablename__ = "survey_campaign_invitations"
    __table_args__ = (
        CheckConstraint("status in ('sent','answered','expired')", name="status"),
        CheckConstraint("channel in ('sms','app_push')", name="channel"),
        UniqueConstraint("campaign_id", "customer_id", name="uq_survey_campaign_invitations_customer"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("survey_campaigns.id", ondelete="CASCADE"), index=True)
    customer_id: Mapped[int] = mapped_column(Integer)
    stratum: Mapped[str] = mapped_column(String(60))        # the stratum key, e.g. "440000|gold"
    province_code: Mapped[str] = mapped_column(String(6))   # the customer's segment when the sample was drawn
    tier: Mapped[str] = mapped_column(String(10))
    service_channel: Mapped[str] = mapped_column(String(10))  # channel of the last contact before, or "none"
    channel: Mapped[str] = mapped_column(String(10))        # how the link was sent
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)  # SHA-256 of the link's token
    status: Mapped[str] = mapped_column(String(10), default="sent")
    sent_at: Mapped[datetime] = mapped_column(UTCDateTime())
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    version: Mapped[int] = mapped_column(Integer, default=1)

    __mapper_args__ = {"version_id_col": version}


class SurveyCampaignAnswer(Base):
    """One row per dimension score (1–5), and one "comment" row for the free text if there is one."""

    __tablename__ = "survey_campaign_answers"
    __table_args__ = (
        CheckConstraint("(dimension in ('attitude','efficiency','quality','etiquette') and score between 1 and 5 "
                        "and comment is null) or (dimension = 'comment' and score is null and comment is not null)",
                        name="score"),
        # Unique: the database itself refuses a second answer to one link.
        UniqueConstraint("invitation_id", "dimension", name="uq_survey_campaign_answers_dimension"),
        Index("ix_survey_campaign_answers_campaign", "campaign_id", "dimension"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    invitation_id: Mapped[int] = mapped_column(ForeignKey("survey_campaign_invitations.id", ondelete="CASCADE"))
    campaign_id: Mapped[int] = mapped_column(ForeignKey("survey_campaigns.id", ondelete="CASCADE"))
    dimension: Mapped[str] = mapped_column(String(12))
    score: Mapped[int | None] = mapped_column(Integer)
    comment: Mapped[str | None] = mapped_column(Text)
