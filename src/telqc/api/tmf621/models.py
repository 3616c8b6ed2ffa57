"""Event subscriptions of the TMF621 hub and the deliveries made to each listener.

Ids are never reused (SQLite AUTOINCREMENT, PostgreSQL sequences): a deleted subscription's id must not
come back as someone else's, or a client holding the old id would read or delete the new one.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, CheckConstraint, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from telqc.core.db import Base, UTCDateTime
from telqc.core.pii import EncryptedText

BigId = BigInteger().with_variant(Integer, "sqlite")
DELIVERY_STATES = ("pending", "delivered", "dead")


class TmfSubscription(Base):
    """A listener's callback; it receives only what its owner may read, signed with its own secret."""

    __tablename__ = "tmf_subscriptions"
    __table_args__ = {"sqlite_autoincrement": True}

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    callback: Mapped[str] = mapped_column(String(500))
    query: Mapped[str | None] = mapped_column(String(500))
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    # The HMAC key of the signature header, encrypted like personal data (the hub needs it back to sign;
    # `telqc pii-rotate` re-encrypts it). NULL only for subscriptions from before migration 0051, which
    # get no deliveries: they were never checked against the owner's scope or the callback rules.
    secret: Mapped[str | None] = mapped_column(EncryptedText())


class TmfDelivery(Base):
    """One event for one listener: unique, so a re-run relay never queues it twice.

    ``dead`` after ``TELQC_HUB_MAX_ATTEMPTS`` failures: kept for an administrator to read and replay."""

    __tablename__ = "tmf_deliveries"
    __table_args__ = (
        UniqueConstraint("subscription_id", "event_id", "event_type", name="once"),
        Index("ix_tmf_deliveries_due", "status", "next_attempt_at"),
        CheckConstraint("status IN ('pending', 'delivered', 'dead')", name="status"),
        {"sqlite_autoincrement": True},
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    subscription_id: Mapped[int] = mapped_column(ForeignKey("tmf_subscriptions.id", ondelete="CASCADE"))
    event_id: Mapped[int] = mapped_column(BigId)
    event_type: Mapped[str] = mapped_column(String(60))
    body: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(10), default="pending")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime())
    delivered_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    last_error: Mapped[str | None] = mapped_column(String(500))
    last_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
