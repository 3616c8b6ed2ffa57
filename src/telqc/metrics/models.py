"""Metrics tables: the append-only facts received, the additive rollups, and the subscriber base.

Orders, inspection and surveys reach metrics only as contract events; each is stored once in
``metrics_facts`` (so ``telqc metrics backfill`` can rebuild every rollup) and folded into
``metrics_rollups``. References to other domains' rows are plain integers, never foreign keys.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, Column, Float, Index, Integer, String, Table, Text
from sqlalchemy.orm import Mapped, mapped_column

from telqc.core.db import Base, UTCDateTime
from telqc.metrics.facts import PARTS, column

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
    order_id: Mapped[int | None] = mapped_column(BigInteger)  # drill-down selects it; nothing looks facts up by it
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


# One wide row per cube cell: the cell's key, then one nullable column per part (NULL = the part never
# occurred in the cell, so a KPI is absent where none of its parts is). A dashboard cell is one row
# instead of one row per part, and a fact folds into one upsert per cube.
rollups = Table(
    "metrics_rollups", Base.metadata,
    Column("cube", String(4), primary_key=True),
    Column("period_start", UTCDateTime(), primary_key=True),
    Column("channel", String(10), primary_key=True),
    Column("province_code", String(12), primary_key=True),
    Column("city_code", String(12), primary_key=True),
    Column("area_type", String(8), primary_key=True),
    Column("tier", String(10), primary_key=True),
    Column("category", String(40), primary_key=True),
    Column("team_id", Integer, primary_key=True),
    Column("agent_id", Integer, primary_key=True),
    *(Column(column(p), Float) for p in PARTS),
)


class SubscriberBase(Base):
    """Active subscribers by area and tier: the denominator of complaint rates (per 10,000 / per million)."""

    __tablename__ = "metrics_subscribers"

    province_code: Mapped[str] = mapped_column(String(12), primary_key=True)
    city_code: Mapped[str] = mapped_column(String(12), primary_key=True)
    area_type: Mapped[str] = mapped_column(String(8), primary_key=True)
    tier: Mapped[str] = mapped_column(String(10), primary_key=True)
    subscribers: Mapped[int] = mapped_column(Integer)
    as_of: Mapped[datetime] = mapped_column(UTCDateTime())
