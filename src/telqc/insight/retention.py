"""Who a retention campaign acts on, who is held out, and which agent gets each task (issue 23 §4).

A pure engine: plain data in, plain data out, no database. Eligibility and the action per lifecycle stage are
rules as data (``insight/data/retention.yaml``). The holdout is `uplift.in_holdout` keyed by the campaign and
the rules' seed, so a re-run of the same campaign draws the same groups; each customer's group is stored with
the campaign so the uplift later compares exactly the customers that were drawn. Provinces with no agent are
left out *before* the draw: a treated customer nobody calls would count as "treated" and dilute the uplift.
Tasks go to the agents of the customer's province, least loaded first (ties by user id), so within a region
no agent has more than one task more than another.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field

from telqc.insight.uplift import in_holdout

RULES_FILE = Path(__file__).with_name("data") / "retention.yaml"
Action = Literal["offer", "callback", "fault_check"]
ACTIONS: tuple[Action, ...] = ("offer", "callback", "fault_check")
OUTCOMES = ("contacted", "accepted", "declined", "unreachable")
ACTION_LABELS = {"offer": "续约优惠", "callback": "关怀回访", "fault_check": "主动故障排查"}


class StageRule(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    action: Action
    reason: str
    min_churn: float | None = Field(default=None, ge=0, le=1)


class Rules(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    holdout_share: float = Field(ge=0, le=0.5)
    seed: int
    stages: dict[Literal["contract_expiring", "churn_risk", "lapsed"], StageRule]


def load_rules(path: Path | None = None) -> Rules:
    """The rules file, checked whole (an unknown key or stage refuses it)."""
    return Rules.model_validate(yaml.safe_load((path or RULES_FILE).read_text(encoding="utf-8")))


@dataclass(frozen=True)
class Candidate:
    customer_id: int
    province: str
    stage: str
    churn: float | None = None
    contract_end: str | None = None


@dataclass(frozen=True)
class Agent:
    user_id: int
    provinces: tuple[str, ...]


@dataclass(frozen=True)
class Pick:
    customer_id: int
    province: str
    stage: str
    holdout: bool
    action: Action
    agent_id: int | None  # None exactly when held out
    reason: str
    churn: float | None


def eligible(c: Candidate, rules: Rules) -> StageRule | None:
    rule: StageRule | None = next((r for st, r in rules.stages.items() if st == c.stage), None)
    if rule is None:
        return None
    if rule.min_churn is not None and c.churn is not None and c.churn < rule.min_churn:
        return None
    return rule


def plan(campaign: str, candidates: Iterable[Candidate], agents: Sequence[Agent], rules: Rules,
         load: Mapping[int, int] | None = None) -> list[Pick]:
    """The campaign's members in customer order; `load` is each agent's open tasks before this run."""
    by_province: dict[str, list[int]] = defaultdict(list)
    for a in sorted(agents, key=lambda a: a.user_id):
        for p in a.provinces:
            by_province[p].append(a.user_id)
    counts = {a.user_id: (load or {}).get(a.user_id, 0) for a in agents}
    key = f"{campaign}\x1f{rules.seed}"
    picks: list[Pick] = []
    seen: set[int] = set()
    for c in sorted(candidates, key=lambda c: c.customer_id):
        rule = eligible(c, rules)
        if rule is None or c.customer_id in seen or not by_province.get(c.province):
            continue
        seen.add(c.customer_id)
        reason = rule.reason.format(contract_end=c.contract_end or "近期")
        if in_holdout(key, c.customer_id, rules.holdout_share):
            picks.append(Pick(c.customer_id, c.province, c.stage, True, rule.action, None, reason, c.churn))
            continue
        agent = min(by_province[c.province], key=lambda u: (counts[u], u))
        counts[agent] += 1
        picks.append(Pick(c.customer_id, c.province, c.stage, False, rule.action, agent, reason, c.churn))
    return picks
