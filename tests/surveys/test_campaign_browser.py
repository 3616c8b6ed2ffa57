"""A quarterly satisfaction campaign in a real browser: the manager creates and sends it, customers answer on
the mobile questionnaire, the results page draws the dimensions by province and a low item opens a plan."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from helpers import PASSWORD, make_user
from surveys.campaign_data import GD
from telqc.core.rbac import Role
from telqc.surveys import channels

if TYPE_CHECKING:
    from playwright.sync_api import Browser

SLOW = {"attitude": 4, "efficiency": 2, "quality": 4, "etiquette": 5}  # satisfied, but not with the wait


@pytest.mark.browser
def test_manager_sends_a_campaign_customers_answer_and_a_low_item_opens_a_plan(
        app: FastAPI, client: TestClient, live_server: str, browser: Browser, artifacts: Path,
        people: dict[int, tuple[str, str]], outbox: channels.RecordingChannel) -> None:
    make_user(app, "mgr", Role.manager)
    page = browser.new_page(viewport={"width": 1366, "height": 900})
    page.goto(f"{live_server}/login?next=/surveys/campaigns")
    page.fill("input[name=username]", "mgr")
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_selector("#campaign-form")
    form = page.locator("#campaign-form")
    form.locator("input[name=name]").fill("2026年第四季度满意度测评")
    form.locator("select[name=period_kind]").select_option("quarter")
    form.locator("input[name=period_label]").fill("2026Q4")
    form.locator("input[name=strata][value=tier]").uncheck()
    form.locator("input[name=sample_size]").fill("20")
    form.locator("input[name=min_per_stratum]").fill("2")
    form.locator("input[name=seed]").fill("7")
    form.locator("input[name=min_cell_n]").fill("4")
    form.locator("button[type=submit]").click()
    page.wait_for_selector("#campaign-status:has-text('草稿')")
    page.click("#send")
    page.wait_for_selector("#campaign-status:has-text('调查中')")
    assert len(outbox.sent) == 20

    gd = [m.link for m in outbox.sent if people[m.customer_id][0] == GD]
    assert len(gd) >= 5, "Guangdong holds two thirds of the customers"
    customer = browser.new_page(viewport={"width": 390, "height": 844})  # the invitation opens on a phone
    customer.goto(f"{live_server}{gd[0]}")
    for dim, score in SLOW.items():
        customer.check(f"input[name={dim}][value='{score}']")
    customer.fill("textarea[name=comment]", "营业厅排队太久，等了四十分钟")
    customer.click("#campaign-survey button[type=submit]")
    customer.wait_for_selector("#survey-done")
    customer.screenshot(path=str(artifacts / "campaign_questionnaire.png"), full_page=True)
    customer.goto(f"{live_server}{gd[0]}")
    assert customer.locator("#campaign-survey").count() == 0, "a link answers once"
    for link in gd[1:4]:  # three more answers, through the API the app uses
        r = client.post(f"/api/v1/survey-campaigns/answers/{link.removeprefix('/sq/')}", json=SLOW)
        assert r.status_code == 200, r.text

    page.reload()
    page.wait_for_selector("#answered:has-text('4')")
    page.wait_for_selector("#chart-efficiency canvas")  # the page's CSP refuses eval: wait for the element
    low = page.locator(f"#low-items tr.low-item[data-dimension=efficiency][data-province='{GD}']")
    assert low.count() == 1 and "办理效率" in low.inner_text() and "广东省" in low.inner_text()
    assert "营业厅排队太久" in page.inner_text("#comments")
    page.screenshot(path=str(artifacts / "campaign_results.png"), full_page=True)
    low.locator("a.button").click()
    page.wait_for_selector("input[name=title]")
    assert page.input_value("input[name=title]") == "提升广东省办理效率满意度"
    assert "2026年第四季度满意度测评" in page.input_value("textarea[name=problem]")
