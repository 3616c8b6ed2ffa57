"""Quality-inspection API shapes (inputs refuse unknown fields)."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import AwareDatetime, Field, model_validator

from telqc.contacts.read import Channel
from telqc.core.schemas import MAX_INT, Count, Id, In, Out


class TurnIn(In):
    speaker: Literal["agent", "customer"]
    start_ms: Count
    end_ms: Count
    text: str = Field(max_length=5000)

    @model_validator(mode="after")
    def _ordered(self) -> TurnIn:
        if self.end_ms < self.start_ms:
            raise ValueError("end_ms must not be before start_ms")
        return self


class InteractionIn(In):
    """One interaction as imported (a JSONL line) or posted; ``audio`` goes through the recognizer."""

    external_id: str | None = Field(default=None, min_length=1, max_length=64)
    channel: Channel
    agent: str = Field(min_length=1, max_length=60)  # agent username
    customer_id: Id | None = None
    started_at: AwareDatetime
    ended_at: AwareDatetime | None = None
    queue_wait_s: Count = 0
    talk_s: Count | None = None
    hold_s: Count = 0
    acw_s: Count = 0
    abandoned: bool = False
    transferred: bool = False
    category: str | None = Field(default=None, max_length=40)
    complaint: bool = False
    csat: int | None = Field(default=None, ge=1, le=5)
    turns: list[TurnIn] | None = None
    audio: str | None = Field(default=None, max_length=500)

    @model_validator(mode="after")
    def _has_transcript(self) -> InteractionIn:
        if self.turns is None and self.audio is None:
            raise ValueError("needs 'turns' or 'audio'")
        return self


class InteractionOut(Out):
    contact_id: int
    external_id: str | None
    channel: str
    agent_id: int | None
    customer_id: int | None
    started_at: datetime
    turn_count: int
    duration_ms: int
    complaint: bool
    csat: int | None


class TranscriptOut(InteractionOut):
    turns: list[dict[str, Any]]


class ImportOut(Out):
    imported: int
    contact_ids: list[int]


class HitOut(Out):
    id: int
    rule_id: str
    kind: str
    severity: str
    item: str | None
    turn_index: int | None
    start_ms: int
    span_start: int
    span_end: int
    text: str
    value: float | None


class ScorecardOut(Out):
    id: int
    name: str
    version: int
    pass_mark: float
    active: bool
    created_at: datetime
    items: list[dict[str, Any]] = []


class ScorecardIn(In):
    definition: str = Field(min_length=1, max_length=200_000)  # YAML (or JSON, a subset of YAML)


class CommentIn(In):
    at_ms: Count
    text: str = Field(min_length=1, max_length=1000)
    item: str | None = None


class ScoreIn(In):
    """An inspector's scoring: points per item (fatal items 1 = met, 0 = failed) and time-coded comments."""

    items: dict[str, float]
    comments: list[CommentIn] = []


class InspectionOut(Out):
    id: int
    contact_id: int
    scorecard_id: int
    agent_id: int | None
    inspector_id: int | None
    kind: str
    status: str
    reason: str
    blind: bool
    items: dict[str, Any]
    comments: list[dict[str, Any]]
    score: float | None
    passed: bool | None
    fatal: bool | None
    created_at: datetime
    scored_at: datetime | None
    appeal_deadline: datetime | None = None


class SampleRules(In):
    """What a sampling run picks and who scores it; a saved plan keeps exactly these."""

    scorecard_id: Id | None = None
    random_pct: float = Field(default=0, ge=0, le=100)
    per_agent_week_min: int = Field(default=0, ge=0, le=100)
    targets: list[Literal["complaint", "long_call", "low_csat", "auto_hits", "new_agent"]] = []
    long_call_s: int = Field(default=900, ge=1, le=MAX_INT)
    low_csat_max: int = Field(default=2, ge=1, le=5)
    new_agent_days: int = Field(default=30, ge=1, le=36_500)
    double_pct: float = Field(default=0, ge=0, le=100)
    inspectors: list[Id] = Field(min_length=1)


