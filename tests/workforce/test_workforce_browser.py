"""The planner's pages in a real browser: the demo's forecast chart and gap heat map draw, and the supervisor's
what-if answers in place (HTMX)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from fastapi import FastAPI

from helpers import PASSWORD, make_user
from telqc.core.rbac import Role
from workforce.workforce_data import seed

if TYPE_CHECKING:
    from playwright.sync_api import Browser


@pytest.mark.browser
def test_planner_charts_and_intraday_what_if(app: FastAPI, live_server: str, browser: Browser,
                                             artifacts: Path) -> None:
    make_user(app, "mgr", Role.manager)
    seed(app)
    page = browser.new_page(viewport={"width": 1366, "height": 900})
    page.goto(f"{live_server}/login?next=/workforce")
    page.fill("input[name=username]", "mgr")
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_selector("#forecast-meta")
    page.wait_for_selector("#chart-forecast canvas")  # not wait_for_function: the page's CSP refuses eval
    page.wait_for_selector("#chart-gap canvas")
    assert "早班" in page.inner_text("#roster-day")
    page.screenshot(path=str(artifacts / "workforce_planner.png"), full_page=True)

    page.goto(f"{live_server}/workforce/intraday")
    page.wait_for_selector("#suggestions li")
    page.fill("#what-if-form input[name=agents]", "10")
    page.click("#what-if-form button[type=submit]")
    page.wait_for_selector("#what-if-answer")
    assert "未达标" in page.inner_text("#what-if-result")
    page.screenshot(path=str(artifacts / "workforce_intraday.png"), full_page=True)
