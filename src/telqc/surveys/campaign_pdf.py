"""A campaign's quarterly report as a PDF (WeasyPrint over HTML), the same tables as the Excel workbook: the
summary, each dimension by province, tier and channel, the low items, and the comments (管理规范手册 8.3.2:
satisfaction evaluated each quarter or half-year, with a report managers read)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, select_autoescape

from telqc.surveys import campaign_results as res
from telqc.surveys.campaign_export import CUT_NAMES, DIM_NAMES, segment_name
from telqc.surveys.models import SurveyCampaign

TEMPLATES = Path(__file__).resolve().parent.parent / "web" / "templates"
CUTS = ("province", "tier", "channel")


def render_html(c: SurveyCampaign, scores: Sequence[res.Score], regions: Mapping[str, str],
                counts: Mapping[str, int], limits: res.Thresholds, comments: Sequence[tuple[str, str, str]]) -> str:
    sent = sum(counts.values())
    answered = counts.get("answered", 0)
    tables = [(dim, cut, [(segment_name(cut, x.key[cut], regions), x)
                          for x in res.aggregate(scores, c.population, (cut,), limits) if x.dimension == dim])
              for dim in res.DIMENSIONS for cut in CUTS]
    lows = []
    for x in res.low_items(scores, c.population, limits):
        cut, value = next(iter(x.key.items()))
        why = "；".join({"mean": f"加权均分低于 {limits.low_mean:g}",
                        "share": f"加权满意率低于 {limits.low_share:.0%}"}[r] for r in x.reasons)
        lows.append((DIM_NAMES[x.dimension], CUT_NAMES[cut], segment_name(cut, value, regions), x, why))
    env = Environment(loader=FileSystemLoader(str(TEMPLATES)), autoescape=select_autoescape(["html"]))
    return env.get_template("surveys/campaign_report_pdf.html").render(
        c=c, sent=sent, answered=answered, rate=answered / sent if sent else 0.0, limits=limits, tables=tables,
        lows=lows, dims=DIM_NAMES, cuts=CUT_NAMES,
        comments=[(regions.get(p, p), segment_name("tier", t, regions), text) for p, t, text in comments])


def document(c: SurveyCampaign, scores: Sequence[res.Score], regions: Mapping[str, str], counts: Mapping[str, int],
             limits: res.Thresholds, comments: Sequence[tuple[str, str, str]]) -> bytes:
    # WeasyPrint: 0.6 s at import, paid by the first PDF, not by every process that serves the API
    from weasyprint import HTML  # noqa: PLC0415

    pdf: bytes = HTML(string=render_html(c, scores, regions, counts, limits, comments)).write_pdf()
    return pdf
