"""Work-order lifecycle: one explicit state machine per order type.

Every state change in TelQC goes through `transition` (DESIGN.md, data flow
step 3) so that history, audit and events only ever record edges that the
service standard allows.  The complaint edges encode the closed loop of the
complaint-handling standard: acknowledge → handle → resolve → tell the
customer → callback (回访) → close, and an unsatisfied callback reopens the
complaint (KPI "closed-loop rate", "complaint satisfaction").
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum
from types import MappingProxyType

__all__ = [
    "CLOCK_PAUSING_STATES",
    "CLOCK_STOPPING_STATES",
    "FINAL_STATES",
    "TRANSITIONS",
    "IllegalTransition",
    "OrderState",
    "OrderType",
    "PendingReason",
    "TmfStatus",
    "allowed",
    "from_tmf621",
    "is_terminal",
    "pauses_clock",
    "to_tmf621",
    "transition",
]


class OrderType(StrEnum):
    CONSULTATION = "consultation"  # 咨询
    BUSINESS = "business"  # 业务办理
    REPAIR = "repair"  # 故障报修
    COMPLAINT = "complaint"  # 投诉


class OrderState(StrEnum):
    NEW = "new"
    ACKNOWLEDGED = "acknowledged"
    IN_PROGRESS = "in_progress"
    PENDING = "pending"  # waiting for the customer or a third party: the SLA clock is paused
    RESOLVED = "resolved"
    CALLBACK = "callback"  # 回访: confirming the outcome with the customer
    CLOSED = "closed"
    REOPENED = "reopened"
    CANCELLED = "cancelled"


class PendingReason(StrEnum):
    CUSTOMER = "customer"  # TMF621 "pending"
    THIRD_PARTY = "third_party"  # TMF621 "held"


class TmfStatus(StrEnum):
    """TMF621 Trouble Ticket v4/v5 `TroubleTicketStatusType`."""

    ACKNOWLEDGED = "acknowledged"
    REJECTED = "rejected"
    PENDING = "pending"
    HELD = "held"
    IN_PROGRESS = "inProgress"
    CANCELLED = "cancelled"
    CLOSED = "closed"
    RESOLVED = "resolved"


S = OrderState
T = OrderType

# Edges shared by every type.  Cancelling is possible until the work is done;
# after `resolved` the order can only be confirmed or reopened, so a resolved
# order can never disappear from the SLA-compliance denominator.
_COMMON: dict[OrderState, frozenset[OrderState]] = {
    S.NEW: frozenset({S.ACKNOWLEDGED, S.CANCELLED}),
    S.ACKNOWLEDGED: frozenset({S.IN_PROGRESS, S.PENDING, S.CANCELLED}),
    S.IN_PROGRESS: frozenset({S.PENDING, S.RESOLVED, S.CANCELLED}),
    S.PENDING: frozenset({S.IN_PROGRESS, S.RESOLVED, S.CANCELLED}),
    S.RESOLVED: frozenset({S.CALLBACK, S.REOPENED}),
    S.CALLBACK: frozenset({S.CLOSED, S.REOPENED}),
    S.REOPENED: frozenset({S.IN_PROGRESS}),
    S.CLOSED: frozenset(),
    S.CANCELLED: frozenset(),
}

# Per-type additions.  Only complaints must pass through a callback before
# closing (closed-loop rate); a consultation answered on the first contact may
# be resolved straight away (FCR) and, like business and repair orders, may
# close without a callback.  A closed complaint whose callback turns out to be
# unsatisfied (e.g. a late survey answer) reopens.
_EXTRA: dict[OrderType, dict[OrderState, frozenset[OrderState]]] = {
    T.CONSULTATION: {S.NEW: frozenset({S.RESOLVED}), S.RESOLVED: frozenset({S.CLOSED})},
    T.BUSINESS: {S.RESOLVED: frozenset({S.CLOSED})},
    T.REPAIR: {S.RESOLVED: frozenset({S.CLOSED})},
    T.COMPLAINT: {S.CLOSED: frozenset({S.REOPENED})},
}


def _build() -> Mapping[OrderType, Mapping[OrderState, frozenset[OrderState]]]:
    table: dict[OrderType, Mapping[OrderState, frozenset[OrderState]]] = {}
    for order_type in OrderType:
        extra = _EXTRA.get(order_type, {})
        table[order_type] = MappingProxyType({s: _COMMON[s] | extra.get(s, frozenset()) for s in OrderState})
    return MappingProxyType(table)


TRANSITIONS = _build()
"""TRANSITIONS[order_type][state] → states reachable in one step (read-only)."""

FINAL_STATES = frozenset({S.CLOSED, S.CANCELLED})

CLOCK_PAUSING_STATES = frozenset({S.PENDING, S.RESOLVED, S.CALLBACK})
"""Time in these states never counts toward the resolution limit.

