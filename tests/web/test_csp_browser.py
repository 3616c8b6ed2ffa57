"""Browser: every main page under the strict Content-Security-Policy, with no violation, and the scripts still work.

The policy refuses inline script and style; a page that still had some would log a violation here (and a
chart or an HTMX panel would stay empty). Chromium reports each refusal as a ``securitypolicyviolation``
event, collected by a script Playwright injects before the page's own."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from helpers import create_customer, login, make_user
from metrics.metrics_factories import SUBSCRIBERS, emit_all, october_events, set_subscribers
from telqc.core import events
from telqc.core.clock import FrozenClock
from telqc.core.context import Ctx
from telqc.core.rbac import Role
from telqc.core.settings import Settings
from telqc.core.uow import UnitOfWork

if TYPE_CHECKING:  # playwright is imported by the browser fixture, when a browser test runs
    from playwright.sync_api import Browser, BrowserContext, Page

pytestmark = pytest.mark.browser

RANGE = "from=2026-10-01&to=2026-10-31"
PHONE = "13612345678"
ANSWER = "您好，已为您派单装维工程师上门检修光纤，预计24小时内联系您。"
WATCH = """
window.__csp = [];
document.addEventListener("securitypolicyviolation",
  (e) => window.__csp.push(`${e.violatedDirective} ${e.blockedURI || "inline"} ${e.sourceFile}:${e.lineNumber}`));
