"""A built report as files: Excel with native charts, and PDF from HTML whose charts are drawn
server-side as inline SVG (no browser, no JavaScript)."""

from __future__ import annotations

import io
from html import escape
from pathlib import Path

import xlsxwriter
from jinja2 import Environment, FileSystemLoader, select_autoescape
from markupsafe import Markup

from telqc.metrics import registry
from telqc.metrics.reports import DIM_ZH, TEAM_KPIS, TREND_KPIS, Report, fmt, status_word

# Excel number formats and unit names by KPI unit: a ratio reads 80.8%, not 0.8076923 (the audit's workbook)
UNIT_FORMAT = {"ratio": "0.0%", "count": "#,##0", "seconds": "#,##0", "per_10k": "0.00", "per_million": "0.00",
               "score": "0.00", "points": "0.00", "variance": "0.00"}
UNIT_ZH = {"ratio": "百分比", "count": "数量", "seconds": "秒", "per_10k": "每万户", "per_million": "每百万",
           "score": "分", "points": "分", "variance": "方差"}
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
TEMPLATES = Path(__file__).resolve().parent.parent / "web" / "templates"


def to_xlsx(rep: Report) -> bytes:
    buf = io.BytesIO()
    wb = xlsxwriter.Workbook(buf, {"in_memory": True})
    h = wb.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1, "font_name": "WenQuanYi Micro Hei"})
    title = wb.add_format({"bold": True, "font_size": 16, "font_name": "WenQuanYi Micro Hei"})
    cell = wb.add_format({"border": 1, "font_name": "WenQuanYi Micro Hei"})
    num = {unit: wb.add_format({"border": 1, "num_format": f}) for unit, f in UNIT_FORMAT.items()}
    plain = {unit: wb.add_format({"num_format": f}) for unit, f in UNIT_FORMAT.items()}
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
                ws.write(r, c, k[key], num.get(k["unit"], num["score"]))
        ws.write(r, 4, status_word(k), colors[k["status"]])
        ws.write(r, 7, UNIT_ZH.get(k["unit"], k["unit"]), cell)
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
                ts.write(r, c, values[d], plain.get(registry.BY_NAME[name].unit))
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
        for c, v in enumerate([DIM_ZH.get(x.dimension, x.dimension), rep.name(x.value), x.previous, x.current,
                               x.previous_rate, x.current_rate, x.z, x.p_value]):
            hs.write(r, c, v)
    if not rep.rises:
        hs.write(1, 0, "本期没有投诉率显著上升的类别或地市（与上一等长周期比较，双比例z检验，α=0.05）。")
    base = max(len(rep.rises), 1) + 3
    for c, name in enumerate(["问题聚类", "件数", "示例工单"]):
        hs.write(base, c, name, h)
    for r, cl in enumerate(rep.clusters, start=base + 1):
        hs.write_row(r, 0, [cl.name, cl.size, "、".join(f"#{o}" for o in cl.example_orders)])
    if not rep.clusters:
        hs.write(base + 1, 0, "本期投诉文本太少，未形成问题聚类。")
    hs.set_column(0, 1, 16)

    tm = wb.add_worksheet("班组")
    tm.write_row(0, 0, ["班组", *[registry.BY_NAME[k].zh + ("（秒）" if registry.BY_NAME[k].unit == "seconds" else "")
                                  for k in TEAM_KPIS]], h)
    for r, t in enumerate(rep.teams, start=1):
        tm.write(r, 0, t["team"])
        for c, name in enumerate(TEAM_KPIS, start=1):
            if t.get(name) is not None:
                tm.write(r, c, t[name], plain.get(registry.BY_NAME[name].unit))
    sv = wb.add_worksheet("营业厅检查")
    if rep.stores and rep.stores.visits:
        sv.write_row(0, 0, ["营业厅", "检查次数", "平均得分"], h)
        for r, st in enumerate(rep.stores.by_store, start=1):
            sv.write_row(r, 0, [st.name, st.visits, st.average])
        base = len(rep.stores.by_store) + 2
        sv.write_row(base, 0, ["失分最多的检查项", "累计失分"], h)
        for r, it in enumerate(rep.stores.top_lost, start=base + 1):
            sv.write_row(r, 0, [it.name, it.lost])
    else:
        sv.write(0, 0, "本期没有营业厅现场检查或暗访记录。")
    sv.set_column(0, 0, 22)
    nt = wb.add_worksheet("说明")
    for r, note in enumerate(rep.notes):
        nt.write(r, 0, note)
    wb.close()
    return buf.getvalue()




def svg_line(title: str, points: list[tuple[str, float | None]], unit: str, width: int = 520,
             height: int = 170) -> Markup:
    """A small line chart: enough to show a trend on paper."""
    pad_l, pad_b, pad_t = 48, 24, 22
    vals = [v for _, v in points if v is not None]
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" class="chart">',
             f'<text x="4" y="14" font-size="12" font-weight="bold">{escape(title)}</text>']
    if not vals:
        parts.append(f'<text x="{width / 2}" y="{height / 2}" font-size="11" text-anchor="middle">暂无数据</text>')
        return Markup("".join(parts) + "</svg>")
    lo, hi = min(0.0, min(vals)), max(vals)
    hi = hi if hi > lo else lo + 1
    scale = 100 if unit == "ratio" else 1
    n = max(len(points) - 1, 1)
    w, h = width - pad_l - 8, height - pad_t - pad_b

    def xy(i: int, v: float) -> tuple[float, float]:
        return pad_l + i * w / n, pad_t + h - (v - lo) / (hi - lo) * h

    parts.append(f'<line x1="{pad_l}" y1="{pad_t + h}" x2="{pad_l + w}" y2="{pad_t + h}" stroke="#999"/>')
    for frac in (0, 0.5, 1):
        v = lo + (hi - lo) * frac
        y = pad_t + h - frac * h
        parts.append(f'<text x="{pad_l - 4}" y="{y + 4:.1f}" font-size="9" text-anchor="end">{v * scale:.3g}</text>')
    coords = [xy(i, v) for i, (_, v) in enumerate(points) if v is not None]
    parts.append('<polyline fill="none" stroke="#0a66c2" stroke-width="1.8" points="'
                 + " ".join(f"{x:.1f},{y:.1f}" for x, y in coords) + '"/>')
    for i in (0, len(points) - 1):
        parts.append(f'<text x="{xy(i, lo)[0]:.1f}" y="{height - 6}" font-size="9" text-anchor="middle">'
                     f'{escape(points[i][0][5:])}</text>')
    return Markup("".join(parts) + "</svg>")


def render_html(rep: Report) -> str:
    env = Environment(loader=FileSystemLoader(str(TEMPLATES)), autoescape=select_autoescape(["html"]))
    charts = [svg_line(registry.BY_NAME[name].zh, series, registry.BY_NAME[name].unit)
              for name, series in rep.trend.items()]
    return env.get_template("metrics/report_pdf.html").render(
        rep=rep, charts=charts, fmt=fmt, status_word=status_word, dim_zh=DIM_ZH,
        team_kpis=[registry.BY_NAME[k] for k in TEAM_KPIS],
    )


def to_pdf(rep: Report) -> bytes:
    # WeasyPrint: 0.6 s at import (measured: python -X importtime), paid by the first PDF, not by every process
    from weasyprint import HTML  # noqa: PLC0415

    pdf: bytes = HTML(string=render_html(rep)).write_pdf()
    return pdf
