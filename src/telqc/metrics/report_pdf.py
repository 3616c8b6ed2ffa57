"""The PDF report's HTML, with charts drawn server-side as inline SVG (no browser, no JavaScript)."""

from __future__ import annotations

from html import escape
from pathlib import Path
from typing import TYPE_CHECKING

from jinja2 import Environment, FileSystemLoader, select_autoescape
from markupsafe import Markup

from telqc.metrics import registry

if TYPE_CHECKING:
    from telqc.metrics.reports import Report

TEMPLATES = Path(__file__).resolve().parent.parent / "web" / "templates"


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
    from telqc.metrics.reports import STATUS_ZH, TEAM_KPIS, fmt

    env = Environment(loader=FileSystemLoader(str(TEMPLATES)), autoescape=select_autoescape(["html"]))
    charts = [svg_line(registry.BY_NAME[name].zh, series, registry.BY_NAME[name].unit)
              for name, series in rep.trend.items()]
    return env.get_template("metrics/report_pdf.html").render(
        rep=rep, charts=charts, fmt=fmt, status_zh=STATUS_ZH, team_kpis=[registry.BY_NAME[k] for k in TEAM_KPIS],
    )
