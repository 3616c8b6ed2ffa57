"""Work-order wording, zh-CN first."""

from __future__ import annotations

MESSAGES: dict[str, dict[str, str]] = {
    "w.order": {"zh-CN": "工单", "en": "order"},
    "w.category": {"zh-CN": "工单分类", "en": "order category"},
    "w.network_problem": {"zh-CN": "网络问题单", "en": "network problem"},
    "orders.error.illegal_transition": {
        "zh-CN": "工单状态不能从 {current} 变更为 {target}，允许的下一状态：{allowed}",
        "en": "the order cannot go from {current} to {target}; allowed: {allowed}"},
    "orders.error.category_type": {"zh-CN": "该分类不属于工单类型 {type}",
                                   "en": "this category does not belong to order type {type}"},
    "orders.error.not_assignable": {"zh-CN": "该用户不能处理此工单（角色、状态或地区不符）",
                                    "en": "this user cannot handle the order (role, status or region)"},
    "orders.error.no_candidate": {"zh-CN": "没有可分配的处理人", "en": "no one available to assign"},
    "orders.error.final": {"zh-CN": "工单已结束，不能再操作", "en": "the order is finished"},
    "orders.error.not_handler": {"zh-CN": "只有工单处理人、首问负责人或主管可以操作（需要权限 {permission}）",
                                 "en": "only the handler, the owner or a supervisor may act ({permission})"},
    "orders.error.level_not_higher": {"zh-CN": "升级级别必须高于当前级别 {current}",
                                      "en": "the escalation level must be above the current level {current}"},
    "orders.error.no_callback": {"zh-CN": "该工单没有待处理的回访任务", "en": "the order has no open callback"},
    "orders.error.not_network": {"zh-CN": "只有网络质量类投诉可以转网络部门",
                                 "en": "only network-quality complaints go to network operations"},
    "orders.error.not_repair": {"zh-CN": "该工单不是报修工单", "en": "not a repair order"},
    "orders.error.bad_slot": {"zh-CN": "预约时段不正确（需同时给出开始和结束，结束晚于开始）",
                              "en": "bad appointment slot (give start and end, end after start)"},
    "orders.sms.acknowledged": {"zh-CN": "【TelQC】您的工单 {id}（{title}）已受理，我们将尽快处理。",
                                "en": "[TelQC] Your request {id} ({title}) has been received."},
    "orders.sms.progress": {"zh-CN": "【TelQC】您的工单 {id}（{title}）有新的处理进展，请在App中查看。",
                            "en": "[TelQC] There is progress on your request {id} ({title})."},
    "orders.sms.resolved": {"zh-CN": "【TelQC】您的工单 {id}（{title}）已处理完毕，稍后将有回访，感谢您的耐心。",
                            "en": "[TelQC] Your request {id} ({title}) is resolved; we will call you back."},
}
