"""Workforce strings (zh-CN first)."""

from __future__ import annotations

MESSAGES: dict[str, dict[str, str]] = {
    "w.wfm_forecast": {"zh-CN": "话务预测", "en": "forecast"},
    "w.wfm_roster": {"zh-CN": "排班表", "en": "roster"},
    "ui.workforce_planner": {"zh-CN": "排班规划", "en": "Workforce planning"},
    "ui.workforce_intraday": {"zh-CN": "实时监控", "en": "Intraday"},
    "workforce.error.staff_exists": {"zh-CN": "该用户已在排班人员名单中",
                                     "en": "this user is already on the staff list"},
    "workforce.error.window": {"zh-CN": "日期范围无效（结束不得早于开始，且不超过一年）",
                               "en": "invalid date range (end before start, or longer than a year)"},
    "workforce.error.no_history": {"zh-CN": "没有可用于预测的历史话务数据（{channel}）",
                                   "en": "no contact history to forecast from ({channel})"},
    "workforce.error.event_days": {"zh-CN": "结束日期不能早于开始日期", "en": "the end day is before the start day"},
    "workforce.error.event_long": {"zh-CN": "一个已知事件最长 {days} 天，更长的请分段登记",
                                   "en": "a known event lasts at most {days} days; register longer ones in parts"},
    "w.wfm_event": {"zh-CN": "已知事件", "en": "known event"},
    "wfm.events": {"zh-CN": "已知事件（预测因子）", "en": "Known events (forecast regressors)"},
    "wfm.events_intro": {"zh-CN": "登记资费/新套餐上线、营销活动、出账、割接等会带来话务波动的日子；"
                                  "预测从历史中学习事件的影响，并用于未来日期。网络割接计划自动计入。",
                         "en": "Register the days that move contact volume (plan launches, campaigns, bill runs, "
                               "cutovers); the forecast learns their effect from history and applies it ahead. "
                               "Planned network works are included automatically."},
    "wfm.event_kind.plan_launch": {"zh-CN": "新套餐/资费上线", "en": "Plan launch"},
    "wfm.event_kind.marketing": {"zh-CN": "营销活动", "en": "Marketing campaign"},
    "wfm.event_kind.bill_run": {"zh-CN": "出账/账单发送", "en": "Bill run"},
    "wfm.event_kind.planned_work": {"zh-CN": "割接/维护", "en": "Planned work"},
    "wfm.event_kind.outage": {"zh-CN": "故障", "en": "Outage"},
    "wfm.event_kind.other": {"zh-CN": "其他", "en": "Other"},
    "wfm.event_weight": {"zh-CN": "相对强度", "en": "Relative size"},
    "wfm.event_add": {"zh-CN": "登记事件", "en": "Add event"},
    "wfm.event_remove": {"zh-CN": "删除", "en": "Remove"},
    "wfm.all_channels": {"zh-CN": "全部渠道", "en": "All channels"},
    "workforce.error.short_history": {"zh-CN": "历史数据不足，回测至少需要 {days} 天",
                                      "en": "not enough history: a backtest needs at least {days} days"},
    "workforce.error.channel_not_forecast": {"zh-CN": "该预测不含渠道 {channel}",
                                             "en": "the forecast does not cover channel {channel}"},
    "workforce.error.outside_forecast": {"zh-CN": "所选日期超出预测范围", "en": "the days are outside the forecast"},
    "workforce.error.no_templates": {"zh-CN": "尚未配置班次模板", "en": "no shift templates yet"},
    "workforce.error.no_staff": {"zh-CN": "没有可排班的人员（所属渠道需在预测范围内）",
                                 "en": "no staff to roster on the forecast's channels"},
    "workforce.error.start_window": {"zh-CN": "最晚开始时间不得早于最早开始时间",
                                     "en": "the latest start is before the earliest start"},
    "workforce.error.lunch_window": {"zh-CN": "午休时段须在班次内、按30分钟对齐",
                                     "en": "the lunch window must lie inside the shift, on 30-minute steps"},
    "workforce.error.template_exists": {"zh-CN": "已有同名班次模板", "en": "a shift template with this name exists"},
}
