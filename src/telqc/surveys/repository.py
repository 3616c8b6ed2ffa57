"""Survey queries."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Select, bindparam, func, select
from sqlalchemy.orm import Session

from telqc.surveys.models import SurveyInvitation, SurveyOrderCustomer, SurveyResponse


def by_token_hash(session: Session, token_hash: str) -> SurveyInvitation | None:
    return session.scalar(select(SurveyInvitation).where(SurveyInvitation.token_hash == token_hash))


_INVITED_SINCE = (select(SurveyInvitation.customer_id).distinct()
                  .where(SurveyInvitation.customer_id.in_(bindparam("customers", expanding=True)),
                         SurveyInvitation.sent_at > bindparam("since")))


def invited_since(session: Session, customer_ids: set[int], since: datetime) -> set[int]:
    """Which of these customers were invited after `since`."""
    return set(session.scalars(_INVITED_SINCE, {"customers": sorted(customer_ids), "since": since}))


def order_customer(session: Session, order_id: int) -> SurveyOrderCustomer | None:
    return session.get(SurveyOrderCustomer, order_id)


def listing(status: str | None, limit: int) -> Select[SurveyInvitation]:
    stmt = select(SurveyInvitation).order_by(SurveyInvitation.sent_at.desc()).limit(limit)
    return stmt.where(SurveyInvitation.status == status) if status else stmt


def due_to_expire(now: datetime) -> Select[SurveyInvitation]:
    return select(SurveyInvitation).where(SurveyInvitation.status == "sent", SurveyInvitation.expires_at <= now)


def page(session: Session, status: str | None, offset: int,
         limit: int) -> tuple[list[tuple[SurveyInvitation, SurveyResponse | None]], int]:
    """One page of invitations, newest first, each with its answer if any; and how many there are."""
    where = [SurveyInvitation.status == status] if status else []
    total = session.scalar(select(func.count()).select_from(SurveyInvitation).where(*where)) or 0
    stmt = (select(SurveyInvitation, SurveyResponse)
            .outerjoin(SurveyResponse, SurveyResponse.invitation_id == SurveyInvitation.id).where(*where)
            .order_by(SurveyInvitation.sent_at.desc(), SurveyInvitation.id.desc()).offset(offset).limit(limit))
    return [(i, r) for i, r in session.execute(stmt).all()], total
