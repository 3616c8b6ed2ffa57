"""Agent evaluation runs (月度/季度考评), one result per agent, and agents' objections to them.

A run keeps the scheme it was computed with (components, weights, gates, grades), so a result can be explained
later even after the default scheme changes. KPI values come from the metrics domain's rollups.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    CheckConstraint,
    Date,
    Float,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from telqc.core.db import Base, UTCDateTime

BigId = BigInteger().with_variant(Integer, "sqlite")


class EvaluationRun(Base):
    __tablename__ = "evaluation_runs"
    __table_args__ = (CheckConstraint("period_start <= period_end", name="period"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    name: Mapped[str] = mapped_column(String(80))
    period_start: Mapped[date] = mapped_column(Date)
    period_end: Mapped[date] = mapped_column(Date)
    province_code: Mapped[str | None] = mapped_column(String(6), index=True)  # None: every province
    scheme: Mapped[dict[str, Any]] = mapped_column(JSON)
    agents: Mapped[int] = mapped_column(Integer, default=0)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class EvaluationResult(Base):
    __tablename__ = "evaluation_results"
    __table_args__ = (UniqueConstraint("run_id", "agent_id", name="uq_evaluation_results_run_agent"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("evaluation_runs.id", ondelete="CASCADE"), index=True)
    agent_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"), index=True)
    team_id: Mapped[int | None] = mapped_column(Integer)
    total: Mapped[float] = mapped_column(Float)
    grade: Mapped[str] = mapped_column(String(4))
    tier: Mapped[str] = mapped_column(String(10))
    rank_in_team: Mapped[int] = mapped_column(Integer)
    team_size: Mapped[int] = mapped_column(Integer)
    parts: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    capped_by: Mapped[list[str]] = mapped_column(JSON, default=list)
    adjusted: Mapped[bool] = mapped_column(default=False)  # changed by an upheld objection


class EvaluationObjection(Base):
    """An agent's objection to their result, reviewed by a supervisor (操作流程 六.1: evaluation is explained)."""

    __tablename__ = "evaluation_objections"
    __table_args__ = (CheckConstraint("status in ('open','upheld','rejected')", name="status"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    result_id: Mapped[int] = mapped_column(ForeignKey("evaluation_results.id", ondelete="CASCADE"), index=True)
    agent_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"))
    reason: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(10), default="open", index=True)
    reviewer_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    decision: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
