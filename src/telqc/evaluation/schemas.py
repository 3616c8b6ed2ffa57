"""Evaluation shapes."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from pydantic import Field

from telqc.core.schemas import In, Out


class RunIn(In):
    name: str = Field(min_length=2, max_length=80)
    period_start: date = Field(ge=date(2000, 1, 1), le=date(2100, 12, 31))
    period_end: date = Field(ge=date(2000, 1, 1), le=date(2100, 12, 31))
    province: str | None = Field(None, pattern=r"^\d{6}$")


class ObjectionIn(In):
    reason: str = Field(min_length=5, max_length=2000)


class DecisionIn(In):
    upheld: bool
    decision: str = Field(min_length=2, max_length=2000)
    adjusted_total: float | None = Field(None, ge=0, le=100)


class PartOut(Out):
    key: str
    name: str = ""
    raw: float | None
    shown: str = ""
    points: float | None
    weight: float
    contribution: float
    method: str = ""


class ResultOut(Out):
    id: int
    run_id: int
    agent_id: int
    agent: str = ""
    team_id: int | None
    team: str = ""
    total: float
    grade: str
    tier: str
    rank_in_team: int
    team_size: int
    parts: list[PartOut]
    capped_by: list[str]
    adjusted: bool
    objection: dict[str, Any] | None = None


class RunOut(Out):
    id: int
    name: str
    period_start: date
    period_end: date
    province_code: str | None
    agents: int
    created_at: datetime
    results: list[ResultOut] = Field(default_factory=list)


class ObjectionOut(Out):
    id: int
    result_id: int
    agent_id: int
    agent: str = ""
    reason: str
    status: str
    decision: str | None
    created_at: datetime
    decided_at: datetime | None
