"""Incident API shapes (unknown fields refused, as in orders)."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from telqc.core.schemas import CleanText, Id, SiteId

Severity = Literal["especially_major", "major", "large", "general"]
Service = Literal["mobile", "broadband", "iptv", "voice"]


class _In(CleanText):
    model_config = ConfigDict(extra="forbid")


class DistrictForm(_In):
    """The district the declare and planned-work forms name, checked by the text policy before the page looks
    it up for its city and province: a NUL reached that query (a driver error on PostgreSQL, a 500)."""

    district_code: str = Field(min_length=1, max_length=12)


class IncidentCreate(_In):
    title: str = Field(min_length=2, max_length=120)
    severity: Severity = "general"
    province_code: str = Field(min_length=2, max_length=12)
    city_code: str | None = Field(default=None, max_length=12)
    district_code: str | None = Field(default=None, max_length=12)
    cells: list[SiteId] = Field(default_factory=list, max_length=500)  # listed: matched by site (`area`)
    categories: list[str] = Field(default_factory=list, max_length=20)
    services: list[Service] = Field(default_factory=list)
    cause: str | None = Field(default=None, max_length=2000)
    prepared_answer: str | None = Field(default=None, max_length=2000)
    estimated_restore_at: datetime | None = None


class TransitionIn(_In):
    to: Literal["confirmed", "restoring", "restored", "verified", "reviewed", "archived", "dismissed"]
    note: str | None = Field(default=None, max_length=2000)


class UpdateIn(_In):
    """Progress from netops: any of the fields; `broadcast` tells the affected customers."""

    severity: Severity | None = None
    cause: str | None = Field(default=None, max_length=2000)
    prepared_answer: str | None = Field(default=None, max_length=2000)
    estimated_restore_at: datetime | None = None
    note: str | None = Field(default=None, max_length=2000)
    broadcast: bool = False


class JointTestIn(_In):
    record: str = Field(min_length=4, max_length=4000)


class LinkIn(_In):
    order_ids: list[Id] = Field(default_factory=list, max_length=5000)
    all_open_in_area: bool = False

    @model_validator(mode="after")
    def _one(self) -> LinkIn:
        if not self.order_ids and not self.all_open_in_area:
            raise ValueError("give order_ids or all_open_in_area")
        return self


class ReviewIn(_In):
    timeline: str = Field(min_length=2, max_length=8000)
    cause: str = Field(min_length=2, max_length=4000)
    actions: str = Field(min_length=2, max_length=4000)
    lessons: str = Field(min_length=2, max_length=4000)
    improvement: str | None = Field(default=None, max_length=2000)
    improvement_owner_id: int | None = Field(default=None, ge=1, le=2**31 - 1)


class PlannedWorkIn(_In):
    title: str = Field(min_length=2, max_length=120)
    description: str = Field(default="", max_length=2000)
    province_code: str = Field(min_length=2, max_length=12)
    city_code: str | None = Field(default=None, max_length=12)
    district_code: str | None = Field(default=None, max_length=12)
    categories: list[str] = Field(default_factory=list, max_length=20)
    services: list[Service] = Field(default_factory=list)
    start_at: datetime
    end_at: datetime

    @model_validator(mode="after")
    def _window(self) -> PlannedWorkIn:
        if self.end_at <= self.start_at:
            raise ValueError("end_at must be after start_at")
        return self


class SampleIn(_In):
    district_code: str = Field(min_length=2, max_length=12)
    metric: Literal["utilisation", "latency_ms", "packet_loss", "call_drop", "availability"]
    at: datetime
    value: float = Field(ge=0, le=100000)


class SamplesIn(_In):
    samples: list[SampleIn] = Field(min_length=1, max_length=10000)


class _Out(BaseModel):
    model_config = ConfigDict(from_attributes=True)


class IncidentOut(_Out):
    id: int
    kind: str
    title: str
    severity: str
    status: str
    province_code: str
    city_code: str | None
    district_code: str | None
    cells: list[str]
    categories: list[str]
    services: list[str]
    cause: str | None
    prepared_answer: str | None
    estimated_restore_at: datetime | None
    detected_at: datetime
    created_at: datetime
    confirmed_at: datetime | None
    restored_at: datetime | None
    verified_at: datetime | None
    joint_test: str | None
    linked_count: int
    version: int


class HistoryOut(_Out):
    at: datetime
    actor_id: int | None
    field: str
    from_value: str | None
    to_value: str | None
    note: str | None
    public: bool


class LinkOut(_Out):
    order_id: int
    customer_id: int
    how: str
    linked_at: datetime
    resolved_at: datetime | None


class IncidentDetail(IncidentOut):
    timeline: list[HistoryOut]
    links: list[LinkOut]


class PlannedWorkOut(_Out):
    id: int
    title: str
    description: str
    province_code: str
    city_code: str | None
    district_code: str | None
    categories: list[str]
    services: list[str]
    start_at: datetime
    end_at: datetime
    status: str
    notice_sent_at: datetime | None
    linked_count: int


class ReviewOut(_Out):
    incident_id: int
    timeline: str
    cause: str
    impact: dict[str, int]
    actions: str
    lessons: str
    improvement: str | None
    improvement_plan_id: int | None = None
    created_at: datetime


class ImportResult(BaseModel):
    accepted: int
    rejected: list[dict[str, object]]
    alarms: int
    incidents: list[int]


class LinkResult(BaseModel):
    linked: list[int]
    skipped: list[dict[str, object]]


StaffRole = Literal["netops", "supervisor", "manager", "admin", "agent", "inspector", "engineer"]
WatchedCategory = Literal["complaint.network", "complaint.technical", "repair.mobile", "repair.broadband",
                          "repair.iptv"]


class LevelIn(_In):
    """A grade's intervals and who is told (the stored scale in force; `severity.DEFAULTS` are the defaults)."""

    response_min: int = Field(ge=1, le=10080)
    update_min: int = Field(ge=1, le=10080)
    notify_roles: list[StaffRole] = Field(default_factory=list, max_length=7)
    joint_test_required: bool = False


class LevelOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    code: str
    rank: int
    name: str
    name_en: str
    response_min: int
    update_min: int
    notify_roles: list[str]
    joint_test_required: bool


class RuleIn(_In):
    """One mass-complaint rule (KPI.md 批量投诉: N complaints in M minutes); no category / area type = any."""

    category: WatchedCategory | None = None
    area_type: Literal["urban", "rural"] | None = None
    threshold: int = Field(ge=1, le=100_000)
    window_min: int = Field(ge=1, le=1440)
    confirm_threshold: int = Field(ge=1, le=100_000)

    @model_validator(mode="after")
    def _confirm_not_below(self) -> RuleIn:
        if self.confirm_threshold < self.threshold:
            raise ValueError("确认阈值不得小于发现阈值 / confirm_threshold must be at least threshold")
        return self


class RulesIn(_In):
    rules: list[RuleIn] = Field(min_length=1, max_length=50)

    @model_validator(mode="after")
    def _one_per_scope(self) -> RulesIn:
        scopes = [(r.category, r.area_type) for r in self.rules]
        if len(set(scopes)) != len(scopes):
            raise ValueError("同一投诉类别与区域类型只能有一条规则 / one rule per category × area type")
        return self


class RuleOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    category: str | None
    area_type: str | None
    threshold: int
    window_min: int
    confirm_threshold: int


class SettingsOut(BaseModel):
    levels: list[LevelOut]
    rules: list[RuleOut]
