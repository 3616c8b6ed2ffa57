"""Audit actions whose names are built at run time ("improvement.action_" + status) have a Chinese name on the
/audit page too: the page-language test sees only what the seeded demo wrote (the audit found
"improvement.action_done" in the action filter after an action was completed)."""

from __future__ import annotations

import re
import typing
from pathlib import Path

import pytest

import telqc
from telqc.core.i18n import t
from telqc.improvement.states import ActionStatus
from telqc.insight.imports import Kind
from telqc.knowledge.service import ALLOWED
from telqc.orders.sla import SlaStatus
from telqc.web.admin_pages import action_label

BUILT = [
    *(f"improvement.action_{s.value}" for s in ActionStatus if s is not ActionStatus.OPEN),  # improvement.service
    *(f"order.sla_{s.value}" for s in SlaStatus),  # orders.sweep
    *(f"{kind}.orders_linked" for kind in ("incident", "planned_work")),  # incidents.links
    *(f"insight.{kind}_imported" for kind in typing.get_args(Kind)),  # insight.service
    *(f"kb.{action}" for action in ALLOWED),  # knowledge.service.act
    *(f"kb.suggestion_{verdict}" for verdict in ("adopted", "rejected")),  # knowledge.learning
]


@pytest.mark.parametrize("action", BUILT)
def test_a_built_audit_action_has_a_chinese_name(action: str) -> None:
    assert action_label(action, "zh-CN") != action


WORD_TARGET = re.compile(r'ctx\.audit\("[a-z_.]+", "[a-z_]+", "([a-z_]+)"')


def test_a_target_named_by_a_word_has_a_chinese_name() -> None:
    """Whole-domain rows (``ctx.audit("insight.churn_scored", "insight", "churn")``) read 客户洞察 流失评分 on
    /audit, not 客户洞察 churn."""
    words = {m for path in Path(telqc.__file__).parent.rglob("*.py") for m in WORD_TARGET.findall(path.read_text())}
    assert {"churn", "catalogue"} <= words, "the scan finds the targets"
    assert [w for w in sorted(words) if t(f"au.target.{w}", "zh-CN") == f"au.target.{w}"] == []
