"""A form's validation error as a zh-CN reader sees it (`telqc.web.render.validation_text`): the field by its
label and the reason in Chinese; the audit found "description: String should have at least 5 characters" and
"why：each why is 1–500 characters" on pages."""

from __future__ import annotations

import re

import pytest
from pydantic import BaseModel, ValidationError

from telqc.improvement.schemas import AnalysisIn
from telqc.orders.schemas import SelfFileIn
from telqc.web.render import validation_text


def _error(model: type[BaseModel], data: dict[str, object]) -> ValidationError:
    with pytest.raises(ValidationError) as caught:
        model.model_validate(data)
    return caught.value


@pytest.mark.parametrize(("model", "data", "expected"), [
    (SelfFileIn, {"type": "repair", "category": "repair.broadband", "title": "断网", "description": "坏了"},
     "问题描述：长度不能少于 5"),
    (SelfFileIn, {"type": "repair", "category": "repair.broadband", "description": "光猫红灯一直亮"},
     "标题：必填字段缺失"),
    (AnalysisIn, {"root_cause": "process", "why": ["为" * 600]}, "五问分析：每一问须填写 1–500 个字"),
])
def test_the_field_and_the_reason_read_in_chinese(model: type[BaseModel], data: dict[str, object],
                                                  expected: str) -> None:
    got = validation_text(_error(model, data), "zh-CN")
    assert got == expected
    assert not re.search(r"[A-Za-z]{3,}", got)


def test_english_readers_get_english() -> None:
    err = _error(SelfFileIn, {"type": "repair", "category": "repair.broadband", "title": "断网", "description": "坏"})
    assert validation_text(err, "en") == "description: must have at least 5 characters"
