"""Monthly report in Excel (native charts) and PDF (SVG charts): values match the API, pages render."""

from __future__ import annotations

import io
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from openpyxl import Workbook, load_workbook
from typer.testing import CliRunner

from helpers import login, make_user
from metrics.metrics_factories import SUBSCRIBERS, Ev, emit_all, october_events, set_subscribers
from telqc.cli import app as cli
from telqc.core.rbac import Role
from telqc.core.settings import Settings, get_settings

OCT = {"from": "2026-10-01", "to": "2026-10-31"}


# the month's complaints under configured categories, as the orders domain files them (the factories' short
# codes have no name: the report must show the one the category is configured with)
CONFIGURED = {"signal": "complaint.network", "billing": "complaint.billing"}


def _configured(events: list[Ev]) -> list[Ev]:
    for _kind, _entity, _id, payload in events:
        d = payload.get("dims") or {}
        if d.get("category") in CONFIGURED:
            d["category"] = CONFIGURED[d["category"]]
    return events


@pytest.fixture
def loaded(app: FastAPI) -> FastAPI:
    set_subscribers(app, SUBSCRIBERS)
    emit_all(app, _configured(october_events()))
    make_user(app, "mgr", Role.manager)
    return app


def test_xlsx_matches_api(loaded: FastAPI, client: TestClient) -> None:
    h = login(client, "mgr")
    r = client.get("/api/v1/metrics/reports/monthly", params={"day": "2026-10-15", "format": "xlsx"}, headers=h)
    assert r.status_code == 200 and "2026-10" in r.headers["content-disposition"]
    wb = load_workbook(io.BytesIO(r.content))
    assert wb.sheetnames == ["指标", "趋势", "投诉热点", "班组", "营业厅检查", "说明"]
    ws = wb["指标"]
    assert ws["A1"].value == "服务质量月报（2026-10）"
    rows = {ws.cell(row=i, column=2).value: i for i in range(5, ws.max_row + 1)}
    api = client.get("/api/v1/metrics", params={"kpi": ["complaint_rate", "fcr", "aht", "offered", "csat"], **OCT},
                     headers=h).json()["kpis"]
    for k in api:
        row = rows[k["name"]]
        got = ws.cell(row=row, column=3).value
        assert (got is None and k["value"] is None) or got == pytest.approx(k["value"]), k["name"]
        word = {"green": "达标", "amber": "预警", "red": "未达标", "grey": "无数据"}[k["status"]]
        if k["status"] == "grey" and k["value"] is not None and k["target"] is None:
            word = "无目标"  # a count with a value has no target: not 无数据 (audit)
        assert ws.cell(row=row, column=5).value == word, k["name"]
    assert ws.cell(row=rows["offered"], column=5).value == "无目标"
    assert len(wb["趋势"]._charts) == 5, "native Excel charts"
    # ratios as percentages, counts whole, units named in Chinese (the audit found 0.8076923 and "count")
    assert ws.cell(row=rows["fcr"], column=3).number_format == "0.0%"
    assert ws.cell(row=rows["offered"], column=3).number_format == "#,##0"
    assert (ws.cell(row=rows["fcr"], column=8).value, ws.cell(row=rows["aht"], column=8).value) == ("百分比", "秒")
    trend = wb["趋势"]
    fcr_col = next(c for c in range(2, trend.max_column + 1) if trend.cell(row=1, column=c).value == "首次解决率")
    assert trend.cell(row=2, column=fcr_col).number_format == "0.0%"
    assert "平均处理时长（秒）" in [c.value for c in wb["班组"][1]]
    hot = wb["投诉热点"]
    assert (hot["A2"].value, hot["B2"].value) == ("地市", "深圳市")  # the biggest rise first, by name
    named = {(hot.cell(row=i, column=1).value, hot.cell(row=i, column=2).value) for i in range(2, 6)}
    assert ("投诉类别", "网络质量") in named, named  # the category's name, not complaint.network (audit)
    assert not any(str(v).startswith("complaint") for row in hot.iter_rows(values_only=True) for v in row if v)
    assert any("信号" in str(c.value) for c in hot["A"] if c.value)       # a named complaint cluster
    teams = [wb["班组"].cell(row=i, column=1).value for i in range(2, wb["班组"].max_row + 1)]
    assert sorted(teams) == ["广东热线一组", "广东热线二组"], "teams by name, never their numbers"


