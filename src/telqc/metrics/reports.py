"""Daily, weekly and monthly service-quality reports (Chinese): what a report says, built from the KPIs.

Every number comes from ``service.view`` — the same call the API answers — so a report and the
dashboard never disagree. ``report_render.py`` turns a built report into Excel and PDF files.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

from telqc.core import repository as core_repo
from telqc.core.context import Ctx
from telqc.inspection import schemas as qa_schemas
from telqc.inspection import store_visits
from telqc.metrics import hotspots, registry, service
from telqc.orders import service as orders

TREND_KPIS = ("offered", "service_level", "complaint_rate", "csat", "fcr")
TEAM_KPIS = ("fcr", "aht", "csat", "qa_score")
PERIOD_ZH = {"daily": "日报", "weekly": "周报", "monthly": "月报"}
DIM_ZH = {"category": "投诉类别", "city": "地市", "province": "省份", "channel": "渠道", "tier": "客户等级",
          "area_type": "城乡"}
STATUS_ZH = {"green": "达标", "amber": "预警", "red": "未达标", "grey": "无数据"}


def status_word(k: dict[str, Any]) -> str:
    """A KPI row's state as the report reads it: a value without a target is 无目标, not 无数据."""
    if k["status"] == "grey" and k.get("value") is not None and k.get("target") is None:
        return "无目标"
    return STATUS_ZH[k["status"]]


@dataclass
class Report:
    period: str
    label: str
    start: date
    end: date
    title: str
    kpis: list[dict[str, Any]]
    trend: dict[str, list[tuple[str, float | None]]]
    teams: list[dict[str, Any]]
    rises: list[hotspots.Rise]
    clusters: list[hotspots.Cluster]
    notes: list[str] = field(default_factory=list)
    labels: dict[str, str] = field(default_factory=dict)  # region and category names by code
    stores: qa_schemas.VisitSummary | None = None  # 营业厅检查与暗访 in the period (issue 19 §5)

    def name(self, code: str) -> str:
        return self.labels.get(code, code)


def period_bounds(period: str, day: date) -> tuple[date, date, str]:
    if period == "daily":
        return day, day, day.isoformat()
    if period == "weekly":
        start = day - timedelta(days=day.weekday())
        return start, start + timedelta(days=6), f"{start.isocalendar().year}-W{start.isocalendar().week:02d}"
    start = day.replace(day=1)
    end = (start + timedelta(days=32)).replace(day=1) - timedelta(days=1)
    return start, end, start.strftime("%Y-%m")


def duration(seconds: float) -> str:
    """A duration as people say it: 45 秒, 6 分 40 秒, 3 小时 47 分, 2 天 5 小时."""
    s = round(seconds)
    if s < 60:
        return f"{s} 秒"
    if s < 3600:
        return f"{s // 60} 分 {s % 60} 秒" if s % 60 else f"{s // 60} 分"
    m = round(seconds / 60)
    if m < 48 * 60:
        return f"{m // 60} 小时 {m % 60} 分" if m % 60 else f"{m // 60} 小时"
    h = round(seconds / 3600)
    return f"{h // 24} 天 {h % 24} 小时" if h % 24 else f"{h // 24} 天"


def fmt(unit: str, v: float | None) -> str:
    if v is None:
        return "—"
    if unit == "ratio":
        return f"{v * 100:.1f}%"
    if unit == "seconds":
        return duration(v)
    if unit in ("per_10k", "per_million", "score", "points", "variance"):
        return f"{v:,.2f}"
    return f"{v:,.0f}"


def build(ctx: Ctx, period: str, day: date | None = None) -> Report:
    today = service.local_today(ctx)
    start, end, label = period_bounds(period, day or today - timedelta(days=1))
    names = list(registry.KPI_MD)
    view = service.view(ctx, service.Query(kpis=names, start=start, end=end, period="day"))
    trend = {k["name"]: [(t["period"], t["value"]) for t in k["trend"]] for k in view["kpis"]
             if k["name"] in TREND_KPIS}
    teams_view = service.view(ctx, service.Query(kpis=list(TEAM_KPIS), start=start, end=end, group_by=["team"]))
    by_team: dict[str, dict[str, Any]] = {}
    for k in teams_view["kpis"]:
        for g in k["groups"]:
            if g["key"]["team"] != "0":
                by_team.setdefault(g["key"]["team"], {"team": g["key"]["team"]})[k["name"]] = g["value"]
    names_of = core_repo.team_names(ctx.session, [int(t) for t in by_team if t.isdigit()])
    for key, row in by_team.items():  # reports name teams, never their numbers
        row["team"] = names_of.get(int(key), f"班组 {key}") if key.isdigit() else key
    teams = sorted(by_team.values(), key=lambda t: (t.get("fcr") is None, -(t.get("fcr") or 0)))
    rises = hotspots.rises(ctx, start, end)
    clusters = hotspots.cluster_texts(hotspots.complaint_texts(ctx, start, end))
    red = [k for k in view["kpis"] if k["status"] == "red"]
    notes = ([f"未达标指标 {len(red)} 项：" + "、".join(k["zh"] for k in red)] if red
             else ["全部有数据的指标均达标或接近目标。"])
    if rises:
        notes.append(f"投诉率显著上升 {len(rises)} 处（双比例z检验，α=0.05）。")
    stores = _store_visits(ctx, start, end)
    if stores.visits:
        notes.append(f"营业厅检查与暗访 {stores.visits} 次，平均 {stores.average} 分。")
    notes.append("数据来源：指标汇总表（增量维护），口径见 KPI 注册表。")
    labels = {**service.region_names(ctx.session), **orders.category_names(ctx, "zh-CN")}  # a Chinese report
    return Report(period, label, start, end, f"服务质量{PERIOD_ZH[period]}（{label}）", view["kpis"], trend, teams,
                  rises, clusters, notes, labels, stores)


def _store_visits(ctx: Ctx, start: date, end: date) -> qa_schemas.VisitSummary:
    """The period's store visits, cut by the operator's local days like the KPIs."""
    tz = service.tz_of(ctx)
    since = datetime.combine(start, time.min, tz)
    until = datetime.combine(end + timedelta(days=1), time.min, tz)
    return store_visits.summary(ctx, since=since, until=until)