`pending` is the on-hold rule (waiting for the customer or a third party).
`resolved` and `callback` count as paused so that, if the order is reopened,
the days spent waiting for confirmation are not charged to the handler.
"""

CLOCK_STOPPING_STATES = frozenset({S.CLOSED, S.CANCELLED})


class IllegalTransition(ValueError):
    """A state change the order type's lifecycle does not allow (HTTP 409 at the API)."""

    status_code = 409

    def __init__(self, order_type: OrderType, current: OrderState, target: OrderState) -> None:
        self.order_type = order_type
        self.current = current
        self.target = target
        self.allowed_targets: tuple[OrderState, ...] = tuple(sorted(allowed(order_type, current)))
        names = ", ".join(self.allowed_targets) or "none (final state)"
        super().__init__(f"{order_type} order cannot go from {current} to {target}; allowed: {names}")


def allowed(order_type: OrderType | str, current: OrderState | str) -> frozenset[OrderState]:
    """States reachable in one step from `current`."""
    return TRANSITIONS[OrderType(order_type)][OrderState(current)]


def transition(order_type: OrderType | str, current: OrderState | str, target: OrderState | str) -> OrderState:
    """Validate one state change and return the new state, or raise IllegalTransition."""
    ot, cur, tgt = OrderType(order_type), OrderState(current), OrderState(target)
    if tgt not in TRANSITIONS[ot][cur]:
        raise IllegalTransition(ot, cur, tgt)
    return tgt


def is_terminal(order_type: OrderType | str, state: OrderState | str) -> bool:
    """No outgoing edge: the order's life is over (a closed complaint is not terminal)."""
    return not allowed(order_type, state)


def pauses_clock(state: OrderState | str) -> bool:
    return OrderState(state) in CLOCK_PAUSING_STATES


_TO_TMF: dict[OrderState, TmfStatus] = {
    S.NEW: TmfStatus.ACKNOWLEDGED,  # TMF621 has no "new": a received ticket is acknowledged
    S.ACKNOWLEDGED: TmfStatus.ACKNOWLEDGED,
    S.IN_PROGRESS: TmfStatus.IN_PROGRESS,
    S.PENDING: TmfStatus.PENDING,
    S.RESOLVED: TmfStatus.RESOLVED,
    S.CALLBACK: TmfStatus.RESOLVED,  # resolved, awaiting the customer's confirmation
    S.CLOSED: TmfStatus.CLOSED,
    S.REOPENED: TmfStatus.IN_PROGRESS,
    S.CANCELLED: TmfStatus.CANCELLED,
}

_FROM_TMF: dict[TmfStatus, OrderState] = {
    TmfStatus.ACKNOWLEDGED: S.ACKNOWLEDGED,
    TmfStatus.IN_PROGRESS: S.IN_PROGRESS,
    TmfStatus.PENDING: S.PENDING,
    TmfStatus.HELD: S.PENDING,
    TmfStatus.RESOLVED: S.RESOLVED,
    TmfStatus.CLOSED: S.CLOSED,
    TmfStatus.CANCELLED: S.CANCELLED,
}


def to_tmf621(state: OrderState | str, pending_reason: PendingReason | str | None = None) -> TmfStatus:
    """TMF621 status for /tmf-api/troubleTicket/v4: pending on a third party is `held`."""
    st = OrderState(state)
    if st is S.PENDING and pending_reason is not None and PendingReason(pending_reason) is PendingReason.THIRD_PARTY:
        return TmfStatus.HELD
    return _TO_TMF[st]


def from_tmf621(status: TmfStatus | str) -> tuple[OrderState, PendingReason | None]:
    """Target state (and pending reason) requested by a TMF621 PATCH.

    `rejected` is not a target: TelQC rejects invalid tickets at creation with
    a validation error instead of storing them.
    """
    st = TmfStatus(status)
    if st is TmfStatus.REJECTED:
        raise ValueError("TMF621 status 'rejected' cannot be requested; invalid tickets are refused at creation")
    reason = {TmfStatus.PENDING: PendingReason.CUSTOMER, TmfStatus.HELD: PendingReason.THIRD_PARTY}.get(st)
    return _FROM_TMF[st], reason
