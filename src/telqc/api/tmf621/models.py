"""Event subscriptions of the TMF621 hub and the deliveries made to each listener."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from telqc.core.db import Base, UTCDateTime

BigId = BigInteger().with_variant(Integer, "sqlite")


class TmfSubscription(Base):
    __tablename__ = "tmf_subscriptions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    callback: Mapped[str] = mapped_column(String(500))
    query: Mapped[str | None] = mapped_column(String(500))
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class TmfDelivery(Base):
    """One event for one listener: unique, so a re-run relay never queues it twice."""

    __tablename__ = "tmf_deliveries"
    __table_args__ = (
        UniqueConstraint("subscription_id", "event_id", "event_type", name="once"),
        Index("ix_tmf_deliveries_due", "status", "next_attempt_at"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    subscription_id: Mapped[int] = mapped_column(ForeignKey("tmf_subscriptions.id", ondelete="CASCADE"))
    event_id: Mapped[int] = mapped_column(BigId)
    event_type: Mapped[str] = mapped_column(String(60))
    body: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(10), default="pending")  # pending | delivered | failed
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime())
    delivered_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    last_error: Mapped[str | None] = mapped_column(String(500))
