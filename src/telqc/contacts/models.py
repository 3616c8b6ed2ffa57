"""Customer contacts on every channel, and the interactions (transcripts) of those that have one.

The channel names are `read.Channel`; identity verification on a contact is recorded by `customers`
(`customers.models.VerificationAttempt`), which sets the contact's verified columns through `service`.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, BigInteger, Boolean, CheckConstraint, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from telqc.core.db import Base, UTCDateTime

BigId = BigInteger().with_variant(Integer, "sqlite")


class Contact(Base):
    __tablename__ = "contacts"
    __table_args__ = (
        CheckConstraint("channel in ('hotline','app','web','wechat','store','social')", name="channel"),
        CheckConstraint("queue_wait_s >= 0 and talk_s >= 0 and hold_s >= 0 and acw_s >= 0", name="durations"),
        Index("ix_contacts_customer_started", "customer_id", "started_at"),
        Index("ix_contacts_started", "started_at"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    customer_id: Mapped[int | None] = mapped_column(ForeignKey("customers.id", ondelete="RESTRICT"))
    province_code: Mapped[str | None] = mapped_column(String(12))
    channel: Mapped[str] = mapped_column(String(10))
    direction: Mapped[str] = mapped_column(String(3), default="in")
    started_at: Mapped[datetime] = mapped_column(UTCDateTime())
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    agent_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"))
    queue_wait_s: Mapped[int] = mapped_column(Integer, default=0)
    talk_s: Mapped[int] = mapped_column(Integer, default=0)
    hold_s: Mapped[int] = mapped_column(Integer, default=0)
    acw_s: Mapped[int] = mapped_column(Integer, default=0)
    abandoned: Mapped[bool] = mapped_column(Boolean, default=False)
    transferred: Mapped[bool] = mapped_column(Boolean, default=False)
    category: Mapped[str | None] = mapped_column(String(40))
    summary: Mapped[str | None] = mapped_column(Text)
    identity_verified: Mapped[bool] = mapped_column(Boolean, default=False)
    verified_method: Mapped[str | None] = mapped_column(String(20))
    verified_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class Interaction(Base):
    """What quality inspection needs beyond the contact row: the transcript and customer signals.

    One row per contact that has a transcript (imported call, chat, recognised recording). Turns
    are kept as one JSON document: they are always read and written whole, and inspection never
    queries inside them. ``csat``/``complaint`` feed targeted sampling (抽检: low CSAT, complaints).
    """

    __tablename__ = "interactions"
    __table_args__ = (
        CheckConstraint("source in ('import','api','asr','live')", name="source"),
        CheckConstraint("csat is null or (csat >= 1 and csat <= 5)", name="csat"),
    )

    contact_id: Mapped[int] = mapped_column(ForeignKey("contacts.id", ondelete="CASCADE"), primary_key=True)
    external_id: Mapped[str | None] = mapped_column(String(64), unique=True)
    source: Mapped[str] = mapped_column(String(8))
    turns: Mapped[list[dict[str, object]]] = mapped_column(JSON)
    turn_count: Mapped[int] = mapped_column(Integer)
    duration_ms: Mapped[int] = mapped_column(Integer)
    complaint: Mapped[bool] = mapped_column(Boolean, default=False)
    csat: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