@pytest.mark.skipif(not shutil.which("pdftoppm"), reason="poppler-utils (pdftoppm) not installed")
def test_pdf_pages_and_text(loaded: FastAPI, client: TestClient, tmp_path: Path) -> None:
    r = client.get("/api/v1/metrics/reports/monthly", params={"day": "2026-10-15", "format": "pdf"},
                   headers=login(client, "mgr"))
    assert r.status_code == 200 and r.content.startswith(b"%PDF")
    pdf = tmp_path / "report.pdf"
    pdf.write_bytes(r.content)
    subprocess.run(["pdftoppm", "-png", "-r", "40", str(pdf), str(tmp_path / "page")], check=True)
    pages = sorted(tmp_path.glob("page*.png"))
    assert 2 <= len(pages) <= 6
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], check=True, capture_output=True,
                          text=True).stdout
    for words in ("服务质量月报（2026-10）", "投诉率", "关键指标与目标", "投诉热点", "班组表现", "未达标", "网络质量"):
        assert words in text, words
    assert "complaint." not in text, "categories by name in the hotspot table"
    assert f"共{len(pages)}页" in text.replace(" ", "")
    assert not re.search(r"\d{1,3}(,\d{3})+ 秒", text), "durations in 小时/分钟, never thousands of seconds"


def test_the_hotspot_sheet_names_categories_in_chinese_for_any_reader(loaded: FastAPI, client: TestClient) -> None:
    """The report is a Chinese document: an English browser's download names the category 网络质量 too, not
    "Network quality" under the heading 投诉类别."""
    r = client.get("/api/v1/metrics/reports/monthly", params={"day": "2026-10-15", "format": "xlsx"},
                   headers={**login(client, "mgr"), "Accept-Language": "en"})
    assert r.status_code == 200
    hot = load_workbook(io.BytesIO(r.content))["投诉热点"]
    values = {hot.cell(row=i, column=2).value for i in range(2, 6)}
    assert "网络质量" in values and "Network quality" not in values, values


def test_agents_cannot_download_reports(app: FastAPI, client: TestClient) -> None:
    make_user(app, "ag", Role.agent)
    r = client.get("/api/v1/metrics/reports/monthly", headers=login(client, "ag"))
    assert r.status_code == 403


def _cells(wb: Workbook) -> dict[str, list[list[object]]]:
    return {ws.title: [[c.value for c in row] for row in ws.iter_rows()] for ws in wb.worksheets}


def test_report_commands_write_the_workbook_the_api_serves(loaded: FastAPI, client: TestClient, settings: Settings,
                                                           monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """``telqc report monthly`` and its long form ``telqc metrics report`` write the same report."""
    monkeypatch.setenv("TELQC_DATABASE_URL", settings.database_url)
    monkeypatch.setenv("TELQC_DATA_DIR", str(settings.data_dir))
    get_settings.cache_clear()
    try:
        short = CliRunner().invoke(cli, ["report", "monthly", "--month", "2026-10", "--out", str(tmp_path / "a.xlsx")])
        long = CliRunner().invoke(cli, ["metrics", "report", "--month", "2026-10", "--out", str(tmp_path / "b.xlsx")])
        wrong = CliRunner().invoke(cli, ["report", "weekly", "--day", "2026-10-15", "--format", "doc"])
    finally:
        get_settings.cache_clear()
    assert short.exit_code == 0 and long.exit_code == 0, short.output + long.output
    assert wrong.exit_code == 2 and "--format xlsx|pdf" in wrong.output
    api = client.get("/api/v1/metrics/reports/monthly", params={"day": "2026-10-15"}, headers=login(client, "mgr"))
    served = _cells(load_workbook(io.BytesIO(api.content)))
    assert _cells(load_workbook(tmp_path / "a.xlsx")) == served == _cells(load_workbook(tmp_path / "b.xlsx"))


@pytest.mark.parametrize(("seconds", "said"), [(45, "45 秒"), (400, "6 分 40 秒"), (360, "6 分"),
                                               (13_598, "3 小时 47 分"), (7200, "2 小时"), (190_000, "2 天 5 小时")])
def test_durations_read_as_people_say_them(seconds: float, said: str) -> None:
    from telqc.metrics.reports import duration
    assert duration(seconds) == said
