"""Survey queries."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from telqc.surveys.models import SurveyInvitation, SurveyOrderCustomer


def by_token_hash(session: Session, token_hash: str) -> SurveyInvitation | None:
    return session.scalar(select(SurveyInvitation).where(SurveyInvitation.token_hash == token_hash))


def invited_since(session: Session, customer_id: int, since: datetime) -> bool:
    stmt = select(SurveyInvitation.id).where(SurveyInvitation.customer_id == customer_id,
                                             SurveyInvitation.sent_at > since).limit(1)
    return session.scalar(stmt) is not None


def order_customer(session: Session, order_id: int) -> SurveyOrderCustomer | None:
    return session.get(SurveyOrderCustomer, order_id)


def listing(status: str | None, limit: int) -> Select[tuple[SurveyInvitation]]:
    stmt = select(SurveyInvitation).order_by(SurveyInvitation.sent_at.desc()).limit(limit)
    return stmt.where(SurveyInvitation.status == status) if status else stmt


def due_to_expire(now: datetime) -> Select[tuple[SurveyInvitation]]:
    return select(SurveyInvitation).where(SurveyInvitation.status == "sent", SurveyInvitation.expires_at <= now)
