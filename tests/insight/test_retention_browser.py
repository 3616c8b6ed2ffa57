"""In a real browser: an agent sees a retention task on /insight/tasks, opens the customer's profile, records
an outcome; the manager's board draws its charts (ECharts from a JSON block: the CSP allows no inline script)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import update

from helpers import PASSWORD, create_customer, login, make_user
from telqc.core.clock import FrozenClock
from telqc.core.rbac import Role
from telqc.customers.models import Customer
from telqc.insight import scoring
from telqc.jobs.dispatch import job_ctx

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page


def sign_in(page: Page, base: str, user: str, to: str) -> None:
    page.goto(f"{base}/login?next={to}")
    page.fill("input[name=username]", user)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")


@pytest.mark.browser
def test_agent_works_a_retention_task(app: FastAPI, client: TestClient, live_server: str, browser: Browser,
                                      artifacts: Path, clock: FrozenClock) -> None:
    make_user(app, "adm", Role.admin)
    make_user(app, "mgr", Role.manager)
    make_user(app, "gd1", Role.agent, ["440000"])
    c = create_customer(client, login(client, "adm"), name="刘芳")
    with app.state.sessionmaker() as s:
        s.execute(update(Customer).where(Customer.id == c["id"]).values(lifecycle="contract_expiring"))
        s.commit()
    with job_ctx(app.state.sessionmaker, clock, app.state.settings) as ctx:
        scoring.run(ctx)  # stored scores: the task and the 360 page show them
    rules = client.post("/api/v1/insight/campaigns", json={"name": "合约到期挽留"}, headers=login(client, "mgr"))
    assert rules.status_code == 201 and rules.json()["treated"] + rules.json()["held_out"] == 1
    if rules.json()["treated"] == 0:  # the one customer fell in the holdout: draw another campaign
        client.post("/api/v1/insight/campaigns", json={"name": "合约到期挽留 2"}, headers=login(client, "mgr"))

    page = browser.new_page(viewport={"width": 1366, "height": 900})
    sign_in(page, live_server, "gd1", "/")
    page.click("main a[href='/insight/tasks']")  # the home tile (the nav folds it under 更多)
    page.wait_for_selector("#task-list tr[data-task]")
    row = page.locator("#task-list tr[data-task]").first
    assert "刘芳" in row.inner_text() and "续约优惠" in row.inner_text() and "待处理" in row.inner_text()
    page.screenshot(path=str(artifacts / "retention_tasks.png"), full_page=True)
    row.locator(f"a[href='/customers/{c['id']}']").click()
    page.wait_for_selector("#insight-profile")
    assert "续约优惠" in page.inner_text("#retention-for-customer"), "the task is on the customer's profile too"
    assert "流失风险 0." in page.inner_text("#churn-risk")
    assert "流失风险 0." in page.inner_text("#retention-for-customer"), "the score the task was given with"
    page.click("#recommendation-decision button[value=accepted]")
    page.wait_for_selector("#offer-msg")
    assert "已记录：客户接受推荐" in page.inner_text("#offer-msg")
    page.screenshot(path=str(artifacts / "customer_360_churn.png"), full_page=True)
    page.goto(f"{live_server}/insight/tasks")
    page.wait_for_selector("#task-list form.outcome-form")
    page.select_option("#task-list form.outcome-form select[name=outcome]", "accepted")
    page.fill("#task-list form.outcome-form input[name=note]", "同意续约 5G129")
    page.click("#task-list form.outcome-form button[type=submit]")
    page.wait_for_selector("#task-list td.status:has-text('接受优惠')")
    assert "同意续约 5G129" in page.inner_text("#task-list")

    board = browser.new_page(viewport={"width": 1366, "height": 900})
    sign_in(board, live_server, "mgr", "/insight")
    board.wait_for_selector("#chart-stages canvas")
    assert "合约到期挽留" in board.inner_text("#campaign-table") and "挽留活动" in board.inner_text("#conversion")
    assert "坐席推荐" in board.inner_text("#conversion"), "the agent's accepted recommendation counts"
    # the manager draws a campaign from the board, then measures it with the button on its row
    board.fill("#campaign-run-form input[name=name]", "看板发起的挽留")
    board.click("#campaign-run-form button[type=submit]")
    board.wait_for_selector("#campaign-table tr:has-text('看板发起的挽留')")
    row = board.locator("#campaign-table tr:has-text('看板发起的挽留')")
    assert "尚未评估" in row.inner_text()
    row.locator("form.measure-form button").click()
    board.wait_for_selector("#campaign-table tr:has-text('看板发起的挽留') >> text=重新评估")
    assert "评估于" in board.locator("#campaign-table tr:has-text('看板发起的挽留')").inner_text()
    assert "挽回收入 =" in board.inner_text("#saved-formula")
    board.screenshot(path=str(artifacts / "insight_board.png"), full_page=True)
