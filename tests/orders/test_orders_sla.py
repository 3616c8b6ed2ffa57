"""SLA clock, priority derivation and policy matching."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from orders.orders_strategies import calendars, durations, instants, wall_clock_is_working
from telqc.orders.calendar import BusinessCalendar
from telqc.orders.holidays import china_calendar
from telqc.orders.sla import (
    HIGHEST_PRIORITY,
    Area,
    CustomerTier,
    NoMatchingPolicy,
    Pause,
    PolicyRule,
    PolicyTable,
    Priority,
    SlaPolicy,
    SlaStatus,
    business_elapsed,
    derive_priority,
    evaluate,
    target_deadline,
)
from telqc.orders.states import OrderType

SH = ZoneInfo("Asia/Shanghai")
H = timedelta(hours=1)
US = timedelta(microseconds=1)
CN = china_calendar()
POLICY = SlaPolicy("complaint-std", first_response=2 * H, resolution=15 * H, calendar=CN)


def sh(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=SH)


def test_clock_walks_through_ok_warning_breached() -> None:
    created = sh(2026, 3, 2, 9)  # Monday; 7.5 business hours a day
    r = evaluate(POLICY, created, sh(2026, 3, 2, 10))
    assert r.first_response.deadline == sh(2026, 3, 2, 11)
    assert r.first_response.warn_at == sh(2026, 3, 2, 10, 30)
    assert r.resolution.deadline == sh(2026, 3, 3, 18)
    assert r.status is SlaStatus.OK and r.next_change == sh(2026, 3, 2, 10, 30)
    r = evaluate(POLICY, created, sh(2026, 3, 2, 10, 45))
    assert r.first_response.status is SlaStatus.WARNING and r.next_change == sh(2026, 3, 2, 11)
    assert r.first_response.remaining == timedelta(minutes=15)
    r = evaluate(POLICY, created, sh(2026, 3, 2, 11))
    assert r.first_response.status is SlaStatus.BREACHED
    assert r.next_change == r.resolution.warn_at
    # Responded at 10:50: met, and that clock never changes again.
    r = evaluate(POLICY, created, sh(2026, 3, 2, 15), first_response_at=sh(2026, 3, 2, 10, 50))
    assert r.first_response.met is True and r.first_response.status is SlaStatus.WARNING
    assert r.first_response.next_change is None
    assert r.first_response.elapsed == timedelta(minutes=110)


def test_deadline_at_close_of_business_is_breached_overnight() -> None:
    # Budget ends at 18:00; at 20:00 no business time has passed since, but the promise is broken.
    policy = SlaPolicy("p", H, 7.5 * H, CN)
    r = evaluate(policy, sh(2026, 3, 2, 9), sh(2026, 3, 2, 20))
    assert r.resolution.deadline == sh(2026, 3, 2, 18)
    assert r.resolution.status is SlaStatus.BREACHED and r.resolution.remaining == timedelta(0)
    done = evaluate(policy, sh(2026, 3, 2, 9), sh(2026, 3, 3, 9), resolved_at=sh(2026, 3, 2, 18))
    assert done.resolution.met is True  # "within" the deadline includes the deadline itself


def test_pending_pauses_the_clock() -> None:
    created = sh(2026, 3, 2, 9)
    pauses = [Pause(sh(2026, 3, 2, 10), sh(2026, 3, 3, 10))]  # one business day waiting for the customer
    r = evaluate(POLICY, created, sh(2026, 3, 3, 10), pauses)
    assert r.resolution.elapsed == H
    assert r.resolution.deadline == sh(2026, 3, 4, 18)
    open_pause = evaluate(POLICY, created, sh(2026, 3, 5, 9), [Pause(sh(2026, 3, 2, 10))])
    assert open_pause.resolution.paused and open_pause.resolution.deadline is None
    assert open_pause.resolution.status is SlaStatus.OK and open_pause.resolution.next_change is None
    # The first-response budget ran out before the pause began: its deadline stands.
    late = evaluate(POLICY, created, sh(2026, 3, 5, 9), [Pause(sh(2026, 3, 2, 14))])
    assert late.first_response.status is SlaStatus.BREACHED


def test_overlapping_pause_records_are_not_subtracted_twice() -> None:
    created = sh(2026, 3, 2, 9)
    pauses = [Pause(sh(2026, 3, 2, 10), sh(2026, 3, 2, 11)), Pause(sh(2026, 3, 2, 10, 30), sh(2026, 3, 2, 11, 30))]
    assert business_elapsed(CN, created, sh(2026, 3, 2, 12), pauses) == 1.5 * H
    with pytest.raises(ValueError):
        business_elapsed(CN, created, sh(2026, 3, 2, 12), [Pause(sh(2026, 3, 2, 11), sh(2026, 3, 2, 10))])


def test_policy_validation() -> None:
    with pytest.raises(ValueError):
        SlaPolicy("x", timedelta(0), H, CN)
    with pytest.raises(ValueError):
        SlaPolicy("x", H, H, CN, warn_fraction=1.5)


# ----- properties ---------------------------------------------------------------


@st.composite
def pause_lists(draw: st.DrawFn, created: datetime) -> list[Pause]:
    offsets = sorted(draw(st.lists(st.integers(0, 3_000_000_000_000), max_size=8)))  # up to ~35 days, µs
    out = [Pause(created + a * US, created + b * US) for a, b in zip(offsets[::2], offsets[1::2], strict=False)]
    if draw(st.booleans()):
        out.append(Pause(created + draw(st.integers(0, 3_000_000_000_000)) * US))
    return out


PROPS = settings(max_examples=200, deadline=None)


@PROPS
@given(st.data(), calendars(), instants(), durations(200))
def test_deadline_spends_exactly_the_target(
    data: st.DataObject, cal: BusinessCalendar, created: datetime, target: timedelta
) -> None:
    pauses = data.draw(pause_lists(created))
    deadline = target_deadline(cal, created, target, pauses)
    if deadline is None:
        assert any(p.end is None for p in pauses)
        return
    assert business_elapsed(cal, created, deadline, pauses) == target
    before = deadline - US
    assert wall_clock_is_working(cal, before)
    assert not any(p.start <= before and (p.end is None or before < p.end) for p in pauses)
    plain = target_deadline(cal, created, target)
    assert plain is not None and plain <= deadline


@PROPS
@given(st.data(), calendars(), instants(), durations(100), durations(100))
def test_elapsed_is_monotonic_and_paused_time_never_counts(
    data: st.DataObject, cal: BusinessCalendar, created: datetime, d1: timedelta, d2: timedelta
) -> None:
    pauses = data.draw(pause_lists(created))
    t1, t2 = created + min(d1, d2), created + max(d1, d2)
    assert business_elapsed(cal, created, t1, pauses) <= business_elapsed(cal, created, t2, pauses)
    for p in pauses:
        end = p.end if p.end is not None else t2
        if end >= p.start:
            assert business_elapsed(cal, created, p.start, pauses) == business_elapsed(cal, created, end, pauses)
    assert business_elapsed(cal, created, t2, pauses) <= business_elapsed(cal, created, t2)


@PROPS
@given(st.data(), calendars(), instants(), durations(50), durations(50))
def test_status_changes_exactly_at_next_change(
    data: st.DataObject, cal: BusinessCalendar, created: datetime, fr: timedelta, extra: timedelta
) -> None:
    policy = SlaPolicy("p", fr, fr + extra, cal, warn_fraction=data.draw(st.floats(0.05, 1.0)))
    pauses = data.draw(pause_lists(created))
    at = created + data.draw(st.integers(0, 4_000_000_000_000)) * US
    r = evaluate(policy, created, at, pauses)
    if r.next_change is None:
        return
    assert r.next_change > at
    before = evaluate(policy, created, r.next_change - US, pauses)
    after = evaluate(policy, created, r.next_change, pauses)
    statuses = (r.first_response.status, r.resolution.status)
    assert (before.first_response.status, before.resolution.status) == statuses
    assert (before.first_response.status, before.resolution.status) != (
        after.first_response.status,
        after.resolution.status,
    )


# ----- priority and policy matching ----------------------------------------------


def test_priority_table_examples() -> None:
    assert derive_priority("repair", 1, "regular", "urban") is Priority.P1
    assert derive_priority("repair", 3, "regular", "rural") is Priority.P2
    assert derive_priority("consultation", 4, "vip", "urban") is Priority.P2
    assert derive_priority("complaint", 4, "regular", "urban") is Priority.P3
    assert derive_priority("business", 2, "gold", "urban") is Priority.P2
    with pytest.raises(ValueError):
        derive_priority("repair", 5, "vip", "urban")


@given(
    st.sampled_from(OrderType),
    st.integers(1, 4),
    st.integers(1, 4),
    st.sampled_from(CustomerTier),
    st.sampled_from(Area),
)
def test_priority_is_monotonic_and_capped(ot: OrderType, s1: int, s2: int, tier: CustomerTier, area: Area) -> None:
    order = list(Priority)
    rank = order.index
    more, less = sorted((s1, s2))
    assert rank(derive_priority(ot, more, tier, area)) <= rank(derive_priority(ot, less, tier, area))
    assert rank(derive_priority(ot, s1, "vip", area)) <= rank(derive_priority(ot, s1, tier, area))
    assert rank(derive_priority(ot, s1, tier, area)) <= rank(derive_priority(ot, s1, "regular", area))
    assert rank(derive_priority(ot, s1, tier, area)) >= rank(HIGHEST_PRIORITY[ot])


def _policy(name: str) -> SlaPolicy:
    return SlaPolicy(name, H, 8 * H, BusinessCalendar.always_open())


def test_most_specific_policy_wins() -> None:
    table = PolicyTable(
        [
            PolicyRule(_policy("default")),
            PolicyRule(_policy("complaints"), order_type=OrderType.COMPLAINT),
            PolicyRule(_policy("vip"), tier=CustomerTier.VIP),
            PolicyRule(_policy("rural repair"), order_type=OrderType.REPAIR, area=Area.RURAL),
            PolicyRule(_policy("P1 complaint"), order_type=OrderType.COMPLAINT, priority=Priority.P1),
        ]
    )
    assert table.match("consultation", "P4", "regular", "urban").name == "default"
    assert table.match("complaint", "P3", "vip", "urban").name == "complaints"  # type outweighs tier
    assert table.match("business", "P3", "vip", "urban").name == "vip"
    assert table.match("repair", "P2", "vip", "rural").name == "rural repair"
    assert table.match("complaint", "P1", "vip", "rural").name == "P1 complaint"
    with pytest.raises(NoMatchingPolicy):
        PolicyTable([PolicyRule(_policy("x"), order_type=OrderType.REPAIR)]).match("complaint", "P1", "vip", "urban")
    with pytest.raises(ValueError, match="same key"):
        PolicyTable([PolicyRule(_policy("a")), PolicyRule(_policy("b"))])
