"""Survey invitations and answers. Orders and contacts are referenced by id only (other domains)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, Boolean, CheckConstraint, ForeignKey, Index, Integer, String, Text
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
