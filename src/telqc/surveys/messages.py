"""Survey strings (zh-CN first)."""

from __future__ import annotations

MESSAGES: dict[str, dict[str, str]] = {
    "w.survey": {"zh-CN": "调查", "en": "survey"},
    "ui.surveys": {"zh-CN": "满意度调查", "en": "Surveys"},
    "surveys.error.answered": {"zh-CN": "该问卷已提交，感谢您的评价", "en": "this survey was already answered"},
    "surveys.error.expired": {"zh-CN": "该问卷已过期", "en": "this survey link has expired"},
    "surveys.error.empty": {"zh-CN": "请至少回答一个问题", "en": "please answer at least one question"},
    "surveys.title": {"zh-CN": "服务满意度调查", "en": "Service satisfaction survey"},
    "surveys.csat": {"zh-CN": "您对本次服务满意吗？（1 非常不满意 – 5 非常满意）",
                     "en": "How satisfied are you with this service? (1 very unsatisfied – 5 very satisfied)"},
    "surveys.nps": {"zh-CN": "您有多大可能向亲友推荐我们？（0–10）",
                    "en": "How likely are you to recommend us to friends? (0–10)"},
    "surveys.resolved": {"zh-CN": "您的问题解决了吗？", "en": "Was your problem solved?"},
    "surveys.yes": {"zh-CN": "已解决", "en": "Yes"},
    "surveys.no": {"zh-CN": "未解决", "en": "No"},
    "surveys.comment": {"zh-CN": "其他意见或建议", "en": "Anything else?"},
    "surveys.submit": {"zh-CN": "提交", "en": "Submit"},
    "surveys.thanks": {"zh-CN": "感谢您的评价！", "en": "Thank you for your feedback!"},
    "surveys.list": {"zh-CN": "调查邀请", "en": "Survey invitations"},
    "surveys.status.sent": {"zh-CN": "已发送", "en": "sent"},
    "surveys.status.answered": {"zh-CN": "已回复", "en": "answered"},
    "surveys.status.expired": {"zh-CN": "已过期", "en": "expired"},
}
