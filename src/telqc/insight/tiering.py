"""Tier (客户星级) and lifecycle stage (生命周期阶段) from a customer's facts: a pure rule engine.

The rules are data (``insight/data/tiering.yaml``, or a file given by the operator) so a quality manager can
move a threshold without a release. The tier is a value score: bill, tenure and data use, each capped so one
factor cannot buy a tier alone, less points per unpaid bill (服务体系建设 四.3: background, consumption and
behaviour). The stage is the first rule that holds, in the order a retention strategy needs it (质量分析
四.三.1): lapsed before at risk before contract expiring before the tenure stages. Every decision carries its
reasons in Chinese, written to the audit log with the change.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict, Field, model_validator

RULES_FILE = Path(__file__).with_name("data") / "tiering.yaml"
TIERS = ("vip", "gold", "silver", "regular")


class ScoreRules(BaseModel):
    model_config = ConfigDict(extra="forbid")
    arpu_per_yuan: float = Field(ge=0)
    arpu_cap: float = Field(ge=0)
    tenure_per_month: float = Field(ge=0)
    tenure_cap: float = Field(ge=0)
    data_per_gb: float = Field(ge=0)
    data_cap: float = Field(ge=0)
    overdue_bill: float = Field(le=0)


class StageRules(BaseModel):
    model_config = ConfigDict(extra="forbid")
    lapsed_months: int = Field(ge=1)
    risk_complaints_90d: int = Field(ge=1)
    risk_overdue_bills: int = Field(ge=1)
    risk_arpu_drop: float = Field(gt=0, le=1)
    expiring_months: int = Field(ge=0)
    new_months: int = Field(ge=1)
    growing_months: int = Field(ge=1)

    @model_validator(mode="after")
    def _ordered(self) -> StageRules:
        if self.growing_months <= self.new_months:
            raise ValueError("growing_months must be above new_months")
        return self


class Rules(BaseModel):
    model_config = ConfigDict(extra="forbid")
    score: ScoreRules
    tiers: dict[str, float]
    stages: StageRules

    @model_validator(mode="after")
    def _tiers(self) -> Rules:
        if set(self.tiers) != set(TIERS):
            raise ValueError(f"tiers must name exactly {', '.join(TIERS)}")
        mins = [self.tiers[t] for t in TIERS]
        if mins != sorted(mins, reverse=True) or self.tiers["regular"] != 0:
            raise ValueError("tier minimums must fall from vip to regular, and regular must be 0")
        return self


def load_rules(path: Path | None = None) -> Rules:
    """The rules file, checked whole (a pydantic ValidationError names the key)."""
    return Rules.model_validate(yaml.safe_load((path or RULES_FILE).read_text(encoding="utf-8")))


@dataclass(frozen=True)
class Facts:
    """What the assessment looks at for one customer; ``None``: no data of that kind is stored."""

    tenure_months: int
    months_to_contract_end: int | None = None
    arpu_yuan: float | None = None  # mean bill of the last 3 billed months
    arpu_before_yuan: float | None = None  # mean bill of the 3 months before those
    data_gb: float | None = None  # mean mobile data of the last 3 months of usage
    months_since_usage: int | None = None  # whole months since the last month with usage
    overdue_bills: int = 0
    complaints_90d: int = 0


@dataclass(frozen=True)
class Assessment:
    tier: str | None  # None: no bill stored, the tier is left as it is
    stage: str
    score: float | None
    reasons: tuple[str, ...]


def score(rules: ScoreRules, f: Facts) -> float | None:
    if f.arpu_yuan is None:
        return None
    points = min(f.arpu_yuan * rules.arpu_per_yuan, rules.arpu_cap)
    points += min(max(f.tenure_months, 0) * rules.tenure_per_month, rules.tenure_cap)
    points += min((f.data_gb or 0.0) * rules.data_per_gb, rules.data_cap)
    return round(points + f.overdue_bills * rules.overdue_bill, 2)


def tier_of(rules: Rules, points: float) -> str:
    return next((t for t in TIERS if points >= rules.tiers[t]), "regular")  # unpaid bills may go below 0


def stage_of(r: StageRules, f: Facts) -> tuple[str, str]:
    """(stage, reason): the first stage whose rule holds."""
    if f.months_since_usage is not None and f.months_since_usage >= r.lapsed_months:
        return "lapsed", f"已 {f.months_since_usage} 个月无使用"
    if f.complaints_90d >= r.risk_complaints_90d:
        return "churn_risk", f"90 天内投诉 {f.complaints_90d} 次"
    if f.overdue_bills >= r.risk_overdue_bills:
        return "churn_risk", f"欠费账单 {f.overdue_bills} 张"
    if f.arpu_yuan is not None and f.arpu_before_yuan:
        fall = 1 - f.arpu_yuan / f.arpu_before_yuan
        if fall >= r.risk_arpu_drop:
            return "churn_risk", f"近 3 个月账单比前 3 个月下降 {fall:.0%}"
    if f.months_to_contract_end is not None and 0 <= f.months_to_contract_end <= r.expiring_months:
        return "contract_expiring", f"合约 {f.months_to_contract_end} 个月内到期"
    if f.tenure_months < r.new_months:
        return "new", f"在网 {f.tenure_months} 个月"
    if f.tenure_months < r.growing_months:
        return "growing", f"在网 {f.tenure_months} 个月"
    return "mature", f"在网 {f.tenure_months} 个月"


def assess(rules: Rules, f: Facts) -> Assessment:
    stage, why = stage_of(rules.stages, f)
    points = score(rules.score, f)
    if points is None:
        return Assessment(None, stage, None, (why, "无账单数据，星级不变"))
    tier = tier_of(rules, points)
    return Assessment(tier, stage, points, (why, f"价值分 {points:g}（≥ {rules.tiers[tier]:g} 为该星级）"))
