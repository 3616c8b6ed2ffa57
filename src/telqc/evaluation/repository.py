"""Evaluation queries: the saved scheme versions (`telqc.evaluation.schemes` keeps the rules and the writes)."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from telqc.evaluation.models import EvaluationScheme


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
