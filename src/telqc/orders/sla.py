"""SLA clock, priority derivation and policy matching for work orders.

KPI.md defines first-response and resolution time "in business time, pauses
excluded" and SLA compliance as "resolved within the resolution deadline";
this module is the single implementation of those clocks.  Everything is pure:
plain data in (policy, creation time, pause intervals, instant), plain data
out, so the sweep job, the API and the KPI rollups agree to the microsecond.

Status rules: `warning` from the instant `warn_fraction` of the target has
elapsed, `breached` from the deadline instant on while the order is still
open; a completed target is met iff it completed at or before its deadline.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from telqc.orders.calendar import BusinessCalendar, from_us, to_us
from telqc.orders.states import OrderType

__all__ = [
    "AREA_RAISE",
    "BASE_PRIORITY",
    "HIGHEST_PRIORITY",
    "TIER_RAISE",
    "Area",
    "CustomerTier",
    "NoMatchingPolicy",
    "Pause",
    "PolicyRule",
    "PolicyTable",
    "Priority",
    "SlaPolicy",
    "SlaReport",
    "SlaStatus",
    "TargetReport",
    "business_elapsed",
    "derive_priority",
    "evaluate",
    "target_deadline",
]

_ONE_US = timedelta(microseconds=1)


class SlaStatus(StrEnum):
    OK = "ok"
    WARNING = "warning"
    BREACHED = "breached"


_RANK = {SlaStatus.OK: 0, SlaStatus.WARNING: 1, SlaStatus.BREACHED: 2}


class Priority(StrEnum):
    P1 = "P1"
    P2 = "P2"
    P3 = "P3"
    P4 = "P4"


class CustomerTier(StrEnum):
    VIP = "vip"
    GOLD = "gold"
    SILVER = "silver"
    REGULAR = "regular"


class Area(StrEnum):
    URBAN = "urban"
    RURAL = "rural"


@dataclass(frozen=True, slots=True)
class Pause:
    """Time in `pending` (waiting for the customer or a third party); `end=None` means still paused."""

    start: datetime
    end: datetime | None = None


@dataclass(frozen=True, slots=True)
class SlaPolicy:
    name: str
    first_response: timedelta
    resolution: timedelta
    calendar: BusinessCalendar
    warn_fraction: float = 0.75

    def __post_init__(self) -> None:
        if self.first_response <= timedelta(0) or self.resolution <= timedelta(0):
            raise ValueError(f"policy {self.name!r}: targets must be positive")
        if not 0.0 < self.warn_fraction <= 1.0:
            raise ValueError(f"policy {self.name!r}: warn_fraction must be in (0, 1]")


@dataclass(frozen=True, slots=True)
class TargetReport:
    """One clock (first response or resolution) seen at an instant."""

    target: timedelta
    deadline: datetime | None  # None while paused with budget left: no deadline exists yet
    warn_at: datetime | None
    elapsed: timedelta
    remaining: timedelta  # negative once more business time than the target has elapsed
    fraction_used: float
    status: SlaStatus
    paused: bool
    completed_at: datetime | None
    met: bool | None  # None while the clock is running
    next_change: datetime | None


@dataclass(frozen=True, slots=True)
class SlaReport:
    at: datetime
    first_response: TargetReport
    resolution: TargetReport

    @property
    def status(self) -> SlaStatus:
        return max(self.first_response.status, self.resolution.status, key=_RANK.__getitem__)

    @property
    def next_change(self) -> datetime | None:
        """Earliest instant at which either status changes: the sweep job's index key."""
        times = [t for t in (self.first_response.next_change, self.resolution.next_change) if t is not None]
        return min(times, default=None)


# ----- the clock --------------------------------------------------------------

_Pauses = list[tuple[int, int | None]]


def _normalise_pauses(created: int, pauses: Iterable[Pause]) -> _Pauses:
    """Clip to creation, sort and merge, so overlapping records never subtract time twice."""
    raw: list[tuple[int, int | None]] = []
    for p in pauses:
        s = max(to_us(p.start), created)
        e = None if p.end is None else to_us(p.end)
        if e is not None and e < to_us(p.start):
            raise ValueError(f"pause ends before it starts: {p.start} → {p.end}")
        if e is None or e > s:
            raw.append((s, e))
    raw.sort(key=lambda se: se[0])
    merged: _Pauses = []
    for s, e in raw:
        if merged:
            last_s, last_e = merged[-1]
            if last_e is None:
                break  # still paused: later records are inside the open pause
            if s <= last_e:
                merged[-1] = (last_s, None if e is None else max(last_e, e))
                continue
        merged.append((s, e))
    return merged


