"""Evaluation queries: the saved scheme versions and the teamwork ratings (`telqc.evaluation.schemes` and
`telqc.evaluation.teamwork` keep the rules and the writes)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from telqc.core.models import User
from telqc.evaluation.models import EvaluationScheme, TeamworkRating


def latest_scheme(session: Session, role: str, period: str) -> EvaluationScheme | None:
    """The newest saved version for the role and period kind, if any was saved."""
    return session.scalar(select(EvaluationScheme).where(
        EvaluationScheme.role == role, EvaluationScheme.period_kind == period)
        .order_by(EvaluationScheme.version.desc()).limit(1))


def last_scheme_version(session: Session, role: str, period: str) -> int:
    """The highest version number saved for the role and period kind (0 before the first)."""
    return session.scalar(select(func.max(EvaluationScheme.version)).where(
        EvaluationScheme.role == role, EvaluationScheme.period_kind == period)) or 0


def scheme_version_counts(session: Session) -> dict[tuple[str, str], int]:
    """How many versions were saved, by (role, period kind)."""
    return {(r, p): int(n) for r, p, n in session.execute(
        select(EvaluationScheme.role, EvaluationScheme.period_kind, func.count())
        .group_by(EvaluationScheme.role, EvaluationScheme.period_kind)).all()}


def teamwork_rated(session: Session, rater_id: int, ratee_id: int, month: date) -> bool:
    """Whether the rater already rated the person for the month (one rating each)."""
    return session.scalar(select(TeamworkRating.id).where(
        TeamworkRating.rater_id == rater_id, TeamworkRating.ratee_id == ratee_id,
        TeamworkRating.month == month)) is not None


def teamwork_scores(session: Session, ratee_ids: Iterable[int], first_month: date, last_day: date
                    ) -> list[tuple[int, str, int]]:
    """(person rated, rater kind, score) of the ratings for the months ``first_month``..``last_day``."""
    rows = session.execute(select(TeamworkRating.ratee_id, TeamworkRating.rater_kind, TeamworkRating.score).where(
        TeamworkRating.ratee_id.in_(list(ratee_ids)), TeamworkRating.month >= first_month,
        TeamworkRating.month <= last_day))
    return [(int(r), str(k), int(sc)) for r, k, sc in rows]


def active_people(session: Session, roles: Sequence[str], but: int, team_id: int | None = None) -> list[User]:
    """The active people of the roles (of the team, if given) other than ``but``, by team then id."""
    stmt = select(User).where(User.is_active.is_(True), User.id != but, User.role.in_(roles))
    if team_id is not None:
        stmt = stmt.where(User.team_id == team_id)
    return list(session.scalars(stmt.order_by(User.team_id, User.id)))


def teamwork_given(session: Session, rater_id: int, limit: int = 50) -> list[TeamworkRating]:
    """The newest ratings the rater gave."""
    return list(session.scalars(select(TeamworkRating).where(TeamworkRating.rater_id == rater_id)
                                .order_by(TeamworkRating.month.desc(), TeamworkRating.id.desc()).limit(limit)))
