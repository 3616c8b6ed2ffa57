"""Quality-inspection tables: scorecards, automatic hits, inspections, appeals, calibration.

An *inspection* is one inspector's (or the engine's) scoring of one interaction on one
scorecard version; sampling creates them in state ``assigned``. Blind double scoring and
calibration are simply several inspections of the same interaction, grouped.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

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


class Kind(StrEnum):
    auto = "auto"
    manual = "manual"
    double = "double"            # blind second scoring of a sampled interaction
    calibration = "calibration"


class Status(StrEnum):
    assigned = "assigned"
    scored = "scored"
    appealed = "appealed"
    final = "final"


class AppealStatus(StrEnum):
    open = "open"
    upheld = "upheld"            # the inspection stands
    overturned = "overturned"    # the ruling inspector re-scored it


class ScorecardVersion(Base):
    """A published scorecard; a change is a new version so past scores stay explainable."""

    __tablename__ = "qa_scorecards"
    __table_args__ = (UniqueConstraint("name", "version", name="name_version"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(80))
    version: Mapped[int] = mapped_column(Integer)
    pass_mark: Mapped[float] = mapped_column(Float)
    definition: Mapped[str] = mapped_column(Text)  # the YAML as submitted
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"))


class AutoHit(Base):
    """Evidence of one automatic rule firing: where (turn, ms, text span) and what was matched."""

    __tablename__ = "qa_auto_hits"
    __table_args__ = (
        Index("ix_qa_auto_hits_contact", "contact_id", "scorecard_id"),
        CheckConstraint("review in ('pending','confirmed','rejected','none')", name="review"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    contact_id: Mapped[int] = mapped_column(ForeignKey("contacts.id", ondelete="CASCADE"))
    scorecard_id: Mapped[int] = mapped_column(ForeignKey("qa_scorecards.id", ondelete="RESTRICT"))
    rule_id: Mapped[str] = mapped_column(String(64))
    kind: Mapped[str] = mapped_column(String(16))
    severity: Mapped[str] = mapped_column(String(10))
    item: Mapped[str | None] = mapped_column(String(64))
    turn_index: Mapped[int | None] = mapped_column(Integer)
    start_ms: Mapped[int] = mapped_column(Integer)
    span_start: Mapped[int] = mapped_column(Integer)
    span_end: Mapped[int] = mapped_column(Integer)
    text: Mapped[str] = mapped_column(Text)
    value: Mapped[float | None] = mapped_column(Float)
    review: Mapped[str] = mapped_column(String(10), default="none")
    at: Mapped[datetime] = mapped_column(UTCDateTime())


class Inspection(Base):
    __tablename__ = "qa_inspections"
    __table_args__ = (
        CheckConstraint("kind in ('auto','manual','double','calibration')", name="kind"),
        CheckConstraint("status in ('assigned','scored','appealed','final')", name="status"),
        CheckConstraint("score is null or (score >= 0 and score <= 100)", name="score"),
        Index("ix_qa_inspections_inspector_status", "inspector_id", "status"),
        Index("ix_qa_inspections_agent", "agent_id", "scored_at"),
        Index("ix_qa_inspections_contact", "contact_id"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    contact_id: Mapped[int] = mapped_column(ForeignKey("contacts.id", ondelete="CASCADE"))
    scorecard_id: Mapped[int] = mapped_column(ForeignKey("qa_scorecards.id", ondelete="RESTRICT"))
    agent_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"))
    inspector_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"))
    kind: Mapped[str] = mapped_column(String(12))
    status: Mapped[str] = mapped_column(String(10))
    reason: Mapped[str] = mapped_column(String(40), default="")   # why it was sampled
    group_key: Mapped[str | None] = mapped_column(String(40), index=True)  # double pair / calibration session
    blind: Mapped[bool] = mapped_column(Boolean, default=False)
    items: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)      # item code -> {score, auto, note}
    comments: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)  # [{at_ms, item, text}]
    score: Mapped[float | None] = mapped_column(Float)
    passed: Mapped[bool | None] = mapped_column(Boolean)
    fatal: Mapped[bool | None] = mapped_column(Boolean)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    scored_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    version: Mapped[int] = mapped_column(Integer, default=1)

    __mapper_args__ = {"version_id_col": version}


class Appeal(Base):
    """申诉: an agent disputes a scored inspection; a different inspector rules on it."""

    __tablename__ = "qa_appeals"
    __table_args__ = (CheckConstraint("status in ('open','upheld','overturned')", name="status"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    inspection_id: Mapped[int] = mapped_column(ForeignKey("qa_inspections.id", ondelete="CASCADE"), index=True)
    agent_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"))
    reason: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(10))
    filed_at: Mapped[datetime] = mapped_column(UTCDateTime())
    ruled_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"))
    ruled_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    ruling: Mapped[str | None] = mapped_column(Text)
    score_before: Mapped[float | None] = mapped_column(Float)
    score_after: Mapped[float | None] = mapped_column(Float)


class CalibrationSession(Base):
    """校准: several inspectors score the same interactions; the report shows who deviates where."""

    __tablename__ = "qa_calibration_sessions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(80))
    scorecard_id: Mapped[int] = mapped_column(ForeignKey("qa_scorecards.id", ondelete="RESTRICT"))
    contact_ids: Mapped[list[int]] = mapped_column(JSON)
    inspector_ids: Mapped[list[int]] = mapped_column(JSON)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class SamplingPlan(Base):
    """抽检计划: a named, saved sampling rule run once per period (the last complete day or ISO week)."""

    __tablename__ = "qa_sampling_plans"
    __table_args__ = (CheckConstraint("period in ('daily','weekly')", name="period"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(60), unique=True)
    period: Mapped[str] = mapped_column(String(8))
    rules: Mapped[dict[str, Any]] = mapped_column(JSON)  # SampleIn without since/until/seed
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    version: Mapped[int] = mapped_column(Integer, default=1)

    __mapper_args__ = {"version_id_col": version}


class SamplingBatch(Base):
    """One sampling run (抽检批次): its period, what it created and for whom; one per plan and period."""

    __tablename__ = "qa_sampling_batches"
    __table_args__ = (UniqueConstraint("plan_id", "since", name="uq_qa_sampling_batches_plan_period"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    plan_id: Mapped[int | None] = mapped_column(ForeignKey("qa_sampling_plans.id", ondelete="RESTRICT"), index=True)
    since: Mapped[datetime] = mapped_column(UTCDateTime())
    until: Mapped[datetime] = mapped_column(UTCDateTime())
    created: Mapped[int] = mapped_column(Integer)
    double: Mapped[int] = mapped_column(Integer)
    by_reason: Mapped[dict[str, int]] = mapped_column(JSON)
    by_inspector: Mapped[dict[str, int]] = mapped_column(JSON)  # user id (as text: JSON keys) -> samples
    run_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"))  # None: the schedule
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)


class Store(Base):
    """营业厅: a walk-in store, placed by province and city code (region scope applies to its visits)."""

    __tablename__ = "qa_stores"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(80), unique=True)
    province_code: Mapped[str] = mapped_column(String(12), index=True)
    city_code: Mapped[str] = mapped_column(String(12))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class StoreVisit(Base):
    """现场检查 or 暗访 of a store, scored on the manual visit card (`telqc.inspection.store_visits`)."""

    __tablename__ = "qa_store_visits"
    __table_args__ = (
        CheckConstraint("kind in ('store_inspection','mystery_shopper')", name="kind"),
        CheckConstraint("total >= 0 and total <= 100", name="total"),
        Index("ix_qa_store_visits_store_at", "store_id", "visited_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    store_id: Mapped[int] = mapped_column(ForeignKey("qa_stores.id", ondelete="RESTRICT"))
    kind: Mapped[str] = mapped_column(String(20))
    visitor_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"))
    visited_at: Mapped[datetime] = mapped_column(UTCDateTime())
    card: Mapped[str] = mapped_column(String(20))  # the visit card version scored on
    items: Mapped[dict[str, Any]] = mapped_column(JSON)  # item code -> {score, max, finding}
    total: Mapped[float] = mapped_column(Float)
    fatal: Mapped[bool] = mapped_column(Boolean, default=False)
    status: Mapped[str] = mapped_column(String(10), default="scored")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
