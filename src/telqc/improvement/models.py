"""Improvement plans (改进计划), their actions and their history.

A plan names the KPI it must move and the scope it applies to (province, team, category), the period the KPI is
measured before the measures and the period after, and optionally a comparison scope that did not get the
measures. Other domains are referenced by value (KPI name, region code, team id, incident id) only.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, BigInteger, CheckConstraint, Date, Float, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from telqc.core.db import Base, UTCDateTime

BigId = BigInteger().with_variant(Integer, "sqlite")
_STATES = "'planning','doing','checking','standardised','adjusting','closed','cancelled'"
_CAUSES = "'people','process','system','network','product','policy'"
_SOURCES = "'kpi','hotspot','survey','incident','manual','rollout','adjustment'"


class ImprovementPlan(Base):
    __tablename__ = "improvement_plans"
    __table_args__ = (
        CheckConstraint(f"state in ({_STATES})", name="state"),
        CheckConstraint(f"root_cause is null or root_cause in ({_CAUSES})", name="root_cause"),
        CheckConstraint(f"source in ({_SOURCES})", name="source"),
        CheckConstraint("baseline_start <= baseline_end", name="baseline"),
        CheckConstraint("after_start is null or after_end is null or after_start <= after_end", name="after"),
        Index("ix_improvement_plans_state", "state", "id"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    title: Mapped[str] = mapped_column(String(120))
    problem: Mapped[str] = mapped_column(Text)
    source: Mapped[str] = mapped_column(String(12))
    source_ref: Mapped[str | None] = mapped_column(String(120))  # e.g. the hotspot, survey item or incident id
    kpi: Mapped[str] = mapped_column(String(40))
    target: Mapped[float | None] = mapped_column(Float)
    # Where the measures apply: {"province": [...], "team": [...], "category": [...]} (metrics filter shape).
    scope: Mapped[dict[str, list[str]]] = mapped_column(JSON, default=dict)
    comparison: Mapped[dict[str, list[str]] | None] = mapped_column(JSON)  # an untreated scope, if one exists
    root_cause: Mapped[str | None] = mapped_column(String(10))
    why: Mapped[list[str]] = mapped_column(JSON, default=list)  # the 5-why chain, problem to root cause
    fishbone: Mapped[dict[str, list[str]]] = mapped_column(JSON, default=dict)  # category → contributing factors
    owner_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"))
    province_code: Mapped[str | None] = mapped_column(String(6), index=True)  # data scope; None: national
    state: Mapped[str] = mapped_column(String(14), default="planning")
    baseline_start: Mapped[date] = mapped_column(Date)
    baseline_end: Mapped[date] = mapped_column(Date)
    after_start: Mapped[date | None] = mapped_column(Date)
    after_end: Mapped[date | None] = mapped_column(Date)
    effect: Mapped[dict[str, object] | None] = mapped_column(JSON)  # the last measurement (effect.Effect fields)
    verdict: Mapped[str | None] = mapped_column(String(10))
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("improvement_plans.id", ondelete="RESTRICT"), index=True)
    created_by: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())
    version: Mapped[int] = mapped_column(Integer, default=1)

    __mapper_args__ = {"version_id_col": version}


class ImprovementAction(Base):
    """One measure: who does it by when. Reminded the day before, escalated to the plan's owner when overdue."""

    __tablename__ = "improvement_actions"
    __table_args__ = (
        CheckConstraint("status in ('open','done','cancelled')", name="status"),
        Index("ix_improvement_actions_due", "status", "due_on"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("improvement_plans.id", ondelete="CASCADE"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    owner_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"))
    due_on: Mapped[date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(10), default="open")
    note: Mapped[str | None] = mapped_column(Text)
    done_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    reminded_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    escalated_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class ImprovementHistory(Base):
    """One row per state change or effect measurement, shown as the plan's timeline."""

    __tablename__ = "improvement_history"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("improvement_plans.id", ondelete="CASCADE"), index=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime())
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    event: Mapped[str] = mapped_column(String(30))   # created | state | action_added | action_done | measured ...
    from_state: Mapped[str | None] = mapped_column(String(14))
    to_state: Mapped[str | None] = mapped_column(String(14))
    note: Mapped[str | None] = mapped_column(Text)


class ImprovementSuggestion(Base):
    """An improvement suggestion from the floor (合理化建议): anyone proposes how to improve a process or work
    faster; a manager adopts or rejects it, optionally into a plan. Adopted suggestions count in their author's
    evaluation (操作流程 六.1 创新与改进建议)."""

    __tablename__ = "improvement_suggestions"
    __table_args__ = (
        CheckConstraint("status in ('submitted','adopted','rejected')", name="status"),
        Index("ix_improvement_suggestions_author", "author_id", "status", "decided_at"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"))
    province_code: Mapped[str | None] = mapped_column(String(6), index=True)  # the author's province, for scope
    title: Mapped[str] = mapped_column(String(120))
    body: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(10), default="submitted")
    decision: Mapped[str | None] = mapped_column(Text)
    plan_id: Mapped[int | None] = mapped_column(ForeignKey("improvement_plans.id", ondelete="SET NULL"))
    decided_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
