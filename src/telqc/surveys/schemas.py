"""Survey shapes: the public answer form and the managers' list."""

from __future__ import annotations

from datetime import datetime

from pydantic import Field

from telqc.core.schemas import In, Out


class AnswerIn(In):
    csat: int | None = Field(None, ge=1, le=5)
    nps: int | None = Field(None, ge=0, le=10)
    resolved: bool | None = None
    comment: str | None = Field(None, max_length=1000)


class InvitationOut(Out):
    id: int
    customer_id: int
    trigger: str
    order_id: int | None
    contact_id: int | None
    agent_id: int | None
    channel: str
    status: str
    sent_at: datetime
    expires_at: datetime
    answered_at: datetime | None


class AnswerOut(Out):
    survey_id: int
    status: str
