"""Knowledge-base tables: articles and FAQ entries, their versions, and the review history."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, CheckConstraint, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from telqc.core.db import Base, UTCDateTime


class KbArticle(Base):
    """The working copy's status plus which version, if any, customers and agents see."""

    __tablename__ = "kb_articles"
    __table_args__ = (
        CheckConstraint("kind in ('article','faq')", name="kind"),
        CheckConstraint("audience in ('internal','public')", name="audience"),
        CheckConstraint("status in ('draft','review','published','retired')", name="status"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(8), default="article")
    category: Mapped[str] = mapped_column(String(40), index=True)
    tags: Mapped[list[str]] = mapped_column(JSON, default=list)
    audience: Mapped[str] = mapped_column(String(8), default="internal")
    valid_from: Mapped[datetime | None] = mapped_column(UTCDateTime())
    valid_to: Mapped[datetime | None] = mapped_column(UTCDateTime())
    status: Mapped[str] = mapped_column(String(10), default="draft")
    current_version: Mapped[int] = mapped_column(Integer, default=1)
    published_version: Mapped[int | None] = mapped_column(Integer)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"))
    reviewer_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())
    version: Mapped[int] = mapped_column(Integer, default=1)

    __mapper_args__ = {"version_id_col": version}


class KbVersion(Base):
    __tablename__ = "kb_versions"

    article_id: Mapped[int] = mapped_column(ForeignKey("kb_articles.id", ondelete="RESTRICT"), primary_key=True)
    number: Mapped[int] = mapped_column(Integer, primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text)
    questions: Mapped[list[str]] = mapped_column(JSON, default=list)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"))
    note: Mapped[str | None] = mapped_column(String(500))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class KbChange(Base):
    """Every status change, in order: the review history, and the feed that keeps each
    process's in-memory search index current without a rebuild."""

    __tablename__ = "kb_changes"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    token: Mapped[str] = mapped_column(String(16))
    article_id: Mapped[int] = mapped_column(ForeignKey("kb_articles.id", ondelete="RESTRICT"), index=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime())
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"))
    from_status: Mapped[str | None] = mapped_column(String(10))
    to_status: Mapped[str] = mapped_column(String(10))
    note: Mapped[str | None] = mapped_column(String(500))


class KbSolution(Base):
    """A normalized solution (code + standard reply) that an agent records when resolving an order."""

    __tablename__ = "kb_solutions"

    code: Mapped[str] = mapped_column(String(40), primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    answer: Mapped[str] = mapped_column(Text)
    category: Mapped[str | None] = mapped_column(String(40))


class KbCase(Base):
    """What became of a resolved order: the evidence the recommender learns from."""

    __tablename__ = "kb_cases"

    order_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    customer_id: Mapped[int | None] = mapped_column(Integer, index=True)
    category: Mapped[str | None] = mapped_column(String(40), index=True)
    description: Mapped[str] = mapped_column(Text)
    solution_code: Mapped[str] = mapped_column(String(40))
    resolved_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    reopened: Mapped[bool] = mapped_column(default=False)
    repeat_contact: Mapped[bool] = mapped_column(default=False)
    csat: Mapped[int | None] = mapped_column(Integer)


class KbChoice(Base):
    """The suggestion an agent picked, so its outcome can be traced back to the ranking."""

    __tablename__ = "kb_choices"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    order_id: Mapped[int | None] = mapped_column(Integer, index=True)
    solution_code: Mapped[str] = mapped_column(ForeignKey("kb_solutions.code", ondelete="RESTRICT"))
    rank: Mapped[int] = mapped_column(Integer)
    chosen_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"))
    at: Mapped[datetime] = mapped_column(UTCDateTime())


class KbFeedback(Base):
    """An agent's verdict on a suggested article (采用 adopted / 不相关 rejected): the learned ranking's evidence."""

    __tablename__ = "kb_feedback"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    article_id: Mapped[int] = mapped_column(ForeignKey("kb_articles.id", ondelete="RESTRICT"), index=True)
    order_id: Mapped[int | None] = mapped_column(Integer, index=True)
    query: Mapped[str] = mapped_column(Text)
    verdict: Mapped[str] = mapped_column(String(10))
    rank: Mapped[int] = mapped_column(Integer)
    by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"))
    at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
