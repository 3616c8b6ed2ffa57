"""Training queries, including the one rule that says whose training a caller may read.

An agent reads only their own assignments and attempts; a trainer, supervisor or manager reads the agents of
their provinces (an agent's ``region_scope``), every agent without a region scope of their own.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from telqc.core.models import User
from telqc.core.rbac import Perm, Principal, Role
from telqc.training.models import (
    SimCall,
    SimScorecard,
    TrainingAssignment,
    TrainingAttempt,
    TrainingCourse,
    TrainingExam,
    TrainingQuestion,
)


def agents_in_scope(session: Session, principal: Principal | None) -> list[User]:
    """The active agents whose training the caller may read and manage (an agent: themself)."""
    stmt = select(User).where(User.role == Role.agent.value, User.is_active.is_(True)).order_by(User.id)
    if principal is not None and not principal.can(Perm.training_manage):
        return list(session.scalars(stmt.where(User.id == principal.user_id)))
    scope = principal.region_scope if principal else None
    rows = list(session.scalars(stmt))
    if scope is None:
        return rows
    return [u for u in rows if set(u.region_scope or ()) & set(scope)]


def course(session: Session, course_id: int) -> TrainingCourse | None:
    return session.get(TrainingCourse, course_id)


def courses(session: Session, ids: Collection[int] | None = None) -> list[TrainingCourse]:
    stmt = select(TrainingCourse).order_by(TrainingCourse.id)
    if ids is not None:
        stmt = stmt.where(TrainingCourse.id.in_(ids))
    return list(session.scalars(stmt))


def questions(session: Session, course_id: int | None = None, ids: Collection[int] | None = None
              ) -> list[TrainingQuestion]:
    stmt = select(TrainingQuestion).order_by(TrainingQuestion.id)
    if course_id is not None:
        stmt = stmt.where(TrainingQuestion.course_id == course_id)
    if ids is not None:
        stmt = stmt.where(TrainingQuestion.id.in_(ids))
    return list(session.scalars(stmt))


def question(session: Session, question_id: int) -> TrainingQuestion | None:
    return session.get(TrainingQuestion, question_id)


def exam(session: Session, exam_id: int) -> TrainingExam | None:
    return session.get(TrainingExam, exam_id)


def exams(session: Session, course_ids: Collection[int] | None = None) -> list[TrainingExam]:
    stmt = select(TrainingExam).order_by(TrainingExam.id)
    if course_ids is not None:
        stmt = stmt.where(TrainingExam.course_id.in_(course_ids))
    return list(session.scalars(stmt))


def assignments(session: Session, agent_ids: Collection[int] | None = None, course_id: int | None = None
                ) -> list[TrainingAssignment]:
    stmt = select(TrainingAssignment).order_by(TrainingAssignment.id.desc())
    if agent_ids is not None:
        stmt = stmt.where(TrainingAssignment.agent_id.in_(agent_ids))
    if course_id is not None:
        stmt = stmt.where(TrainingAssignment.course_id == course_id)
    return list(session.scalars(stmt))


def assignment(session: Session, assignment_id: int) -> TrainingAssignment | None:
    return session.get(TrainingAssignment, assignment_id)


def last_trained(session: Session, agent_id: int, course_id: int) -> datetime | None:
    return session.scalar(select(TrainingAssignment.completed_at).where(
        TrainingAssignment.agent_id == agent_id, TrainingAssignment.course_id == course_id,
        TrainingAssignment.status == "completed").order_by(TrainingAssignment.completed_at.desc()).limit(1))


def attempts_of(agent_ids: Collection[int] | None = None, exam_id: int | None = None) -> Select[TrainingAttempt]:
    stmt = select(TrainingAttempt).order_by(TrainingAttempt.id)
    if agent_ids is not None:
        stmt = stmt.where(TrainingAttempt.agent_id.in_(agent_ids))
    if exam_id is not None:
        stmt = stmt.where(TrainingAttempt.exam_id == exam_id)
    return stmt


def attempts(session: Session, agent_ids: Collection[int] | None = None, exam_id: int | None = None
             ) -> list[TrainingAttempt]:
    return list(session.scalars(attempts_of(agent_ids, exam_id)))


def attempt(session: Session, attempt_id: int, for_update: bool = False) -> TrainingAttempt | None:
    """``for_update``: a submission locks its attempt (PostgreSQL), so two sheets sent at once grade once."""
    if for_update:
        return session.scalar(select(TrainingAttempt).where(TrainingAttempt.id == attempt_id)
                              .with_for_update().execution_options(populate_existing=True))
    return session.get(TrainingAttempt, attempt_id)


def overdue_attempts(session: Session, before: datetime, agent_id: int | None = None) -> list[TrainingAttempt]:
    stmt = select(TrainingAttempt).where(TrainingAttempt.status == "in_progress",
                                         TrainingAttempt.deadline_at < before)
    if agent_id is not None:
        stmt = stmt.where(TrainingAttempt.agent_id == agent_id)
    return list(session.scalars(stmt.order_by(TrainingAttempt.id)))


def passed_between(session: Session, agent_ids: Collection[int], start: datetime, end: datetime
                   ) -> list[TrainingAttempt]:
    return list(session.scalars(select(TrainingAttempt).where(
        TrainingAttempt.agent_id.in_(agent_ids), TrainingAttempt.passed.is_(True),
        TrainingAttempt.finished_at >= start, TrainingAttempt.finished_at < end).order_by(TrainingAttempt.id)))


def sim_card(session: Session, card_id: int) -> SimScorecard | None:
    return session.get(SimScorecard, card_id)


def sim_cards(session: Session) -> list[SimScorecard]:
    return list(session.scalars(select(SimScorecard).order_by(SimScorecard.id)))


def sim_calls(session: Session, agent_ids: Collection[int]) -> list[SimCall]:
    return list(session.scalars(select(SimCall).where(SimCall.agent_id.in_(agent_ids))
                                .order_by(SimCall.scored_at.desc(), SimCall.id.desc())))
