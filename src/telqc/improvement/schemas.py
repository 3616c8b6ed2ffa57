"""Improvement plan shapes: what a manager writes, and what the board and the plan page read."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from pydantic import Field, field_validator

from telqc.core.schemas import In, Out
from telqc.improvement.states import PlanState, RootCause, Source

SCOPE_DIMS = ("province", "city", "team", "category", "channel")  # city: a complaint hotspot's
Scope = dict[str, list[str]]


def _scope(v: Scope | None) -> Scope | None:
    if v is None:
        return None
    unknown = set(v) - set(SCOPE_DIMS)
    if unknown:
        raise ValueError(f"unknown scope dimension {sorted(unknown)[0]!r}; use {', '.join(SCOPE_DIMS)}")
    if any(len(vals) > 50 or any(not 0 < len(x) <= 40 for x in vals) for vals in v.values()):
        raise ValueError("each scope dimension lists at most 50 values of 1–40 characters")
    return {k: vals for k, vals in v.items() if vals}


class PlanIn(In):
    title: str = Field(min_length=2, max_length=120)
    problem: str = Field(min_length=2, max_length=4000)
    source: Source = Source.MANUAL
    source_ref: str | None = Field(None, max_length=120)
    kpi: str = Field(min_length=1, max_length=40)
    target: float | None = Field(None, ge=-1e12, le=1e12)
    scope: Scope = Field(default_factory=dict)
    comparison: Scope | None = None
    owner_id: int = Field(ge=1, le=2**31 - 1)
    baseline_start: date = Field(ge=date(2000, 1, 1), le=date(2100, 12, 31))
    baseline_end: date = Field(ge=date(2000, 1, 1), le=date(2100, 12, 31))

    _check_scope = field_validator("scope", "comparison")(_scope)


class AnalysisIn(In):
    """The cause analysis (根因分析): category, a 5-why chain and fishbone factors."""

    root_cause: RootCause
    why: list[str] = Field(default_factory=list, max_length=5)
    fishbone: dict[RootCause, list[str]] = Field(default_factory=dict)

    @field_validator("why")
    @classmethod
    def _why(cls, v: list[str]) -> list[str]:
        if any(not 0 < len(x.strip()) <= 500 for x in v):
            raise ValueError("每一问须填写 1–500 个字")  # shown as it is (v.value_error): zh-CN first
        return [x.strip() for x in v]


class ActionIn(In):
    title: str = Field(min_length=2, max_length=200)
    owner_id: int = Field(ge=1, le=2**31 - 1)
    due_on: date = Field(ge=date(2000, 1, 1), le=date(2100, 12, 31))


class ActionDoneIn(In):
    note: str | None = Field(None, max_length=2000)


class TransitionIn(In):
    to: PlanState
    note: str | None = Field(None, max_length=2000)


class MeasureIn(In):
    after_start: date = Field(ge=date(2000, 1, 1), le=date(2100, 12, 31))
    after_end: date = Field(ge=date(2000, 1, 1), le=date(2100, 12, 31))


class NextCycleIn(In):
    """A roll-out of a plan that worked to another scope, or the next cycle of one whose effect was not shown."""

    scope: Scope | None = None  # roll-out: the new scope; adjustment: the same scope by default
    comparison: Scope | None = None
    owner_id: int | None = Field(None, ge=1, le=2**31 - 1)
    baseline_start: date = Field(ge=date(2000, 1, 1), le=date(2100, 12, 31))
    baseline_end: date = Field(ge=date(2000, 1, 1), le=date(2100, 12, 31))
    note: str | None = Field(None, max_length=2000)

    _check_scope = field_validator("scope", "comparison")(_scope)


class ActionOut(Out):
    id: int
    plan_id: int
    title: str
    owner_id: int
    owner: str = ""
    due_on: date
    status: str
    note: str | None
    done_at: datetime | None
    overdue: bool = False


class PlanOut(Out):
    id: int
    title: str
    problem: str
    source: str
    source_ref: str | None
    kpi: str
    target: float | None
    scope: Scope
    comparison: Scope | None
    root_cause: str | None
    why: list[str]
    fishbone: dict[str, list[str]]
    owner_id: int
    owner: str = ""
    state: str
    baseline_start: date
    baseline_end: date
    after_start: date | None
    after_end: date | None
    effect: dict[str, Any] | None
    verdict: str | None
    parent_id: int | None
    created_at: datetime
    updated_at: datetime
    actions: list[ActionOut] = Field(default_factory=list)


class PlanPage(Out):
    items: list[PlanOut]
    total: int
    offset: int
    limit: int


class SuggestionIn(In):
    title: str = Field(min_length=2, max_length=120)
    body: str = Field(min_length=5, max_length=4000)


class SuggestionDecisionIn(In):
    adopted: bool
    decision: str = Field(min_length=2, max_length=2000)
    plan_id: int | None = Field(None, ge=1, le=2**31 - 1)


class SuggestionOut(Out):
    id: int
    author_id: int
    author: str = ""
    title: str
    body: str
    status: str
    decision: str | None
    plan_id: int | None
    created_at: datetime
    decided_at: datetime | None
