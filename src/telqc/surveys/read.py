"""What other domains may read of surveys without the service: each customer's latest NPS answer (the churn
features of `telqc.insight.scoring`).

Only the post-service survey asks the 0–10 recommendation question (NPS); the quarterly campaign scores four
dimensions 1–5 and is not mapped onto it (a made-up conversion would be read by the model as an answer).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from telqc.surveys.models import SurveyInvitation, SurveyResponse


def last_nps_per_customer(session: Session, since: datetime) -> dict[int, int]:
    """The NPS (0–10) of each customer's latest answer given since ``since``; customers who answered no NPS
    question then are absent (an unanswered survey is no signal). Every province: a scheduled job's read."""
    rows = session.execute(select(SurveyInvitation.customer_id, SurveyResponse.nps)
                           .join(SurveyResponse, SurveyResponse.invitation_id == SurveyInvitation.id)
                           .where(SurveyResponse.answered_at >= since, SurveyResponse.nps.is_not(None))
                           .order_by(SurveyResponse.answered_at, SurveyResponse.id))
    return {int(cid): int(nps) for cid, nps in rows if nps is not None}  # in answer order: the latest wins


@dataclass(frozen=True)
class Answer:
    invitation_id: int
    order_id: int | None
    contact_id: int | None
    answered_at: datetime
    csat: int | None
    resolved: bool | None


def agent_answers(session: Session, agent_id: int, start: datetime, end: datetime, limit: int = 500) -> list[Answer]:
    """The post-service survey answers about the agent's service given in start ≤ answered_at < end (what their
    CSAT is computed from), newest first; no customer identity, no free text."""
    rows = session.execute(select(SurveyInvitation.id, SurveyInvitation.order_id, SurveyInvitation.contact_id,
                                  SurveyResponse.answered_at, SurveyResponse.csat, SurveyResponse.resolved)
                           .join(SurveyResponse, SurveyResponse.invitation_id == SurveyInvitation.id)
                           .where(SurveyInvitation.agent_id == agent_id, SurveyResponse.answered_at >= start,
                                  SurveyResponse.answered_at < end)
                           .order_by(SurveyResponse.answered_at.desc(), SurveyResponse.id.desc()).limit(limit))
    return [Answer(int(i), o, c, at, csat, resolved) for i, o, c, at, csat, resolved in rows]
