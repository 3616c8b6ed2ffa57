"""Tier and lifecycle stage rules (insight.tiering): hand cases, the shipped file, and properties."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import ValidationError

from telqc.insight.tiering import RULES_FILE, TIERS, Facts, assess, load_rules

RULES = load_rules()


def test_hand_cases() -> None:
    loyal = Facts(tenure_months=79, arpu_yuan=200, arpu_before_yuan=190, data_gb=30, months_since_usage=0)
    a = assess(RULES, loyal)  # 200 + 60 (capped) + 15 = 275: gold (≥ 200, < 320)
    assert (a.tier, a.stage, a.score) == ("gold", "mature", 275)
    newcomer = Facts(tenure_months=3, arpu_yuan=60, data_gb=0, overdue_bills=1)
    assert (assess(RULES, newcomer).tier, assess(RULES, newcomer).stage) == ("regular", "new")  # 60+3-40 = 23
    no_bills = Facts(tenure_months=80, months_to_contract_end=1)
    a = assess(RULES, no_bills)
    assert a.tier is None and a.stage == "contract_expiring" and "无账单数据" in a.reasons[1]


def test_stage_precedence() -> None:
    f = Facts(tenure_months=3, months_to_contract_end=1, complaints_90d=3, arpu_yuan=100, arpu_before_yuan=100)
    assert assess(RULES, f).stage == "churn_risk"  # at risk outranks expiring and new
    assert assess(RULES, replace(f, months_since_usage=2)).stage == "lapsed"
    assert assess(RULES, replace(f, complaints_90d=0, arpu_yuan=50)).stage == "churn_risk"  # bill fell 50 %
    assert assess(RULES, replace(f, complaints_90d=0)).stage == "contract_expiring"
    assert assess(RULES, Facts(tenure_months=12)).stage == "growing"


facts = st.builds(Facts, tenure_months=st.integers(0, 400), arpu_yuan=st.floats(0, 2000),
                  data_gb=st.floats(0, 500), overdue_bills=st.integers(0, 12))


@given(facts, st.floats(0, 500))
def test_more_spending_never_lowers_the_tier(f: Facts, more: float) -> None:
    assert f.arpu_yuan is not None
    low, high = assess(RULES, f).tier, assess(RULES, replace(f, arpu_yuan=f.arpu_yuan + more)).tier
    assert low is not None and high is not None and TIERS.index(high) <= TIERS.index(low)


@given(facts)
def test_an_unpaid_bill_never_raises_the_tier(f: Facts) -> None:
    low, high = assess(RULES, replace(f, overdue_bills=f.overdue_bills + 1)).tier, assess(RULES, f).tier
    assert low is not None and high is not None and TIERS.index(low) >= TIERS.index(high)


def test_a_bad_rules_file_names_the_key(tmp_path: Path) -> None:
    text = RULES_FILE.read_text(encoding="utf-8").replace("gold: 200", "gold: 400")
    (tmp_path / "r.yaml").write_text(text, encoding="utf-8")
    with pytest.raises(ValidationError, match="tier minimums"):
        load_rules(tmp_path / "r.yaml")
