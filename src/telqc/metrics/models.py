"""Metrics tables: the append-only facts received, the additive rollups, and the subscriber base.

Orders, inspection and surveys reach metrics only as contract events; each is stored once in
``metrics_facts`` (so ``telqc metrics backfill`` can rebuild every rollup) and folded into
``metrics_rollups``. References to other domains' rows are plain integers, never foreign keys.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, Float, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from telqc.core.db import Base, UTCDateTime

BigId = BigInteger().with_variant(Integer, "sqlite")


class MetricFact(Base):
    """One received fact (a contract event, or a contact imported by backfill). Never updated."""

    __tablename__ = "metrics_facts"
    __table_args__ = (
        Index("ix_metrics_facts_kind_at", "kind", "at"),
        Index("ix_metrics_facts_repeat", "kind", "customer_id", "category", "at"),
        Index("ix_metrics_facts_burst", "kind", "category", "city_code", "at"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    # "e:<outbox id>" for events; "contact:<id>" for contacts, whether from an event or a backfill.
    dedupe_key: Mapped[str] = mapped_column(String(80), unique=True)
    kind: Mapped[str] = mapped_column(String(40))
    at: Mapped[datetime] = mapped_column(UTCDateTime())
    received_at: Mapped[datetime] = mapped_column(UTCDateTime())
    order_id: Mapped[int | None] = mapped_column(BigInteger, index=True)
    contact_id: Mapped[int | None] = mapped_column(BigInteger)
    customer_id: Mapped[int | None] = mapped_column(Integer)
    order_type: Mapped[str] = mapped_column(String(20), default="")
    channel: Mapped[str] = mapped_column(String(10), default="")
    province_code: Mapped[str] = mapped_column(String(12), default="")
    city_code: Mapped[str] = mapped_column(String(12), default="")
    area_type: Mapped[str] = mapped_column(String(8), default="")
    tier: Mapped[str] = mapped_column(String(10), default="")
    category: Mapped[str] = mapped_column(String(40), default="")
    team_id: Mapped[int] = mapped_column(Integer, default=0)
    agent_id: Mapped[int] = mapped_column(Integer, default=0)
    payload: Mapped[str] = mapped_column(Text)


class Rollup(Base):
    """Sum of one part for one period bucket of one cube and one combination of its dimensions."""

    __tablename__ = "metrics_rollups"
    __table_args__ = (
        UniqueConstraint("cube", "period_start", "part", "channel", "province_code", "city_code", "area_type",
                         "tier", "category", "team_id", "agent_id", name="uq_metrics_rollups_key"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    cube: Mapped[str] = mapped_column(String(4))
    period_start: Mapped[datetime] = mapped_column(UTCDateTime())
    part: Mapped[str] = mapped_column(String(24))
    channel: Mapped[str] = mapped_column(String(10))
    province_code: Mapped[str] = mapped_column(String(12))
    city_code: Mapped[str] = mapped_column(String(12))
    area_type: Mapped[str] = mapped_column(String(8))
    tier: Mapped[str] = mapped_column(String(10))
    category: Mapped[str] = mapped_column(String(40))
    team_id: Mapped[int] = mapped_column(Integer)
    agent_id: Mapped[int] = mapped_column(Integer)
    value: Mapped[float] = mapped_column(Float)


class SubscriberBase(Base):
    """Active subscribers by area and tier: the denominator of complaint rates (per 10,000 / per million)."""

    __tablename__ = "metrics_subscribers"

    province_code: Mapped[str] = mapped_column(String(12), primary_key=True)
    city_code: Mapped[str] = mapped_column(String(12), primary_key=True)
    area_type: Mapped[str] = mapped_column(String(8), primary_key=True)
    tier: Mapped[str] = mapped_column(String(10), primary_key=True)
    subscribers: Mapped[int] = mapped_column(Integer)
    as_of: Mapped[datetime] = mapped_column(UTCDateTime())
