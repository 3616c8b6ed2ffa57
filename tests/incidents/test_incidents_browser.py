"""Netops' main flow in a real browser: netops confirm a suspected incident, an agent sees the banner while
creating an order, the customer sees the incident's progress on their order, netops restore it and the
linked orders resolve."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from incidents.incidents_helpers import NetWorld
from orders.orders_helpers import staff
from telqc.core.rbac import Role

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page

pytestmark = pytest.mark.browser


def _signed_in(browser: Browser, base: str, username: str) -> Page:
    page = browser.new_context(viewport={"width": 1300, "height": 1000}).new_page()
    page.goto(f"{base}/login")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", "correct-horse-9")
    page.click("button[type=submit]")
    page.wait_for_url(f"{base}/")
    return page


def test_netops_confirm_agent_banner_customer_progress_restore(app: FastAPI, client: TestClient, live_server: str,
                                                               browser: Browser) -> None:
    w = NetWorld(app, client)
    complaints = w.complaints("440106", 10)
    inc = w.incidents()[0]
    caller = complaints[0]["customer_id"]
    staff(app, "cust_web", Role.customer, province=None, customer_id=caller)

    netops = _signed_in(browser, live_server, "net1")
    netops.goto(f"{live_server}/incidents")
    netops.click(f"#incident-list a[href='/incidents/{inc['id']}']")
    netops.wait_for_selector("#incident-status")
    assert netops.inner_text("#incident-status") == "疑似"
    netops.fill("form[data-to=confirmed] input[name=note]", "基站传输中断")
    netops.click("form[data-to=confirmed] button")
    netops.wait_for_selector("form[data-to=restored]")
    assert netops.inner_text("#incident-status") == "已确认"

    agent = _signed_in(browser, live_server, "agent1")
    agent.goto(f"{live_server}/orders/new?customer_id={caller}")
    agent.wait_for_selector(".incident-banner")
    assert "该区域有进行中的网络故障" in agent.inner_text("#incident-banner")
    agent.select_option("select[name=category]", "complaint.network")
    agent.fill("input[name=title]", "家里手机没信号")
    agent.fill("textarea[name=description]", "从下午两点开始没有信号")
    agent.click("#order-form button[type=submit]")
    agent.wait_for_url("**/orders/*")
    new_id = int(agent.url.rsplit("/", 1)[1])

    customer = _signed_in(browser, live_server, "cust_web")
    customer.goto(f"{live_server}/my/orders")
    customer.wait_for_selector(f"#my-order-{new_id} .incident-progress")
    assert "已确认" in customer.inner_text(f"#my-order-{new_id} .incident-progress")

    netops.reload()
    assert netops.inner_text("#linked-count") == "11"
    netops.click("form[data-to=restored] button")
    netops.wait_for_selector("form[data-to=verified]")
    assert netops.inner_text("#incident-status") == "已恢复"
    netops.reload()
    statuses = netops.locator("#linked-orders .status").all_inner_texts()
    assert len(statuses) == 11 and set(statuses) == {"已解决"}

    customer.reload()
    customer.wait_for_selector(f"#my-order-{new_id} .incident-progress")
    assert "已恢复" in customer.inner_text(f"#my-order-{new_id} .incident-progress")
