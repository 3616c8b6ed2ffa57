"""Work-order state machines: allowed edges, closed loop for complaints, TMF621 mapping."""

from __future__ import annotations

from collections import deque
from itertools import pairwise

import pytest
from hypothesis import given
from hypothesis import strategies as st

from telqc.orders.states import (
    FINAL_STATES,
    TRANSITIONS,
    IllegalTransition,
    OrderState,
    OrderType,
    PendingReason,
    TmfStatus,
    allowed,
    from_tmf621,
    is_terminal,
    pauses_clock,
    to_tmf621,
    transition,
)

S = OrderState


def test_happy_paths() -> None:
    path = [S.ACKNOWLEDGED, S.IN_PROGRESS, S.PENDING, S.IN_PROGRESS, S.RESOLVED, S.CALLBACK, S.CLOSED]
    for ot in OrderType:
        cur = S.NEW
        for nxt in path:
            cur = transition(ot, cur, nxt)
        assert cur is S.CLOSED


def test_complaint_must_pass_callback_before_closing() -> None:
    with pytest.raises(IllegalTransition) as exc:
        transition("complaint", "resolved", "closed")
    assert exc.value.allowed_targets == (S.CALLBACK, S.REOPENED)
    assert exc.value.status_code == 409
    assert "callback" in str(exc.value)
    for ot in (OrderType.CONSULTATION, OrderType.BUSINESS, OrderType.REPAIR):
        assert transition(ot, S.RESOLVED, S.CLOSED) is S.CLOSED


def test_reopen_and_cancel_rules() -> None:
    assert transition("repair", "resolved", "reopened") is S.REOPENED
    assert transition("repair", "callback", "reopened") is S.REOPENED
    assert allowed("repair", "reopened") == {S.IN_PROGRESS}
    assert transition("complaint", "closed", "reopened") is S.REOPENED  # unsatisfied callback after closing
    assert is_terminal("repair", "closed") and not is_terminal("complaint", "closed")
    for st_ in (S.NEW, S.ACKNOWLEDGED, S.IN_PROGRESS, S.PENDING):
        assert S.CANCELLED in allowed("business", st_)
    for st_ in (S.RESOLVED, S.CALLBACK, S.CLOSED, S.REOPENED):
        assert S.CANCELLED not in allowed("business", st_)
    assert allowed("complaint", "cancelled") == frozenset()
    assert transition("consultation", "new", "resolved") is S.RESOLVED  # answered on first contact
    with pytest.raises(IllegalTransition):
        transition("complaint", "new", "resolved")
    with pytest.raises(ValueError):
        transition("complaint", "new", "bogus")


def test_every_reachable_state_can_still_finish() -> None:
    """No dead ends: from any state reachable from `new`, a final state is reachable."""
    for ot in OrderType:
        reachable = _reach(ot, S.NEW)
        assert reachable == set(OrderState)
        for st_ in reachable:
            assert _reach(ot, st_) & FINAL_STATES, (ot, st_)


def _reach(ot: OrderType, start: OrderState) -> set[OrderState]:
    seen, todo = {start}, deque([start])
    while todo:
        for nxt in TRANSITIONS[ot][todo.popleft()]:
            if nxt not in seen:
                seen.add(nxt)
                todo.append(nxt)
    return seen


@given(st.sampled_from(OrderType), st.lists(st.integers(0, 10_000), max_size=60))
def test_random_walks_use_only_allowed_edges(ot: OrderType, choices: list[int]) -> None:
    cur, visited = S.NEW, [S.NEW]
    for c in choices:
        options = sorted(allowed(ot, cur))
        if not options:
            break
        cur = transition(ot, cur, options[c % len(options)])
        visited.append(cur)
    for a, b in pairwise(visited):
        assert b in TRANSITIONS[ot][a]
    if is_terminal(ot, cur):
        assert cur in FINAL_STATES
    if ot is OrderType.COMPLAINT and S.CLOSED in visited:
        first_close = visited.index(S.CLOSED)
        assert visited[first_close - 1] is S.CALLBACK


@given(st.sampled_from(OrderType), st.sampled_from(OrderState), st.sampled_from(OrderState))
def test_transition_agrees_with_allowed(ot: OrderType, cur: OrderState, tgt: OrderState) -> None:
    if tgt in allowed(ot, cur):
        assert transition(ot, cur, tgt) is tgt
    else:
        with pytest.raises(IllegalTransition) as exc:
            transition(ot, cur, tgt)
        assert set(exc.value.allowed_targets) == allowed(ot, cur)


def test_clock_pausing_states() -> None:
    assert pauses_clock("pending") and pauses_clock(S.RESOLVED)
    assert not pauses_clock("in_progress") and not pauses_clock("reopened")


def test_tmf621_mapping() -> None:
    assert {to_tmf621(s) for s in OrderState} <= set(TmfStatus)
    assert to_tmf621("in_progress") is TmfStatus.IN_PROGRESS
    assert to_tmf621("pending", PendingReason.THIRD_PARTY) is TmfStatus.HELD
    assert to_tmf621("pending", "customer") is TmfStatus.PENDING
    assert to_tmf621("new") is TmfStatus.ACKNOWLEDGED
    assert from_tmf621("held") == (S.PENDING, PendingReason.THIRD_PARTY)
    assert from_tmf621("inProgress") == (S.IN_PROGRESS, None)
    with pytest.raises(ValueError):
        from_tmf621("rejected")
    for status in TmfStatus:
        if status is not TmfStatus.REJECTED:
            state, reason = from_tmf621(status)
            assert to_tmf621(state, reason) is status
