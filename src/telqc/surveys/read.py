"""What other domains may read of surveys without the service: each customer's latest NPS answer (the churn
features of `telqc.insight.scoring`).

Only the post-service survey asks the 0–10 recommendation question (NPS); the quarterly campaign scores four
dimensions 1–5 and is not mapped onto it (a made-up conversion would be read by the model as an answer).
"""

from __future__ import annotations

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