def _elapsed_us(cal: BusinessCalendar, created: int, until: int, pauses: _Pauses) -> int:
    if until <= created:
        return 0
    total = cal.duration_us(created, until)
    for s, e in pauses:
        if s >= until:
            break
        total -= cal.duration_us(s, until if e is None else min(e, until))
    return total


def _deadline_us(cal: BusinessCalendar, created: int, budget: int, pauses: _Pauses) -> int | None:
    cursor, remaining = created, budget
    for s, e in pauses:
        available = cal.duration_us(cursor, s)
        if available >= remaining:
            return cal.add_us(cursor, remaining)
        remaining -= available
        if e is None:
            return None
        cursor = e
    return cal.add_us(cursor, remaining)


def business_elapsed(
    calendar: BusinessCalendar, created_at: datetime, until: datetime, pauses: Iterable[Pause] = ()
) -> timedelta:
    """Business time from creation to `until`, paused time excluded (KPI "resolution time")."""
    created = to_us(created_at)
    return _elapsed_us(calendar, created, to_us(until), _normalise_pauses(created, pauses)) * _ONE_US


def target_deadline(
    calendar: BusinessCalendar, created_at: datetime, target: timedelta, pauses: Iterable[Pause] = ()
) -> datetime | None:
    """Instant at which `target` business time (excluding pauses) is used up; None if paused before."""
    created = to_us(created_at)
    d = _deadline_us(calendar, created, target // _ONE_US, _normalise_pauses(created, pauses))
    return None if d is None else from_us(d, calendar.tz)


def _target_report(
    cal: BusinessCalendar,
    created: int,
    target: timedelta,
    warn_fraction: float,
    pauses: _Pauses,
    at: int,
    completed: int | None,
) -> TargetReport:
    tz = cal.tz
    budget = target // _ONE_US
    deadline = _deadline_us(cal, created, budget, pauses)
    warn_at = _deadline_us(cal, created, max(1, round(budget * warn_fraction)), pauses)
    done = completed is not None and completed <= at
    t = completed if done and completed is not None else at
    elapsed = _elapsed_us(cal, created, t, pauses)
    paused = not done and any(s <= at and (e is None or at < e) for s, e in pauses)
    met: bool | None = None
    nxt: int | None = None
    if done:
        met = deadline is None or t <= deadline
        breached = not met
    else:
        breached = deadline is not None and at >= deadline
        nxt = min((x for x in (warn_at, deadline) if x is not None and x > at), default=None)
    warning = warn_at is not None and t >= warn_at
    status = SlaStatus.BREACHED if breached else SlaStatus.WARNING if warning else SlaStatus.OK
    return TargetReport(
        target=target,
        deadline=None if deadline is None else from_us(deadline, tz),
        warn_at=None if warn_at is None else from_us(warn_at, tz),
        elapsed=elapsed * _ONE_US,
        remaining=(budget - elapsed) * _ONE_US,
        fraction_used=elapsed / budget,
        status=status,
        paused=paused,
        completed_at=None if completed is None else from_us(completed, tz),
        met=met,
        next_change=None if nxt is None else from_us(nxt, tz),
    )


def evaluate(
    policy: SlaPolicy,
    created_at: datetime,
    at: datetime,
    pauses: Iterable[Pause] = (),
    first_response_at: datetime | None = None,
    resolved_at: datetime | None = None,
) -> SlaReport:
    """Both SLA clocks of one order at instant `at` (inject the clock: never call now() here).

    `resolved_at` is the final resolution; if the order was reopened, pass None
    and the resolved→reopened span as a pause (see states.CLOCK_PAUSING_STATES).
    """
    created = to_us(created_at)
    now = to_us(at)
    ps = _normalise_pauses(created, pauses)
    cal, wf = policy.calendar, policy.warn_fraction
    fr = None if first_response_at is None else to_us(first_response_at)
    rs = None if resolved_at is None else to_us(resolved_at)
    return SlaReport(
        at=at,
        first_response=_target_report(cal, created, policy.first_response, wf, ps, now, fr),
        resolution=_target_report(cal, created, policy.resolution, wf, ps, now, rs),
    )


# ----- priority ---------------------------------------------------------------

_P = list(Priority)

BASE_PRIORITY: Mapping[OrderType, tuple[Priority, Priority, Priority, Priority]] = {
    # severity:            1 (critical)  2            3            4 (minor)
    OrderType.CONSULTATION: (Priority.P2, Priority.P3, Priority.P4, Priority.P4),
    OrderType.BUSINESS: (Priority.P2, Priority.P2, Priority.P3, Priority.P4),
    OrderType.REPAIR: (Priority.P1, Priority.P2, Priority.P3, Priority.P4),
    OrderType.COMPLAINT: (Priority.P1, Priority.P2, Priority.P2, Priority.P3),
}
"""Base priority by type and category severity; complaints start higher because
an unhandled complaint escalates to the regulator (KPI "escalated complaint rate")."""

TIER_RAISE: Mapping[CustomerTier, int] = {
    CustomerTier.VIP: 2,
    CustomerTier.GOLD: 1,
    CustomerTier.SILVER: 0,
    CustomerTier.REGULAR: 0,
}
"""Levels raised for customer tier (客户分级): tiered service promises to high-value customers."""

AREA_RAISE: Mapping[tuple[OrderType, Area], int] = {(OrderType.REPAIR, Area.RURAL): 1}
"""Rural faults are raised one level: one access line and no nearby store means a
rural customer with a fault has no service at all, and dispatch takes longer."""

HIGHEST_PRIORITY: Mapping[OrderType, Priority] = {
    OrderType.CONSULTATION: Priority.P2,
    OrderType.BUSINESS: Priority.P2,
    OrderType.REPAIR: Priority.P1,
    OrderType.COMPLAINT: Priority.P1,
}
"""P1 is reserved for service loss and complaints, whatever the tier."""


def derive_priority(order_type: OrderType | str, severity: int, tier: CustomerTier | str, area: Area | str) -> Priority:
    """Priority from type × severity (1 critical … 4 minor) × tier × area, from the tables above."""
    ot, ct, ar = OrderType(order_type), CustomerTier(tier), Area(area)
    if severity not in (1, 2, 3, 4):
        raise ValueError(f"severity must be 1..4, got {severity!r}")
    level = _P.index(BASE_PRIORITY[ot][severity - 1]) - TIER_RAISE[ct] - AREA_RAISE.get((ot, ar), 0)
    return _P[max(level, _P.index(HIGHEST_PRIORITY[ot]))]


# ----- policy matching ----------------------------------------------------------


class NoMatchingPolicy(LookupError):
    """No SLA policy covers the order: a configuration gap the administrator must close."""


@dataclass(frozen=True, slots=True)
class PolicyRule:
    """`None` in a key field is a wildcard."""

    policy: SlaPolicy
    order_type: OrderType | None = None
    priority: Priority | None = None
    tier: CustomerTier | None = None
    area: Area | None = None

    @property
    def key(self) -> tuple[OrderType | None, Priority | None, CustomerTier | None, Area | None]:
        return (self.order_type, self.priority, self.tier, self.area)

    @property
    def specificity(self) -> int:
        """Type outweighs priority outweighs tier outweighs area, so ties cannot happen."""
        weights = (8, 4, 2, 1)
        return sum(w for w, v in zip(weights, self.key, strict=True) if v is not None)

    def matches(self, key: Sequence[object]) -> bool:
        return all(mine is None or mine == theirs for mine, theirs in zip(self.key, key, strict=True))


class PolicyTable:
    """Most specific matching rule wins; duplicate keys are rejected when the table is built."""

    def __init__(self, rules: Iterable[PolicyRule]) -> None:
        self._rules = sorted(rules, key=lambda r: r.specificity, reverse=True)
        seen: set[object] = set()
        for r in self._rules:
            if r.key in seen:
                raise ValueError(f"two SLA policy rules for the same key {r.key}")
            seen.add(r.key)

    def match(
        self,
        order_type: OrderType | str,
        priority: Priority | str,
        tier: CustomerTier | str,
        area: Area | str,
    ) -> SlaPolicy:
        key = (OrderType(order_type), Priority(priority), CustomerTier(tier), Area(area))
        for rule in self._rules:
            if rule.matches(key):
                return rule.policy
        raise NoMatchingPolicy(f"no SLA policy for type={key[0]} priority={key[1]} tier={key[2]} area={key[3]}")
