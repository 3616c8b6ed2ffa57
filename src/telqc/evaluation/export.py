"""A run's grades and reward tiers as an Excel workbook (XlsxWriter), one row per agent, ranked by team."""

from __future__ import annotations

import io

import xlsxwriter

from telqc.evaluation import schemas as s
from telqc.evaluation.models import EvaluationRun

TIERS = {"reward": "奖励", "keep": "保持", "coach": "辅导", "help": "帮扶"}


def workbook(run: EvaluationRun, rows: list[s.ResultOut]) -> bytes:
    buf = io.BytesIO()
    book = xlsxwriter.Workbook(buf, {"in_memory": True})
    head = book.add_format({"bold": True, "bg_color": "#E5EDFF", "border": 1})
    sheet = book.add_worksheet("考评结果")
    sheet.write(0, 0, f"{run.name}（{run.period_start} 至 {run.period_end}）", book.add_format({"bold": True}))
    parts = [p.name for p in rows[0].parts] if rows else []
    columns = ["班组", "组内排名", "坐席", "总分", "等级", "奖励档", *parts, "封顶原因", "申诉调整"]
    for i, name in enumerate(columns):
        sheet.write(2, i, name, head)
    for r, x in enumerate(rows, start=3):
        values = [x.team or "未分组", f"{x.rank_in_team}/{x.team_size}", x.agent, x.total, x.grade,
                  TIERS.get(x.tier, x.tier), *[f"{p.shown}（{p.points:.1f}分）" if p.points is not None else "无数据"
                                               for p in x.parts],
                  "致命差错" if "fatal" in x.capped_by else "", "是" if x.adjusted else ""]
        for c, v in enumerate(values):
            sheet.write(r, c, v)
    sheet.set_column(0, len(columns), 14)
    book.close()
    return buf.getvalue()
