"""Daily, weekly and monthly service-quality reports (Chinese): Excel with native charts, PDF with SVG charts.

Every number comes from ``service.view`` — the same call the API answers — so a report and the
dashboard never disagree.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from telqc.core.context import Ctx
from telqc.metrics import hotspots, registry, service

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
TREND_KPIS = ("offered", "service_level", "complaint_rate", "csat", "fcr")
TEAM_KPIS = ("fcr", "aht", "csat", "qa_score")
PERIOD_ZH = {"daily": "日报", "weekly": "周报", "monthly": "月报"}
STATUS_ZH = {"green": "达标", "amber": "预警", "red": "未达标", "grey": "无数据"}


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


def period_bounds(period: str, day: date) -> tuple[date, date, str]:
    if period == "daily":
        return day, day, day.isoformat()
    if period == "weekly":
        start = day - timedelta(days=day.weekday())
        return start, start + timedelta(days=6), f"{start.isocalendar().year}-W{start.isocalendar().week:02d}"
    start = day.replace(day=1)
    end = (start + timedelta(days=32)).replace(day=1) - timedelta(days=1)
    return start, end, start.strftime("%Y-%m")


def fmt(unit: str, v: float | None) -> str:
    if v is None:
        return "—"
    if unit == "ratio":
        return f"{v * 100:.1f}%"
    if unit == "seconds":
        return f"{v:,.0f} 秒"
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
    teams = sorted(by_team.values(), key=lambda t: (t.get("fcr") is None, -(t.get("fcr") or 0)))
    rises = hotspots.rises(ctx, start, end)
    clusters = hotspots.cluster_texts(hotspots.complaint_texts(ctx, start, end))
    red = [k for k in view["kpis"] if k["status"] == "red"]
    notes = ([f"未达标指标 {len(red)} 项：" + "、".join(k["zh"] for k in red)] if red
             else ["全部有数据的指标均达标或接近目标。"])
    if rises:
        notes.append(f"投诉率显著上升 {len(rises)} 处（双比例z检验，α=0.05）。")
    notes.append("数据来源：指标汇总表（增量维护），口径见 KPI 注册表。")
    return Report(period, label, start, end, f"服务质量{PERIOD_ZH[period]}（{label}）", view["kpis"], trend, teams,
                  rises, clusters, notes)


def to_xlsx(rep: Report) -> bytes:
    import xlsxwriter

    buf = io.BytesIO()
    wb = xlsxwriter.Workbook(buf, {"in_memory": True})
    h = wb.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1, "font_name": "WenQuanYi Micro Hei"})
    title = wb.add_format({"bold": True, "font_size": 16, "font_name": "WenQuanYi Micro Hei"})
    cell = wb.add_format({"border": 1, "font_name": "WenQuanYi Micro Hei"})
    num = wb.add_format({"border": 1, "num_format": "0.0000"})
    colors = {s: wb.add_format({"border": 1, "bg_color": c}) for s, c in
              {"green": "#C6EFCE", "amber": "#FFEB9C", "red": "#FFC7CE", "grey": "#EEEEEE"}.items()}

    ws = wb.add_worksheet("指标")
    ws.write(0, 0, rep.title, title)
    ws.write(1, 0, f"统计区间：{rep.start} 至 {rep.end}")
    cols = ["指标", "代码", "数值", "目标", "状态", "上期", "环比变化", "单位", "口径"]
    for c, name in enumerate(cols):
        ws.write(3, c, name, h)
    for r, k in enumerate(rep.kpis, start=4):
        ws.write(r, 0, k["zh"], cell)
        ws.write(r, 1, k["name"], cell)
        for c, key in ((2, "value"), (3, "target"), (5, "previous"), (6, "change")):
            if k[key] is not None:
                ws.write(r, c, k[key], num)
        ws.write(r, 4, STATUS_ZH[k["status"]], colors[k["status"]])
        ws.write(r, 7, k["unit"], cell)
        ws.write(r, 8, k["definition"], cell)
    ws.set_column(0, 0, 16)
    ws.set_column(1, 1, 26)
    ws.set_column(2, 7, 12)
    ws.set_column(8, 8, 40)

    ts = wb.add_worksheet("趋势")
    days = sorted({p for series in rep.trend.values() for p, _ in series})
    ts.write(0, 0, "日期", h)
    for c, name in enumerate(TREND_KPIS, start=1):
        ts.write(0, c, registry.BY_NAME[name].zh, h)
        values = dict(rep.trend.get(name, []))
        for r, d in enumerate(days, start=1):
            ts.write(r, 0, d)
            if values.get(d) is not None:
                ts.write(r, c, values[d])
    n = len(days)
    for i, name in enumerate(TREND_KPIS, start=1):
        chart = wb.add_chart({"type": "column" if name == "offered" else "line"})
        chart.add_series({"name": registry.BY_NAME[name].zh, "categories": ["趋势", 1, 0, max(n, 1), 0],
                          "values": ["趋势", 1, i, max(n, 1), i]})
        chart.set_title({"name": registry.BY_NAME[name].zh, "name_font": {"name": "WenQuanYi Micro Hei"}})
        chart.set_legend({"none": True})
        ts.insert_chart(1 + (i - 1) * 16, len(TREND_KPIS) + 2, chart)

    hs = wb.add_worksheet("投诉热点")
    for c, name in enumerate(["维度", "取值", "上期投诉", "本期投诉", "上期每万户", "本期每万户", "z值", "p值"]):
        hs.write(0, c, name, h)
    for r, x in enumerate(rep.rises, start=1):
        for c, v in enumerate([x.dimension, x.value, x.previous, x.current, x.previous_rate, x.current_rate, x.z,
                               x.p_value]):
            hs.write(r, c, v)
    base = len(rep.rises) + 3
    for c, name in enumerate(["问题聚类", "件数", "示例工单"]):
        hs.write(base, c, name, h)
    for r, cl in enumerate(rep.clusters, start=base + 1):
        hs.write_row(r, 0, [cl.name, cl.size, ", ".join(str(o) for o in cl.example_orders)])

    tm = wb.add_worksheet("班组")
    tm.write_row(0, 0, ["班组", *[registry.BY_NAME[k].zh for k in TEAM_KPIS]], h)
    for r, t in enumerate(rep.teams, start=1):
        tm.write(r, 0, t["team"])
        for c, k in enumerate(TEAM_KPIS, start=1):
            if t.get(k) is not None:
                tm.write(r, c, t[k])
    nt = wb.add_worksheet("说明")
    for r, note in enumerate(rep.notes):
        nt.write(r, 0, note)
    wb.close()
    return buf.getvalue()


def to_pdf(rep: Report) -> bytes:
    from weasyprint import HTML

    from telqc.metrics.report_pdf import render_html

    return HTML(string=render_html(rep)).write_pdf()
