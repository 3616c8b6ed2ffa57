"""Escalation rules (升级) and escalation-risk detection in complaint text.

Pure decisions: the engine says *what* should happen (who is told, whether
priority rises, whether the order moves); the service layer does it and audits
it.  django-helpdesk's escalation changed priority even in notify-only mode
and without an audit row; here a notify-only rule simply has no
RAISE_PRIORITY action.

Risk detection exists because the escalated complaint rate (越级投诉率, KPI.md)
counts complaints taken outside the operator: to the MIIT (工信部) and its
12300 appeal centre, consumer associations (消协, 12315/315), the media or
the courts.  A complaint that threatens any of these goes to the crisis level
at once, whatever its SLA clock says.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

from telqc.orders.sla import Priority, SlaStatus
from telqc.orders.states import OrderType

__all__ = [
    "DEFAULT_RULES",
    "RISK_TERMS",
    "Escalation",
    "EscalationAction",
    "EscalationLevel",
    "EscalationRule",
    "RiskCategory",
    "RiskMatch",
    "decide_escalation",
    "detect_escalation_risk",
    "raise_priority",
]


class EscalationLevel(StrEnum):
    NONE = "none"
    TEAM_LEAD = "team_lead"  # 班组长
    MANAGER = "manager"  # 值班长 / service-quality manager
    CRISIS = "crisis"  # crisis / public-relations team


_LEVEL_ORDER = list(EscalationLevel)


class EscalationAction(StrEnum):
    NOTIFY_SUPERVISOR = "notify_supervisor"  # the supervisor of the escalation level
    RAISE_PRIORITY = "raise_priority"
    REASSIGN = "reassign"  # to a senior / second-line queue


class RiskCategory(StrEnum):
    REGULATOR = "regulator"
    CONSUMER_BODY = "consumer_body"
    MEDIA = "media"
    LEGAL = "legal"
    ESCALATION_INTENT = "escalation_intent"


@dataclass(frozen=True, slots=True)
class EscalationRule:
    """Fires when the SLA status is at least `trigger` and the fraction used is at least `min_fraction`."""

    level: EscalationLevel
    trigger: SlaStatus
    actions: tuple[EscalationAction, ...]
    min_fraction: float = 0.0
    order_types: frozenset[OrderType] | None = None
    priorities: frozenset[Priority] | None = None


A = EscalationAction
L = EscalationLevel

DEFAULT_RULES: tuple[EscalationRule, ...] = (
    # Warning: the team lead hears about it while it can still be saved.
    EscalationRule(L.TEAM_LEAD, SlaStatus.WARNING, (A.NOTIFY_SUPERVISOR,)),
    # Breach: the team lead again, and the order jumps its queue.
    EscalationRule(L.TEAM_LEAD, SlaStatus.BREACHED, (A.NOTIFY_SUPERVISOR, A.RAISE_PRIORITY)),
    # Half the target again overdue: the manager takes it from the current owner.
    EscalationRule(L.MANAGER, SlaStatus.BREACHED, (A.NOTIFY_SUPERVISOR, A.REASSIGN), min_fraction=1.5),
    # Any P1 breach (service loss, top complaints) goes to the manager at once.
    EscalationRule(
        L.MANAGER,
        SlaStatus.BREACHED,
        (A.NOTIFY_SUPERVISOR, A.REASSIGN),
        priorities=frozenset({Priority.P1}),
    ),
    # A complaint at double its target is a crisis: it is about to leave the operator.
    EscalationRule(
        L.CRISIS,
        SlaStatus.BREACHED,
        (A.NOTIFY_SUPERVISOR, A.RAISE_PRIORITY, A.REASSIGN),
        min_fraction=2.0,
        order_types=frozenset({OrderType.COMPLAINT}),
    ),
)

_STATUS_RANK = {SlaStatus.OK: 0, SlaStatus.WARNING: 1, SlaStatus.BREACHED: 2}
_RISK_LEVEL = {
    RiskCategory.REGULATOR: L.CRISIS,
    RiskCategory.MEDIA: L.CRISIS,
    RiskCategory.LEGAL: L.CRISIS,
    RiskCategory.CONSUMER_BODY: L.MANAGER,
    RiskCategory.ESCALATION_INTENT: L.MANAGER,
}


@dataclass(frozen=True, slots=True)
class RiskMatch:
    """Evidence for an escalation risk: the term, where it is, and the words around it."""

    term: str
    category: RiskCategory
    start: int
    end: int
    snippet: str
    negated: bool


@dataclass(frozen=True, slots=True)
class Escalation:
    level: EscalationLevel
    actions: tuple[EscalationAction, ...]
    reasons: tuple[str, ...]
    new_priority: Priority | None  # set iff RAISE_PRIORITY is among the actions
    evidence: tuple[RiskMatch, ...] = ()


def raise_priority(priority: Priority | str) -> Priority:
    """One level up, P1 stays P1."""
    ps = list(Priority)
    return ps[max(0, ps.index(Priority(priority)) - 1)]


def decide_escalation(
    order_type: OrderType | str,
    priority: Priority | str,
    status: SlaStatus | str,
    fraction_used: float,
    current_level: EscalationLevel | str = EscalationLevel.NONE,
    risk: Sequence[RiskMatch] = (),
    rules: Sequence[EscalationRule] = DEFAULT_RULES,
) -> Escalation | None:
    """The escalation due now, or None if nothing above `current_level` applies.

    Idempotent for the sweep job: once the service has recorded the returned
    level as the order's escalation level, the same inputs return None.
    """
    ot, pr, st = OrderType(order_type), Priority(priority), SlaStatus(status)
    current = _LEVEL_ORDER.index(EscalationLevel(current_level))
    actions: list[EscalationAction] = []
    reasons: list[str] = []
    top = 0
    for rule in rules:
        lvl = _LEVEL_ORDER.index(rule.level)
        if lvl <= current or _STATUS_RANK[st] < _STATUS_RANK[rule.trigger] or fraction_used < rule.min_fraction:
            continue
        if (rule.order_types is not None and ot not in rule.order_types) or (
            rule.priorities is not None and pr not in rule.priorities
        ):
            continue
        top = max(top, lvl)
        actions.extend(a for a in rule.actions if a not in actions)
        reasons.append(f"SLA {st} at {fraction_used:.0%} of target (rule: {rule.trigger}) → {rule.level}")
    evidence = tuple(m for m in risk if not m.negated)
    if ot is OrderType.COMPLAINT and evidence:
        lvl = max(_LEVEL_ORDER.index(_RISK_LEVEL[m.category]) for m in evidence)
        if lvl > current:
            top = max(top, lvl)
            for a in (A.NOTIFY_SUPERVISOR, A.RAISE_PRIORITY):
                if a not in actions:
                    actions.append(a)
            terms = "、".join(dict.fromkeys(m.term for m in evidence))
            reasons.append(f"escalation risk in complaint text: {terms} → {_LEVEL_ORDER[lvl]}")
    if top <= current:
        return None
    new_priority = raise_priority(pr) if A.RAISE_PRIORITY in actions else None
    return Escalation(_LEVEL_ORDER[top], tuple(actions), tuple(dict.fromkeys(reasons)), new_priority, evidence)


# ----- risk detection -------------------------------------------------------------

RISK_TERMS: dict[RiskCategory, tuple[str, ...]] = {
    RiskCategory.REGULATOR: (
        "工信部",
        "工业和信息化部",
        "通信管理局",
        "通管局",
        "12300",
        "申诉中心",
        "电信用户申诉",
        "12345",
        "市长热线",
    ),
    RiskCategory.CONSUMER_BODY: ("消协", "消费者协会", "消保委", "12315", "315", "3·15", "市场监管"),
    RiskCategory.MEDIA: (
        "媒体",
        "曝光",
        "记者",
        "电视台",
        "报社",
        "微博",
        "抖音",
        "发到网上",
        "网上发",
        "热搜",
    ),
    RiskCategory.LEGAL: ("起诉", "律师", "法院", "诉讼", "打官司", "仲裁", "报警"),
    RiskCategory.ESCALATION_INTENT: ("投诉到", "越级投诉", "往上投诉", "找你们领导", "上级部门", "上访"),
}
"""Terms customers use when threatening to take a complaint outside the operator (data: extend freely)."""

# Only a negation directly before the term (optionally with a motion verb)
# counts: "不会去工信部" is negated, "没解决就投诉到工信部" and "不要逼我找媒体" are threats.
_NEGATED = re.compile(r"(?:不会|不想|不打算|并不想|没打算)(?:再)?(?:去|向|找|到|跟|在|上)?$")
_TERM_TO_CAT = {t: c for c, terms in RISK_TERMS.items() for t in terms}
_PATTERN = re.compile(
    "|".join(
        # Numbers must stand alone: "315" inside "13150001234" or "1315元" is not the consumer day.
        rf"(?<!\d){re.escape(t)}(?!\d)" if t.isdigit() else re.escape(t)
        for t in sorted(_TERM_TO_CAT, key=len, reverse=True)
    )
)


def detect_escalation_risk(text: str, window: int = 12) -> tuple[RiskMatch, ...]:
    """Every risk term in `text` with its position and surrounding snippet.

    A match preceded closely by a negation ("我不会去工信部投诉") is returned
    with negated=True so reviewers see it, and decide_escalation ignores it.
    """
    out: list[RiskMatch] = []
    for m in _PATTERN.finditer(text):
        negated = _NEGATED.search(text, max(0, m.start() - 6), m.start()) is not None
        out.append(
            RiskMatch(
                term=m.group(),
                category=_TERM_TO_CAT[m.group()],
                start=m.start(),
                end=m.end(),
                snippet=text[max(0, m.start() - window) : m.end() + window],
                negated=negated,
            )
        )
    return tuple(out)
