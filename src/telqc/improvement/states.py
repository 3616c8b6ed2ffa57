"""The PDCA cycle of an improvement plan as an explicit state machine.

操作流程 六.3–六.4 and 管理规范手册 2.2.5: plan (problem, cause, measures, owner, timetable) → do (track the
measures) → check (the KPI before and after) → act: standardise what worked and roll it out, or adjust and
run another cycle. A rolled-out or adjusted plan is closed; the roll-out or the adjustment is a new plan linked
to this one (``parent_id``), so each cycle keeps its own before/after measurement.
"""

from __future__ import annotations

from enum import StrEnum
from types import MappingProxyType


class PlanState(StrEnum):
    PLANNING = "planning"        # 计划: problem, root cause, measures being written
    DOING = "doing"              # 执行: measures under way
    CHECKING = "checking"        # 检查: measures done, effect being measured
    STANDARDISED = "standardised"  # 处置: worked; made the standard (and rolled out)
    ADJUSTING = "adjusting"      # 处置: not shown or worse; cause and measures revisited in a new cycle
    CLOSED = "closed"
    CANCELLED = "cancelled"


class RootCause(StrEnum):
    PEOPLE = "people"
    PROCESS = "process"
    SYSTEM = "system"
    NETWORK = "network"
    PRODUCT = "product"
    POLICY = "policy"


class Source(StrEnum):
    KPI = "kpi"              # a KPI below target
    HOTSPOT = "hotspot"      # a complaint hotspot
    SURVEY = "survey"        # a low survey dimension
    INCIDENT = "incident"    # an incident review
    MANUAL = "manual"
    ROLLOUT = "rollout"      # a successful plan carried to another scope
    ADJUSTMENT = "adjustment"  # the next cycle of a plan whose effect was not shown


class ActionStatus(StrEnum):
    OPEN = "open"
    DONE = "done"
    CANCELLED = "cancelled"


P = PlanState
TRANSITIONS = MappingProxyType({
    P.PLANNING: frozenset({P.DOING, P.CANCELLED}),
    P.DOING: frozenset({P.CHECKING, P.CANCELLED}),
    P.CHECKING: frozenset({P.STANDARDISED, P.ADJUSTING, P.DOING}),  # back to doing: a measure was not finished
    P.STANDARDISED: frozenset({P.CLOSED}),
    P.ADJUSTING: frozenset({P.CLOSED}),
    P.CLOSED: frozenset(),
    P.CANCELLED: frozenset(),
})
OPEN_STATES = frozenset({P.PLANNING, P.DOING, P.CHECKING, P.STANDARDISED, P.ADJUSTING})


def allowed(current: PlanState, target: PlanState) -> bool:
    return target in TRANSITIONS[current]
