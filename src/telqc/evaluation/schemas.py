"""Evaluation shapes."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Literal

from pydantic import Field

from telqc.core.schemas import MAX_INT, In, Out


class RunIn(In):
    name: str = Field(min_length=2, max_length=80)
    period_start: date = Field(ge=date(2000, 1, 1), le=date(2100, 12, 31))
    period_end: date = Field(ge=date(2000, 1, 1), le=date(2100, 12, 31))
    province: str | None = Field(None, pattern=r"^\d{6}$")
    role: Literal["agent", "engineer", "supervisor"] = "agent"
    period_kind: Literal["month", "quarter"] | None = None  # None: by the period's length


class ComponentIn(In):
    key: str = Field(min_length=2, max_length=40)
    weight: float = Field(ge=0, le=100)
    normalise: Literal["target", "percentile"] = "target"
    target: float | None = Field(None, gt=0, le=1_000_000)


class SchemeIn(In):
    role: Literal["agent", "engineer", "supervisor"]
    period_kind: Literal["month", "quarter"]
    name: str = Field(min_length=2, max_length=80)
    components: list[ComponentIn] = Field(min_length=1, max_length=30)
    fatal_cap: float | None = Field(79.99, ge=0, le=100)  # None: no fatal gate
    grade_a: float = Field(90, ge=0, le=100)
    grade_b: float = Field(80, ge=0, le=100)
    grade_c: float = Field(70, ge=0, le=100)


class SchemeOut(Out):
    id: int | None
    role: str
    period_kind: str
    version: int
    name: str
    components: list[dict[str, Any]]
    gates: list[dict[str, Any]]
    grades: list[dict[str, Any]]
    versions: int = 0


class TeamworkIn(In):
    ratee_id: int = Field(ge=1, le=MAX_INT)
    month: str = Field(pattern=r"^20\d\d-(0[1-9]|1[0-2])$")
    score: int = Field(ge=1, le=5)
    comment: str = Field("", max_length=500)


class TeamworkOut(Out):
    id: int
    ratee_id: int
    rater_kind: str
    month: date
    score: int


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
    role: str = "agent"
    period_kind: str = "month"
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
