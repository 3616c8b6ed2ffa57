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
    Index,
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
    role: Mapped[str] = mapped_column(String(12), default="agent")        # whose evaluation: agent, engineer, …
    period_kind: Mapped[str] = mapped_column(String(8), default="month")  # month | quarter
    scheme_id: Mapped[int | None] = mapped_column(ForeignKey("evaluation_schemes.id", ondelete="RESTRICT"))
    scheme: Mapped[dict[str, Any]] = mapped_column(JSON)  # the scheme as computed with, whatever changes later
    agents: Mapped[int] = mapped_column(Integer, default=0)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class EvaluationScheme(Base):
    """One version of the scheme for a role and a period kind (考评方案), set by the quality manager.

    Versions are never edited: saving a scheme adds the next version, and a run copies the version in force, so
    an old result is explained with the weights it was computed with."""

    __tablename__ = "evaluation_schemes"
    __table_args__ = (
        CheckConstraint("period_kind in ('month','quarter')", name="period_kind"),
        CheckConstraint("version > 0", name="version"),
        UniqueConstraint("role", "period_kind", "version", name="uq_evaluation_schemes_role_period_version"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    role: Mapped[str] = mapped_column(String(12))
    period_kind: Mapped[str] = mapped_column(String(8))
    version: Mapped[int] = mapped_column(Integer)
    name: Mapped[str] = mapped_column(String(80))
    body: Mapped[dict[str, Any]] = mapped_column(JSON)  # {"components": [...], "gates": [...], "grades": [...]}
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class TeamworkRating(Base):
    """A teammate's or a supervisor's rating (1–5) of someone's teamwork in a month (操作流程 六.1 团队协作:
    working with others, sharing experience and knowledge). One per rater, ratee and month."""

    __tablename__ = "evaluation_teamwork_ratings"
    __table_args__ = (
        CheckConstraint("score >= 1 and score <= 5", name="score"),
        CheckConstraint("rater_kind in ('peer','supervisor')", name="rater_kind"),
        CheckConstraint("rater_id <> ratee_id", name="not_self"),
        UniqueConstraint("rater_id", "ratee_id", "month", name="uq_evaluation_teamwork_rater_ratee_month"),
        Index("ix_evaluation_teamwork_ratee_month", "ratee_id", "month"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    ratee_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"))
    rater_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"))
    rater_kind: Mapped[str] = mapped_column(String(10))
    month: Mapped[date] = mapped_column(Date)  # the first day of the month rated
    score: Mapped[int] = mapped_column(Integer)
    comment: Mapped[str] = mapped_column(Text, default="")
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
