"""In a real browser (issue 23 acceptance): a customer signs in, sees their plan recommendation, files a fault and
follows it as an agent works it; the agent sees the customer's profile, the fault and the retention task."""

from __future__ import annotations

import html
import re
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import update

from helpers import create_customer, login, make_user
from telqc.core.clock import FrozenClock
from telqc.core.rbac import Role
from telqc.customers.models import Customer
from telqc.insight import scoring
from telqc.jobs.dispatch import job_ctx

from .test_retention_browser import sign_in

if TYPE_CHECKING:
    from playwright.sync_api import Browser


@pytest.mark.browser
def test_customer_sees_a_recommendation_files_a_fault_and_follows_it(
        app: FastAPI, client: TestClient, live_server: str, browser: Browser, artifacts: Path,
        clock: FrozenClock) -> None:
    make_user(app, "adm", Role.admin)
    make_user(app, "mgr", Role.manager)
    make_user(app, "gd1", Role.agent, ["440000"])
    c = create_customer(client, login(client, "adm"), name="陈静")
    make_user(app, "me", Role.customer, customer_id=c["id"])
    with app.state.sessionmaker() as s:
        s.execute(update(Customer).where(Customer.id == c["id"]).values(lifecycle="contract_expiring"))
        s.commit()
    with job_ctx(app.state.sessionmaker, clock, app.state.settings) as ctx:
        scoring.run(ctx)
    mgr = login(client, "mgr")
    drawn = client.post("/api/v1/insight/campaigns", json={"name": "合约到期挽留"}, headers=mgr).json()
    if drawn["treated"] == 0:  # the one customer fell in the holdout: draw another campaign
        client.post("/api/v1/insight/campaigns", json={"name": "合约到期挽留 2"}, headers=mgr)
    agent = login(client, "gd1")
    advice = client.get(f"/api/v1/insight/customers/{c['id']}/profile", headers=agent).json()["recommendation"]

    page = browser.new_page(viewport={"width": 390, "height": 844})  # the customer on a phone
    page.set_default_timeout(15_000)
    sign_in(page, live_server, "me", "/my")
    page.wait_for_selector("#plan-recommendation")
    assert advice["text"] in page.inner_text("#plan-recommendation"), "the same advice the agent's API gives"
    page.click("#self-file")
    page.select_option("#self-category", "repair.broadband")
    page.fill("#self-file-form input[name=title]", "宽带断网")
    page.fill("#self-file-form textarea[name=description]", "家里宽带从昨晚开始断网，光猫红灯一直闪")
    page.click("#self-file-submit")
    page.wait_for_selector("#filed-note")
    order_id = int(re.search(r"filed=(\d+)", page.url).group(1))  # type: ignore[union-attr]
    mine = page.locator(f"#my-order-{order_id}")
    assert "宽带断网" in mine.inner_text() and "新建" in mine.inner_text()
    page.screenshot(path=str(artifacts / "self_service_filed.png"), full_page=True)

    # the routed agent acknowledges it; the customer follows it on their progress page
    r = client.post(f"/api/v1/orders/{order_id}/transition", json={"to": "acknowledged"}, headers=agent)
    assert r.status_code == 200, r.text
    page.reload()
    assert "已受理" in page.locator(f"#my-order-{order_id} .status").inner_text()
    page.close()

    page = browser.new_page(viewport={"width": 1366, "height": 900})
    page.set_default_timeout(15_000)
    sign_in(page, live_server, "gd1", f"/customers/{c['id']}")
    page.wait_for_selector("#insight-profile")
    assert "客户画像" in page.inner_text("#insight-profile")
    assert html.unescape(advice["text"]) in page.inner_text("#plan-recommendation")
    assert "续约优惠" in page.inner_text("#retention-for-customer"), "the retention task on the profile"
    assert "宽带断网" in page.inner_text("main"), "the fault the customer filed is in the agent's view"
    page.close()