class SampleIn(SampleRules):
    """A sampling run over interactions started in [since, until)."""

    since: AwareDatetime
    until: AwareDatetime
    seed: Count = 0


class PlanIn(SampleRules):
    """抽检计划: run once per period over the last complete day (daily) or ISO week (weekly)."""

    name: str = Field(min_length=2, max_length=60)
    period: Literal["daily", "weekly"] = "weekly"


class PlanActiveIn(In):
    active: bool


class PlanOut(Out):
    id: int
    name: str
    period: str
    rules: dict[str, Any]
    active: bool
    created_at: datetime
    last_since: datetime | None = None  # the period its latest batch covered
    last_until: datetime | None = None


class BatchOut(Out):
    id: int
    plan_id: int | None
    since: datetime
    until: datetime
    created: int
    double: int
    by_reason: dict[str, int]
    by_inspector: dict[str, int]
    run_by: int | None
    created_at: datetime


class SampleOut(Out):
    created: int
    double: int
    by_reason: dict[str, int]
    by_inspector: dict[int, int]
    inspection_ids: list[int]


class AppealIn(In):
    reason: str = Field(min_length=5, max_length=2000)


class RulingIn(In):
    decision: Literal["upheld", "overturned"]
    ruling: str = Field(min_length=1, max_length=2000)
    items: dict[str, float] | None = None  # the corrected item scores when overturning

    @model_validator(mode="after")
    def _items_when_overturned(self) -> RulingIn:
        if self.decision == "overturned" and not self.items:
            raise ValueError("overturning needs the corrected 'items'")
        return self


class AppealOut(Out):
    id: int
    inspection_id: int
    agent_id: int
    reason: str
    status: str
    filed_at: datetime
    ruled_by: int | None
    ruled_at: datetime | None
    ruling: str | None
    score_before: float | None
    score_after: float | None


class CalibrationIn(In):
    name: str = Field(min_length=1, max_length=80)
    contact_ids: list[Id] = Field(min_length=1, max_length=50)
    inspector_ids: list[Id] = Field(min_length=2, max_length=20)
    scorecard_id: Id | None = None


class CalibrationOut(Out):
    id: int
    name: str
    scorecard_id: int
    contact_ids: list[int]
    inspector_ids: list[int]
    created_at: datetime
    closed_at: datetime | None


class DeviationRow(Out):
    inspector_id: int
    item: str
    mean_deviation: float      # signed: above (+) or below (−) the panel mean, in points
    mean_abs_deviation: float
    n: int


class CalibrationReport(Out):
    session_id: int
    complete: bool
    scored: int
    expected: int
    rows: list[DeviationRow]
    score_spread: dict[int, float]  # contact id -> max − min total score (KPI.md 校准偏差)


# 营业厅现场检查 / 暗访 (`telqc.inspection.store_visits`)
class StoreIn(In):
    name: str = Field(min_length=2, max_length=80)
    province_code: str = Field(min_length=2, max_length=12)
    city_code: str = Field(min_length=2, max_length=12)


class StoreOut(Out):
    id: int
    name: str
    province_code: str
    city_code: str


class VisitItemIn(In):
    score: float = Field(ge=0, le=100)
    finding: str = Field(default="", max_length=500)
    fatal: bool = False


class VisitIn(In):
    store_id: Id
    kind: Literal["store_inspection", "mystery_shopper"]
    visited_at: AwareDatetime
    items: dict[str, VisitItemIn]


class VisitOut(Out):
    id: int
    store_id: int
    kind: str
    visitor_id: int
    visited_at: datetime
    card: str
    items: dict[str, Any]
    total: float
    fatal: bool
    status: str


class StoreScore(Out):
    store_id: int
    name: str
    visits: int
    average: float


class LostItem(Out):
    code: str
    name: str
    lost: float


class VisitSummary(Out):
    visits: int
    average: float | None
    by_store: list[StoreScore]
    top_lost: list[LostItem]
