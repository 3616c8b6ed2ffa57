"""Escalation ladder and escalation-risk detection in complaint text."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from telqc.orders.escalation_rules import (
    EscalationAction,
    EscalationLevel,
    RiskCategory,
    decide_escalation,
    detect_escalation_risk,
    raise_priority,
)
from telqc.orders.sla import Priority, SlaStatus
from telqc.orders.states import OrderType

A = EscalationAction
L = EscalationLevel


@pytest.mark.parametrize(
    ("text", "terms"),
    [
        ("再不解决我就投诉到工信部，还要找媒体曝光！", ["投诉到", "工信部", "媒体", "曝光"]),
        ("我已经打了12300", ["12300"]),
        ("315那天我去消协", ["315", "消协"]),
        ("我要去法院起诉你们", ["法院", "起诉"]),
        ("宽带又断了，麻烦尽快修", []),
        ("我的号码是13150001234，上月扣了1315元", []),
    ],
)
def test_risk_terms_found_with_evidence(text: str, terms: list[str]) -> None:
    found = detect_escalation_risk(text)
    assert [m.term for m in found] == terms
    for m in found:
        assert text[m.start : m.end] == m.term and m.term in m.snippet


def test_negation_is_reported_but_not_escalated() -> None:
    (m,) = detect_escalation_risk("我不会去工信部投诉的，只想快点修好")
    assert m.negated and m.category is RiskCategory.REGULATOR
    assert decide_escalation("complaint", "P3", "ok", 0.1, risk=[m]) is None
    (threat,) = detect_escalation_risk("没解决就去工信部")
    assert not threat.negated


def test_regulator_threat_goes_to_crisis_immediately() -> None:
    risk = detect_escalation_risk("今天不给答复我就打12300投诉")
    esc = decide_escalation(OrderType.COMPLAINT, Priority.P3, SlaStatus.OK, 0.05, risk=risk)
    assert esc is not None and esc.level is L.CRISIS
    assert esc.new_priority is Priority.P2 and A.RAISE_PRIORITY in esc.actions
    assert esc.evidence == risk
    # Only complaints are escalated on wording; the risk is still evidence for the agent.
    assert decide_escalation(OrderType.REPAIR, Priority.P3, SlaStatus.OK, 0.05, risk=risk) is None


def test_sla_ladder() -> None:
    assert decide_escalation("repair", "P3", "ok", 0.5) is None
    warn = decide_escalation("repair", "P3", "warning", 0.8)
    assert warn is not None and warn.level is L.TEAM_LEAD and warn.actions == (A.NOTIFY_SUPERVISOR,)
    assert warn.new_priority is None  # notify-only never changes priority
    breach = decide_escalation("repair", "P3", "breached", 1.0, current_level="team_lead")
    assert breach is None  # already at team lead; raising priority happened when that level was reached
    breach = decide_escalation("repair", "P3", "breached", 1.0)
    assert breach is not None and breach.new_priority is Priority.P2
    manager = decide_escalation("repair", "P1", "breached", 1.0, current_level="team_lead")
    assert manager is not None and manager.level is L.MANAGER
    crisis = decide_escalation("complaint", "P2", "breached", 2.1, current_level="manager")
    assert crisis is not None and crisis.level is L.CRISIS


@given(
    st.sampled_from(OrderType),
    st.sampled_from(Priority),
    st.sampled_from(SlaStatus),
    st.floats(0, 5),
    st.sampled_from(EscalationLevel),
)
def test_escalation_only_goes_up_and_is_idempotent(
    ot: OrderType, pr: Priority, status: SlaStatus, frac: float, level: EscalationLevel
) -> None:
    esc = decide_escalation(ot, pr, status, frac, current_level=level)
    if esc is None:
        return
    order = list(EscalationLevel)
    assert order.index(esc.level) > order.index(level)
    assert decide_escalation(ot, pr, status, frac, current_level=esc.level) is None
    assert (esc.new_priority is not None) == (A.RAISE_PRIORITY in esc.actions)


def test_raise_priority() -> None:
    assert raise_priority("P3") is Priority.P2 and raise_priority("P1") is Priority.P1
