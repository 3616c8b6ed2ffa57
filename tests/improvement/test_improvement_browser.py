"""One full PDCA cycle in a real browser: a KPI below target → plan → actions done → effect shown → rolled out."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from fastapi import FastAPI

from helpers import PASSWORD, make_user
from improvement.improvement_data import GD, ZJ, csat_history
from telqc.core.rbac import Role

if TYPE_CHECKING:
    from playwright.sync_api import Browser


@pytest.mark.browser
def test_manager_runs_one_pdca_cycle_from_the_board(app: FastAPI, live_server: str, browser: Browser,
                                                    artifacts: Path) -> None:
    make_user(app, "mgr", Role.manager)
    csat_history(app, {GD: (0.70, 0.85), ZJ: (0.72, 0.72)})
    page = browser.new_page(viewport={"width": 1366, "height": 900})
    page.goto(f"{live_server}/login?next=/improvement")
    page.fill("input[name=username]", "mgr")
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_selector("#below-target")
    assert "客户满意度" in page.inner_text("#below-target"), "CSAT is below its 90% target"
    page.screenshot(path=str(artifacts / "improvement_board.png"), full_page=True)

    page.click("#below-target a.open-from-kpi[data-kpi=csat]")
    page.wait_for_selector("#plan-form")
    assert page.input_value("input[name=title]") == "提升客户满意度"
    page.fill("textarea[name=problem]", "广东热线满意度连续两月低于 90% 目标")
    page.select_option("select[name=province]", GD)
    page.select_option("select[name=comparison]", ZJ)
    page.fill("input[name=baseline_start]", "2026-09-08")
    page.fill("input[name=baseline_end]", "2026-10-05")
    page.click("#plan-form button[type=submit]")
    page.wait_for_selector("#plan-state")
    assert page.inner_text("#plan-state") == "计划（P）" and page.inner_text("#plan-scope") == "广东省"

    page.select_option("#analysis-form select[name=root_cause]", "people")
    page.fill("#analysis-form textarea[name=why]", "客户不满意\n问题没解决\n坐席不熟悉新资费\n培训未覆盖新资费")
    page.click("#analysis-form button[type=submit]")
    page.wait_for_selector("#root-cause")
    page.fill("#action-form input[name=title]", "新资费专项培训")
    page.fill("#action-form input[name=due_on]", "2026-10-05")
    page.click("#action-form button[type=submit]")
    page.wait_for_selector("#actions tr[data-action]")
    page.click("#plan-moves button.to-doing")
    page.wait_for_selector("#plan-state:has-text('执行（D）')")
    page.click("#actions button.done")
    page.wait_for_selector("#plan-moves button.to-checking")
    page.click("#plan-moves button.to-checking")
    page.wait_for_selector("#measure-form")
    assert page.input_value("#measure-form input[name=after_start]") == "2026-10-06"
    page.click("#measure-form button[type=submit]")
    page.wait_for_selector("#verdict")
    assert "有效" in page.inner_text("#verdict") and "双重差分" in page.inner_text("#verdict")
    page.wait_for_selector("#chart-effect canvas")  # not wait_for_function: the page's CSP refuses eval
    page.screenshot(path=str(artifacts / "improvement_effect.png"), full_page=True)

    page.click("#plan-moves button.to-standardised")
    page.wait_for_selector("#next-form")
    page.select_option("#next-form select[name=province]", ZJ)
    page.click("#next-form button[type=submit]")
    page.wait_for_selector("#parent-link")
    assert page.inner_text("#plan-scope") == "浙江省" and page.inner_text("#plan-state") == "计划（P）"
    assert "新资费专项培训" in page.inner_text("#actions"), "the measures travel with the roll-out"
    page.click("#parent-link")
    page.wait_for_selector("#children")
    assert page.inner_text("#plan-state") == "已关闭"
