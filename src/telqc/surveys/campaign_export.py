"""A campaign's quarterly report as an Excel workbook (XlsxWriter): one sheet per dimension by province (with
the tier and channel cuts below), the low items, and the comments."""

from __future__ import annotations

import io
from collections.abc import Mapping, Sequence

import xlsxwriter

from telqc.core.i18n import t
from telqc.surveys import campaign_results as res
from telqc.surveys.models import SurveyCampaign

DIM_NAMES = {"attitude": "服务态度", "efficiency": "办理效率", "quality": "服务质量", "etiquette": "服务礼仪"}
CUT_NAMES = {"province": "省份", "channel": "服务渠道", "tier": "客户等级"}
COLUMNS = ["回复数", "均分", "加权均分", "满意率", "加权满意率", "是否低分项"]


def segment_name(cut: str, value: str, regions: Mapping[str, str]) -> str:
    if cut == "province":
        return regions.get(value, value)
    if value == "none":
        return "无接触"
    return t(f"{cut}.{value}", "zh-CN")


def workbook(c: SurveyCampaign, scores: Sequence[res.Score], regions: Mapping[str, str], counts: Mapping[str, int],
             limits: res.Thresholds, comments: Sequence[tuple[str, str, str]]) -> bytes:
    buf = io.BytesIO()
    book = xlsxwriter.Workbook(buf, {"in_memory": True})
    bold = book.add_format({"bold": True})
    head = book.add_format({"bold": True, "bg_color": "#E5EDFF", "border": 1})
    num = book.add_format({"num_format": "0.00"})
    pct = book.add_format({"num_format": "0.0%"})
    low = book.add_format({"font_color": "#B91C1C", "bold": True})

    summary = book.add_worksheet("概况")
    sent = sum(counts.values())
    answered = counts.get("answered", 0)
    for r, (k, v) in enumerate([("测评", c.name), ("周期", c.period_label), ("样本量", c.sampled), ("已回复", answered),
                                ("回复率", answered / sent if sent else 0), ("随机种子", c.seed),
                                ("单元最少回复数", limits.min_n), ("低分线（加权均分）", limits.low_mean),
                                ("低分线（加权满意率）", limits.low_share)]):
        summary.write(r, 0, k, bold)
        summary.write(r, 1, v, pct if k in ("回复率", "低分线（加权满意率）") else None)
    summary.write(10, 0, "加权：每条回复按所在分层的客户数 ÷ 该层该维度的回复数加权；回复数不足的单元只列回复数。")
    summary.set_column(0, 0, 22)
    summary.set_column(1, 1, 30)

    for dim in res.DIMENSIONS:
        sheet = book.add_worksheet(f"{DIM_NAMES[dim]}×省份")
        row = 0
        for cut in ("province", "tier", "channel"):
            sheet.write(row, 0, f"{DIM_NAMES[dim]} · 按{CUT_NAMES[cut]}", bold)
            row += 1
            for i, name in enumerate([CUT_NAMES[cut], *COLUMNS]):
                sheet.write(row, i, name, head)
            row += 1
            for cell in res.aggregate(scores, c.population, (cut,), limits):
                if cell.dimension != dim:
                    continue
                sheet.write(row, 0, segment_name(cut, cell.key[cut], regions))
                sheet.write(row, 1, cell.n)
                if cell.sufficient:
                    sheet.write(row, 2, cell.mean, num)
                    sheet.write(row, 3, cell.weighted_mean, num)
                    sheet.write(row, 4, cell.satisfied, pct)
                    sheet.write(row, 5, cell.weighted_satisfied, pct)
                    sheet.write(row, 6, "是" if cell.low else "", low)
                else:
                    sheet.write(row, 2, "样本不足")
                row += 1
            row += 1
        sheet.set_column(0, 6, 13)

    lows = book.add_worksheet("低分项")
    for i, name in enumerate(["维度", "分组", "取值", *COLUMNS[:5], "原因"]):
        lows.write(0, i, name, head)
    for r, cell in enumerate(res.low_items(scores, c.population, limits), start=1):
        cut, value = next(iter(cell.key.items()))
        reasons = "；".join({"mean": f"加权均分低于 {limits.low_mean:g}",
                            "share": f"加权满意率低于 {limits.low_share:.0%}"}[x] for x in cell.reasons)
        for i, v in enumerate([DIM_NAMES[cell.dimension], CUT_NAMES[cut], segment_name(cut, value, regions), cell.n]):
            lows.write(r, i, v)
        lows.write(r, 4, cell.mean, num)
        lows.write(r, 5, cell.weighted_mean, num)
        lows.write(r, 6, cell.satisfied, pct)
        lows.write(r, 7, cell.weighted_satisfied, pct)
        lows.write(r, 8, reasons)
    lows.set_column(0, 8, 13)

    notes = book.add_worksheet("意见建议")
    for i, name in enumerate(["省份", "客户等级", "意见建议"]):
        notes.write(0, i, name, head)
    for r, (province, tier, text) in enumerate(comments, start=1):
        notes.write_row(r, 0, [regions.get(province, province), segment_name("tier", tier, regions), text])
    notes.set_column(2, 2, 60)
    book.close()
    return buf.getvalue()
