"""Metrics strings (zh-CN first)."""

from __future__ import annotations

from telqc.metrics import registry

MESSAGES: dict[str, dict[str, str]] = {
    "ui.metrics": {"zh-CN": "服务质量看板", "en": "Quality dashboard"},
    "metrics.error.kpi_unknown": {"zh-CN": "未知指标：{kpi}", "en": "unknown KPI: {kpi}"},
    "metrics.error.dim_not_allowed": {"zh-CN": "指标 {kpi} 不能按维度 {dim} 切分",
                                      "en": "KPI {kpi} cannot be cut by dimension {dim}"},
    "metrics.error.dim_unknown": {"zh-CN": "未知维度：{dim}", "en": "unknown dimension: {dim}"},
    "metrics.error.range": {"zh-CN": "结束日期不能早于开始日期", "en": "end date is before start date"},
    "metrics.error.period": {"zh-CN": "周期必须是 hour/day/week/month 之一",
                             "en": "period must be one of hour/day/week/month"},
    "metrics.error.no_drill": {"zh-CN": "指标 {kpi} 没有可下钻的工单", "en": "KPI {kpi} has no orders to drill to"},
    "metrics.error.cut": {"zh-CN": "不支持该维度组合：{dims}",
                          "en": "this combination of dimensions is not kept: {dims}"},
    "metrics.error.month": {"zh-CN": "月份格式应为 YYYY-MM", "en": "month must be YYYY-MM"},
    "metrics.title": {"zh-CN": "服务质量看板", "en": "Service quality dashboard"},
    "metrics.target": {"zh-CN": "目标", "en": "Target"},
    "metrics.previous": {"zh-CN": "上期", "en": "Previous"},
    "metrics.change": {"zh-CN": "环比变化", "en": "Change"},
    "metrics.trend": {"zh-CN": "趋势", "en": "Trend"},
    "metrics.by_city": {"zh-CN": "地市分布", "en": "By city"},
    "metrics.by_province": {"zh-CN": "省份热力", "en": "Province heat grid"},
    "metrics.channel_mix": {"zh-CN": "渠道构成", "en": "Channel mix"},
    "metrics.categories": {"zh-CN": "投诉类别趋势", "en": "Complaint categories over time"},
    "metrics.breakdown": {"zh-CN": "分解", "en": "Breakdown"},
    "metrics.orders": {"zh-CN": "相关工单", "en": "Orders behind the number"},
    "metrics.order_id": {"zh-CN": "工单号", "en": "Order id"},
    "metrics.none": {"zh-CN": "暂无数据", "en": "no data"},
    "metrics.from": {"zh-CN": "开始", "en": "From"},
    "metrics.to": {"zh-CN": "结束", "en": "To"},
    "metrics.apply": {"zh-CN": "查询", "en": "Apply"},
    "metrics.download": {"zh-CN": "下载月报", "en": "Download monthly report"},
    "metrics.hotspots": {"zh-CN": "投诉热点", "en": "Complaint hotspots"},
    "status.green": {"zh-CN": "达标", "en": "on target"},
    "status.amber": {"zh-CN": "预警", "en": "near target"},
    "status.red": {"zh-CN": "未达标", "en": "off target"},
    "status.grey": {"zh-CN": "无数据", "en": "no data"},
}

# KPI names come from the registry (the one place a KPI is defined); dimension names are words here.
MESSAGES.update({f"kpi.{k.name}": {"zh-CN": k.zh, "en": k.en} for k in registry.KPIS})
MESSAGES.update({
    "dim.channel": {"zh-CN": "渠道", "en": "Channel"},
    "dim.province": {"zh-CN": "省份", "en": "Province"},
    "dim.city": {"zh-CN": "地市", "en": "City"},
    "dim.area_type": {"zh-CN": "城乡", "en": "Urban/rural"},
    "dim.team": {"zh-CN": "班组", "en": "Team"},
    "dim.agent": {"zh-CN": "坐席", "en": "Agent"},
    "dim.category": {"zh-CN": "类别", "en": "Category"},
    "dim.tier": {"zh-CN": "客户等级", "en": "Tier"},
    "dim.period": {"zh-CN": "周期", "en": "Period"},
    "metrics.axis_count": {"zh-CN": "数量", "en": "Count"},
    "metrics.axis_ratio": {"zh-CN": "比率", "en": "Rate"},
    "metrics.axis_rate": {"zh-CN": "每万户", "en": "Per 10k"},
    "metrics.filter": {"zh-CN": "筛选", "en": "Filter"},
    "metrics.pick_kpi": {"zh-CN": "请选择一个指标查看其相关工单", "en": "Pick a KPI to see the orders behind it"},
    "metrics.no_drill_kpis": {"zh-CN": "可下钻到工单的指标", "en": "KPIs with orders behind them"},
})
