"""Training tables (培训与考试): courses, the question bank, exams, assignments, attempts, simulated calls.

A course names the knowledge articles it teaches and the QA scorecard items it trains (by code, e.g.
``verification.identity``), so a weak item found by inspection can assign it. Other domains are referenced by
value (article ids, item codes); people by user id. Questions are never edited once saved (only retired), so
an attempt's drawn paper always grades as it did.
"""

from __future__ import annotations

from datetime import datetime
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


class TrainingCourse(Base):
    __tablename__ = "training_courses"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    title: Mapped[str] = mapped_column(String(120))
    description: Mapped[str] = mapped_column(Text, default="")
    article_ids: Mapped[list[int]] = mapped_column(JSON, default=list)  # knowledge articles to study
    qa_items: Mapped[list[str]] = mapped_column(JSON, default=list)     # scorecard item codes it trains
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class TrainingQuestion(Base):
    """One question of a course's bank; ``key`` is the answer key and never leaves the server before grading."""

    __tablename__ = "training_questions"
    __table_args__ = (
        CheckConstraint("type in ('single','multiple','true_false','short')", name="type"),
        CheckConstraint("points > 0", name="points"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("training_courses.id", ondelete="RESTRICT"), index=True)
    type: Mapped[str] = mapped_column(String(12))
    text: Mapped[str] = mapped_column(Text)
    options: Mapped[list[str]] = mapped_column(JSON, default=list)
    # single/multiple/true_false: {"correct": [indices]}; short: {"rubric": [{"keywords": [...], "points": n}]}
    key: Mapped[dict[str, Any]] = mapped_column(JSON)
    points: Mapped[float] = mapped_column(Float)
    explanation: Mapped[str] = mapped_column(Text, default="")
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class TrainingExam(Base):
    __tablename__ = "training_exams"
    __table_args__ = (
        CheckConstraint("pass_mark >= 0 and pass_mark <= 100", name="pass_mark"),
        CheckConstraint("time_limit_min > 0 and draw_count > 0 and max_attempts > 0 and cooloff_hours >= 0",
                        name="limits"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("training_courses.id", ondelete="RESTRICT"), index=True)
    title: Mapped[str] = mapped_column(String(120))
    pool: Mapped[list[int]] = mapped_column(JSON)  # question ids an attempt draws from
    draw_count: Mapped[int] = mapped_column(Integer)
    time_limit_min: Mapped[int] = mapped_column(Integer)
    pass_mark: Mapped[float] = mapped_column(Float)
    max_attempts: Mapped[int] = mapped_column(Integer)
    cooloff_hours: Mapped[float] = mapped_column(Float)
    retrain_after_fail: Mapped[bool] = mapped_column(Boolean, default=True)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class TrainingAssignment(Base):
    """A course assigned to an agent: by a trainer, by the weak-QA-item job, or again after a failed exam that
    demands retraining; done when the agent completes it."""

    __tablename__ = "training_assignments"
    __table_args__ = (
        CheckConstraint("status in ('assigned','completed')", name="status"),
        CheckConstraint("reason in ('manual','qa_weak','retrain')", name="reason"),
        Index("ix_training_assignments_agent", "agent_id", "course_id", "status"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    agent_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"))
    course_id: Mapped[int] = mapped_column(ForeignKey("training_courses.id", ondelete="RESTRICT"), index=True)
    reason: Mapped[str] = mapped_column(String(10))
    note: Mapped[str] = mapped_column(String(200), default="")  # e.g. the weak item and its count
    assigned_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"))
    assigned_at: Mapped[datetime] = mapped_column(UTCDateTime())
    status: Mapped[str] = mapped_column(String(10), default="assigned")
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class TrainingAttempt(Base):
    """One sitting of an exam: the server's start time and drawn paper, then the answers and the grade."""

    __tablename__ = "training_attempts"
    __table_args__ = (
        CheckConstraint("status in ('in_progress','graded','expired')", name="status"),
        # two starts at once draw two papers for the same attempt number: one of them is refused
        UniqueConstraint("agent_id", "exam_id", "number", name="uq_training_attempts_agent_exam_number"),
        Index("ix_training_attempts_finished", "finished_at"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    exam_id: Mapped[int] = mapped_column(ForeignKey("training_exams.id", ondelete="RESTRICT"))
    agent_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"))
    number: Mapped[int] = mapped_column(Integer)  # 1 for the first attempt at this exam
    seed: Mapped[int] = mapped_column(BigInteger)
    question_ids: Mapped[list[int]] = mapped_column(JSON)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime())
    deadline_at: Mapped[datetime] = mapped_column(UTCDateTime())
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    status: Mapped[str] = mapped_column(String(12), default="in_progress")
    answers: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)  # question id (text) -> answer
    per_question: Mapped[dict[str, float]] = mapped_column(JSON, default=dict)
    score: Mapped[float | None] = mapped_column(Float)
    max_score: Mapped[float | None] = mapped_column(Float)
    percent: Mapped[float | None] = mapped_column(Float)
    passed: Mapped[bool | None] = mapped_column(Boolean)
    version: Mapped[int] = mapped_column(Integer, default=1)

    __mapper_args__ = {"version_id_col": version}


class SimScorecard(Base):
    """A simulated-call scorecard (模拟通话评分表): items {code, name, weight, fatal}, like an inspection card."""

    __tablename__ = "training_sim_scorecards"
    __table_args__ = (CheckConstraint("pass_mark >= 0 and pass_mark <= 100", name="pass_mark"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    name: Mapped[str] = mapped_column(String(80))
    course_id: Mapped[int | None] = mapped_column(ForeignKey("training_courses.id", ondelete="RESTRICT"))
    pass_mark: Mapped[float] = mapped_column(Float)
    items: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class SimCall(Base):
    """A simulated call (模拟通话): an examiner plays the customer and enters the agent's item scores."""

    __tablename__ = "training_sim_calls"
    __table_args__ = (Index("ix_training_sim_calls_agent", "agent_id", "scored_at"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    scorecard_id: Mapped[int] = mapped_column(ForeignKey("training_sim_scorecards.id", ondelete="RESTRICT"))
    agent_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"))
    examiner_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"))
    scenario: Mapped[str] = mapped_column(String(200))
    values: Mapped[dict[str, float]] = mapped_column(JSON)
    score: Mapped[float] = mapped_column(Float)
    passed: Mapped[bool] = mapped_column(Boolean)
    failed_fatal: Mapped[list[str]] = mapped_column(JSON, default=list)
    comment: Mapped[str] = mapped_column(Text, default="")
    scored_at: Mapped[datetime] = mapped_column(UTCDateTime())
