"""Contact API shapes."""

from __future__ import annotations

from datetime import datetime

from pydantic import Field

from telqc.contacts.read import Channel
from telqc.core.schemas import Id, In, Out


class ContactCreate(In):
    channel: Channel
    customer_id: Id | None = None
    direction: str = Field(default="in", pattern="^(in|out)$")
    category: str | None = Field(default=None, max_length=40)
    summary: str | None = Field(default=None, max_length=2000)


class ContactOut(Out):
    id: int
    channel: Channel
    customer_id: int | None
    direction: str
    started_at: datetime
    ended_at: datetime | None
    agent_id: int | None
    category: str | None
    summary: str | None
    identity_verified: bool
    verified_method: str | None
    verified_at: datetime | None
