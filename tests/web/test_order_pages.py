"""Browser: an agent takes a complaint from creation to the closed loop; the customer follows it."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from helpers import create_customer, login, make_user
from telqc.core.rbac import Role

if TYPE_CHECKING:  # playwright is imported by the browser fixture, when a browser test runs
    from playwright.sync_api import Browser, Page

pytestmark = pytest.mark.browser


def _sign_in(browser: Browser, base: str, username: str, target: str) -> Page:
    page = browser.new_page()
    page.goto(f"{base}/login?next={target}")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", "correct-horse-9")
    page.click("button[type=submit]")
    page.wait_for_url(f"{base}{target}")
    return page


def _act(page: Page, to: str, **fields: str) -> None:
    form = page.locator(f"form.action[data-to={to}]")
    for name, value in fields.items():
        if name == "solution_code":
            form.locator("select[name=solution_code]").select_option(value)
        else:
            form.locator(f"[name={name}]").fill(value)
    form.locator("button").click()
    page.wait_for_load_state()


def test_complaint_closed_loop_in_the_browser(app: FastAPI, client: TestClient, live_server: str, browser: Browser,
                                              artifacts: Path) -> None:
    make_user(app, "adm", Role.admin)
    make_user(app, "agent", Role.agent, region_scope=["440000"])
    make_user(app, "lead", Role.supervisor, region_scope=["440000"])
    customer = create_customer(client, login(client, "adm"))
    make_user(app, "cust", Role.customer, customer_id=customer["id"])
    client.post("/api/v1/kb/solutions", headers=login(client, "lead"), json={
        "code": "NET_OPTIMIZE", "title": "基站参数优化", "answer": "已优化附近基站参数，信号已恢复。"})

    agent = _sign_in(browser, live_server, "agent", f"/customers/{customer['id']}")
    agent.click("#new-order")
    agent.wait_for_selector("#order-form")
    agent.select_option("select[name=type]", "complaint")
    agent.select_option("select[name=category]", "complaint.network")
    agent.fill("input[name=title]", "小区手机信号差")
    agent.fill("textarea[name=description]", "家里手机信号一直很差，经常打不通电话")
    agent.click("#order-form button[type=submit]")
    agent.wait_for_selector("#order-status")
    order_url = agent.url
    assert agent.inner_text("#order-status") == "新建"

    _act(agent, "acknowledged")
    assert agent.inner_text("#order-status") == "已受理"
    _act(agent, "in_progress", reason="已联系网络部核查")
    agent.fill("#reply", "您好，我们已安排网络部门核查您所在小区的信号。")
    agent.check("#note-form input[name=public]")
    agent.click("#note-form button")
    agent.wait_for_load_state()
    _act(agent, "resolved", solution_code="NET_OPTIMIZE", reason="基站参数已优化")
    assert agent.inner_text("#order-status") in ("已解决", "待回访")
    agent.screenshot(path=str(artifacts / "order_detail_agent.png"), full_page=True)
    assert "callback-form" not in agent.content(), "the agent does not record the callback themselves"

    lead = _sign_in(browser, live_server, "lead", order_url.removeprefix(live_server))
    lead.select_option("#callback-form select[name=outcome]", "satisfied")
    lead.click("#callback-form button")
    lead.wait_for_load_state()
    assert lead.inner_text("#order-status") == "已关闭"
    timeline = lead.inner_text("#timeline")
    assert "基站参数已优化" in timeline and "已安排网络部门核查" in timeline

    me = _sign_in(browser, live_server, "cust", "/my/orders")
    mine = me.inner_text("main")
    assert "小区手机信号差" in mine and "已关闭" in mine
    assert "已安排网络部门核查" in mine, "public note visible to the customer"
    assert "已联系网络部核查" not in mine, "internal reasons are not shown to the customer"