"""


class Watched:
    """A signed-in browser context that records every CSP violation and console error of its pages."""

    def __init__(self, browser: Browser, base: str, username: str | None) -> None:
        self.base = base
        self.context: BrowserContext = browser.new_context(viewport={"width": 1400, "height": 1000})
        self.context.add_init_script(WATCH)
        self.console: list[str] = []
        self.page = self.context.new_page()
        self.page.on("console", lambda m: self.console.append(f"{m.type}: {m.text}") if m.type == "error" else None)
        if username:
            self.page.goto(f"{base}/login")
            self.page.fill("input[name=username]", username)
            self.page.fill("input[name=password]", "correct-horse-9")
            self.page.click("button[type=submit]")
            self.page.wait_for_url(f"{base}/")

    def visit(self, path: str, ready: str | None = None) -> Page:
        resp = self.page.goto(self.base + path)
        assert resp is not None and resp.status < 500, f"{path}: {resp.status if resp else None}"
        assert "script-src 'self';" in (resp.headers.get("content-security-policy") or ""), f"{path}: no strict CSP"
        self.page.wait_for_load_state("load")
        if ready:
            self.page.wait_for_selector(ready)
        self.assert_clean(path)
        return self.page

    def assert_clean(self, where: str) -> None:
        violations = self.page.evaluate("window.__csp")
        assert violations == [], f"{where}: CSP violations {violations}"
        csp_console = [m for m in self.console if "Content Security Policy" in m]
        assert csp_console == [], f"{where}: {csp_console}"


@pytest.fixture
def world(app: FastAPI, client: TestClient, clock: FrozenClock, settings: Settings) -> dict[str, Any]:
    set_subscribers(app, SUBSCRIBERS)
    emit_all(app, october_events())
    make_user(app, "adm", Role.admin)
    make_user(app, "agent", Role.agent, region_scope=["440000"])
    make_user(app, "lead", Role.supervisor, region_scope=["440000"])
    adm, lead = login(client, "adm"), login(client, "lead")
    customer = create_customer(client, adm, phone=PHONE)
    make_user(app, "cust", Role.customer, customer_id=customer["id"])
    order = client.post("/api/v1/orders", headers=adm, json={
        "type": "complaint", "category": "complaint.billing", "customer_id": customer["id"], "channel": "hotline",
        "title": "话费多扣", "description": "本月话费多扣了30元，要求退还"}).json()
    client.post("/api/v1/kb/solutions", headers=lead, json={
        "code": "DISPATCH_FIBER", "title": "派单检修光纤", "answer": ANSWER, "category": "宽带故障"})
    with app.state.sessionmaker() as s:  # past cases the knowledge panel ranks the solution by
        uow = UnitOfWork(s)
        for oid in (1, 2, 3):
            events.emit(Ctx(uow, clock, settings), "order.resolved", "order", oid, order_id=oid, type="repair",
                        at=(clock.now() - timedelta(days=2)).isoformat(), solution_code="DISPATCH_FIBER",
                        description="宽带断网光猫红灯闪烁", customer_id=oid, reopened=False,
                        dims={"category": "宽带故障"})
        uow.commit()
    events.drain(app.state.sessionmaker, clock, settings)
    return {"customer": customer, "order": order}


def test_every_main_page_under_the_strict_policy(world: dict[str, Any], live_server: str, browser: Browser,
                                                 artifacts: Path) -> None:
    anonymous = Watched(browser, live_server, None)
    anonymous.visit("/login")
    anonymous.visit("/s/no-such-survey")

    admin = Watched(browser, live_server, "adm")
    cid, oid = world["customer"]["id"], world["order"]["id"]
    for path in ("/", "/customers", f"/customers/{cid}", "/users", "/audit", "/orders", "/orders/new",
                 "/surveys", "/qa/workbench", "/no-such-page"):
        admin.visit(path)
    page = admin.visit(f"/metrics?{RANGE}", ready="#chart-heat canvas")  # the charts' script is a file now
    # ECharts' HTML tooltips are styled by style attributes, which the policy refuses: they draw on the canvas
    for chart in ("#chart-channels", "#chart-trend", "#chart-heat"):
        page.hover(chart, position={"x": 200, "y": 150})
        page.evaluate("() => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)))")
    page.screenshot(path=str(artifacts / "csp_metrics_tooltip.png"))
    admin.assert_clean("chart tooltips")
    admin.visit(f"/metrics/kpi/complaint_rate?by=city&{RANGE}", ready="#chart-breakdown canvas")
    admin.visit(f"/metrics/orders?kpi=complaint_rate&city=440300&{RANGE}", ready="#orders")
    admin.visit("/qa/live", ready="#qa-live-status[data-state=ready]")  # the WebSocket connects (connect-src)
    admin.visit(f"/orders/{oid}", ready="#kb-panel")
    admin.page.screenshot(path=str(artifacts / "csp_order_detail.png"), full_page=True)

    customer = Watched(browser, live_server, "cust")
    customer.visit("/my")
    customer.visit("/my/orders")
    agent = Watched(browser, live_server, "agent")
    agent.visit("/qa/my")


def test_htmx_and_scripts_still_work_under_the_policy(world: dict[str, Any], app: FastAPI, live_server: str,
                                                      browser: Browser) -> None:
    agent = Watched(browser, live_server, "agent")
    # HTMX search (hx-get): results swapped in
    page = agent.visit("/customers")
    page.fill("input[name=phone]", PHONE)
    page.click("form.search button")
    page.wait_for_selector("#customer-results a")
    agent.assert_clean("customer search")

    # HTMX panel on typing, then kb.js posts the choice with the session's CSRF header
    page = agent.visit("/kb")
    page.type("#kb-query", "宽带断了，光猫一直亮红灯", delay=20)
    page.wait_for_selector(".kb-insert[data-code=DISPATCH_FIBER]")
    with page.expect_response("**/api/v1/kb/recommendations/choice") as choice:
        page.click(".kb-insert[data-code=DISPATCH_FIBER]")
    assert choice.value.status < 300, choice.value.text()
    assert page.input_value("#reply") == ANSWER
    agent.assert_clean("kb insert")

    # a plain form post carries the hidden token
    page = agent.visit(f"/orders/{world['order']['id']}")
    page.fill("#reply", "您好，已为您核查本月账单。")
    page.click("#note-form button")
    page.wait_for_load_state()
    assert "已为您核查本月账单" in page.inner_text("#timeline")
    agent.assert_clean("note form")

    # new-order form: orders.js filters categories, the form posts with its token
    page = agent.visit("/orders/new")
    page.select_option("select[name=type]", "repair")
    assert page.locator(".repair-only").first.is_visible()
    agent.assert_clean("new order form")
    page.click("form.inline button[type=submit]")  # sign out: a cookie-authenticated POST with its token
    page.wait_for_url(f"{live_server}/login")
