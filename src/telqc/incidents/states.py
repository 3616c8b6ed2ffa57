"""Incident lifecycle: suspected → confirmed → restoring → restored → verified → reviewed → archived.

The edges follow the network-fault procedure of the source documents (操作流程 四.4): a problem is first
suspected (from complaints or alarms), confirmed by netops or a second threshold, repaired with an
estimate, restored, verified by a joint test after the fix, reviewed (复盘) and archived. A suspicion that
turns out false is dismissed.
"""

from __future__ import annotations

from enum import StrEnum


class IncidentState(StrEnum):
    SUSPECTED = "suspected"
    CONFIRMED = "confirmed"
    RESTORING = "restoring"
    RESTORED = "restored"
    VERIFIED = "verified"
    REVIEWED = "reviewed"
    ARCHIVED = "archived"
    DISMISSED = "dismissed"


S = IncidentState

TRANSITIONS: dict[IncidentState, frozenset[IncidentState]] = {
    S.SUSPECTED: frozenset({S.CONFIRMED, S.DISMISSED}),
    S.CONFIRMED: frozenset({S.RESTORING, S.RESTORED}),
    S.RESTORING: frozenset({S.RESTORED}),
    S.RESTORED: frozenset({S.VERIFIED}),
    S.VERIFIED: frozenset({S.REVIEWED}),
    S.REVIEWED: frozenset({S.ARCHIVED}),
    S.ARCHIVED: frozenset(),
    S.DISMISSED: frozenset(),
}

ACTIVE = frozenset({S.SUSPECTED, S.CONFIRMED, S.RESTORING})
"""Network still broken: new complaints in the area link to it, agents see the banner."""


class IllegalIncidentTransition(ValueError):
    def __init__(self, current: IncidentState, target: IncidentState) -> None:
        self.current, self.target = current, target
        self.allowed = tuple(sorted(TRANSITIONS[current]))
        super().__init__(f"incident cannot go from {current} to {target}")


def transition(current: IncidentState | str, target: IncidentState | str) -> IncidentState:
    cur, tgt = S(current), S(target)
    if tgt not in TRANSITIONS[cur]:
        raise IllegalIncidentTransition(cur, tgt)
    return tgt


def is_active(state: IncidentState | str) -> bool:
    return S(state) in ACTIVE
