"""Insight strings (zh-CN first)."""

from __future__ import annotations

MESSAGES: dict[str, dict[str, str]] = {
    "insight.profile": {"zh-CN": "客户画像", "en": "Customer profile"},
    "insight.household": {"zh-CN": "家庭人数", "en": "Household"},
    "insight.recommendation": {"zh-CN": "套餐推荐", "en": "Plan recommendation"},
    "insight.synthetic": {"zh-CN": "用量为演示数据（尚未导入真实用量）", "en": "Demo usage (no usage imported yet)"},
}
