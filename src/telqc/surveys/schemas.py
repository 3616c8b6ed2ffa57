"""Survey shapes: the public answer forms, the managers' list and the satisfaction campaigns."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Literal

from pydantic import Field, ValidationInfo, field_validator

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


# --- periodic satisfaction campaigns (手册 4.3.2, 8.3.2) ------------------------------------------------------

PERIOD_LABEL = {"quarter": re.compile(r"^\d{4}Q[1-4]$"), "half": re.compile(r"^\d{4}H[12]$")}
Dimension = Literal["attitude", "efficiency", "quality", "etiquette"]
Cut = Literal["province", "channel", "tier"]
Stratum = Literal["province", "tier"]


class CampaignIn(In):
    name: str = Field(min_length=2, max_length=80)
    period_kind: Literal["quarter", "half"]
    period_label: str = Field(max_length=8)
    strata: list[Stratum] = Field(default_factory=lambda: list[Stratum](["province", "tier"]), max_length=2)
    sample_size: int = Field(ge=1, le=100_000)
    min_per_stratum: int = Field(5, ge=0, le=1000)
    seed: int | None = Field(None, ge=0, le=2**31 - 1)
    validity_days: int = Field(14, ge=1, le=60)
    province: str | None = Field(None, min_length=6, max_length=6)
    min_cell_n: int = Field(30, ge=1, le=10_000)
    low_mean: float = Field(4.0, ge=1, le=5)
    low_share: float = Field(0.8, ge=0, le=1)

    @field_validator("period_label")
    @classmethod
    def _label(cls, v: str, info: ValidationInfo) -> str:
        kind = info.data.get("period_kind")
        if kind in PERIOD_LABEL and not PERIOD_LABEL[kind].match(v):
            raise ValueError("a quarter is written like 2026Q4, a half-year like 2026H2")
        return v

    @field_validator("strata")
    @classmethod
    def _strata(cls, v: list[Stratum]) -> list[Stratum]:
        if len(set(v)) != len(v):
            raise ValueError("each stratum attribute once")
        return v


class CampaignOut(Out):
    id: int
    name: str
    period_kind: str
    period_label: str
    strata: list[str]
    sample_size: int
    min_per_stratum: int
    seed: int
    validity_days: int
    province_code: str | None
    min_cell_n: int
    low_mean: float
    low_share: float
    status: str
    population: dict[str, int]
    sampled: int
    created_at: datetime
    sent_at: datetime | None
    closed_at: datetime | None


class CampaignAnswerIn(In):
    """All four dimensions, each 1 (very unsatisfied) to 5 (very satisfied), and an optional comment."""

    attitude: int = Field(ge=1, le=5)
    efficiency: int = Field(ge=1, le=5)
    quality: int = Field(ge=1, le=5)
    etiquette: int = Field(ge=1, le=5)
    comment: str | None = Field(None, max_length=1000)


class CellOut(Out):
    dimension: str
    key: dict[str, str]
    n: int
    mean: float | None
    weighted_mean: float | None
    satisfied: float | None
    weighted_satisfied: float | None
    sufficient: bool
    low: bool
    reasons: list[str]


class ResultsOut(Out):
    campaign: CampaignOut
    by: list[str]
    sent: int
    answered: int
    cells: list[CellOut]
    low_items: list[CellOut]
    improvement_link: str
