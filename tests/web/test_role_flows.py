"""Each role's main flow end to end in Debian's Chromium on the seeded demo (issue 18 §5), one test per role.

Every test saves a full-page screenshot of the role's home page to var/screens/<role>.png (CI keeps var/ as
its artifacts) and checks that the header's navigation stays on one line at 1366×768."""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
import uvicorn
from fastapi import FastAPI
from sqlalchemy import select

from browser_fixtures import _free_port
from telqc.contacts.models import Contact
from telqc.core.clock import SystemClock
from telqc.customers.models import Customer
from telqc.demo.reference import DEMO_PASSWORD
from telqc.jobs.dispatch import job_ctx
from telqc.surveys import service as surveys

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page, ViewportSize

pytestmark = pytest.mark.xdist_group("demo")

SCREENS = Path(__file__).resolve().parents[2] / "var" / "screens"
VIEWPORT: ViewportSize = {"width": 1366, "height": 768}
FLOW: dict[str, str] = {}  # what one role's flow hands the next (the agent's complaint, for the supervisor)


@pytest.fixture(scope="module")
def demo_server(demo_app: FastAPI) -> Iterator[str]:
    port = _free_port()
    server = uvicorn.Server(uvicorn.Config(demo_app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.time() + 15
    while not server.started:
        assert time.time() < deadline, "live server did not start"
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=10)


def signed_in(browser: Browser, base: str, username: str) -> Page:
    page = browser.new_page(viewport=VIEWPORT, locale="zh-CN", accept_downloads=True)
    page.set_default_timeout(15_000)
    page.goto(f"{base}/login")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", DEMO_PASSWORD)
    page.click("form[action='/login'] button[type=submit]")
    page.wait_for_url(f"{base}/")
    return page


def home_checked(page: Page, role: str) -> None:
    """The role's home page: one-line navigation at 1366 px, and its screenshot for the CI artifacts."""
    nav = page.locator("#main-nav")
    box = nav.bounding_box()
    first = nav.locator("a").first.bounding_box()
    assert box and first, "the header has its navigation"
    assert box["height"] <= first["height"] * 1.5, f"{role}: the navigation wraps ({box['height']:.0f} px)"
    header = page.locator("header.top").bounding_box()
    assert header is not None
    assert header["height"] < 70, f"{role}: the header takes two lines ({header['height']:.0f} px)"
    SCREENS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENS / f"{role}.png"), full_page=True)


def _verifiable_customer(app: FastAPI) -> tuple[int, str]:
    """(id, last four of the ID number) of a Guangdong demo customer whose latest contact is not verified yet."""
    with app.state.sessionmaker() as s:
        latest: dict[int, Contact] = {}
        for c in s.scalars(select(Contact).where(Contact.customer_id.is_not(None)).order_by(Contact.started_at)):
            latest[c.customer_id] = c
        for cid in sorted(k for k, c in latest.items() if not c.identity_verified):
            row = s.get(Customer, cid)
            if row is not None and row.district_code.startswith("44") and row.verify_locked_until is None:
                return row.id, row.id_number[-4:]
    raise AssertionError("the demo has a Guangdong customer with a contact to verify on")


def test_agent_verifies_files_a_complaint_with_a_suggestion_and_transfers(
        browser: Browser, demo_app: FastAPI, demo_server: str) -> None:
    page = signed_in(browser, demo_server, "agent")
    home_checked(page, "agent")
    cid, last4 = _verifiable_customer(demo_app)
    from telqc.demo.seed import phone_for
    page.goto(f"{demo_server}/customers/{cid}")
    form = page.locator("#verify-form")
    form.locator("input[name=phone]").fill(phone_for(cid))
    form.locator("select[name=method]").select_option("id_last4")
    form.locator("input[name=secret]").fill(last4)
    form.locator("button[type=submit]").click()
    assert "已核身" in page.locator("#verify-state").inner_text()

    page.goto(f"{demo_server}/orders/new")
    page.fill("input[name=customer_id]", str(cid))
    page.select_option("#otype", "complaint")
    page.select_option("#ocategory", "complaint.network")
    page.fill("input[name=title]", "宽带晚上网速很慢")
    page.locator("#kb-query").press_sequentially("宽带网速慢，晚上看视频卡顿", delay=20)
    page.locator("#kb-panel li").first.wait_for()  # the panel answers what the agent is typing
    fixes = page.locator("#kb-panel .kb-insert")  # the demo's resolved slow-broadband orders taught a fix
    fixes.first.wait_for()
    assert page.locator("#kb-panel .kb-article").count() > 0
    with page.expect_response(re.compile(r"/api/v1/kb/recommendations/choice")) as chosen:
        fixes.first.click()  # taking the best-known fix is recorded for the ranking
    assert chosen.value.ok
    page.click("#order-form button[type=submit]")
    page.wait_for_load_state()
    assert page.locator("#form-error").count() == 0, page.locator("#form-error").inner_text()
    page.wait_for_url(re.compile(r"/orders/\d+$"))
    FLOW["order"] = page.url.removeprefix(demo_server)

    page.locator("#transfer summary").click()
    target = page.locator("#transfer-form select[name=target] optgroup").first.locator("option").first
    team = target.inner_text().strip()
    page.locator("#transfer-form select[name=target]").select_option(target.get_attribute("value"))
    page.fill("#transfer-form textarea[name=handoff_note]", "需二线核查线路质量")
    page.click("#transfer-form button[type=submit]")
    page.wait_for_load_state()
    assert team in page.content(), "the order waits in the chosen team's queue"
    page.close()


def test_supervisor_sees_escalations_at_home_and_escalates(browser: Browser, demo_server: str) -> None:
    page = signed_in(browser, demo_server, "supervisor")
    home_checked(page, "supervisor")
    tile = page.locator("[data-key='home.escalated'] a .n")
    escalated = int(tile.inner_text())
    assert escalated > 0, "the demo supervisor has escalations"
    if "order" in FLOW:  # the agent's complaint, waiting in a Guangdong team's queue
        page.goto(demo_server + FLOW["order"])
    else:  # this test alone
        page.goto(f"{demo_server}/orders?status=new")
        page.locator("table a[href^='/orders/']").first.click()
    page.wait_for_url(re.compile(r"/orders/\d+$"))
    order = page.url
    before = page.locator("#timeline li").count()
    page.locator("summary", has_text="升级").first.click()
    form = page.locator("form[action$='/escalate']")
    form.locator("select[name=level]").select_option("team_lead")
    form.locator("input[name=reason]").fill("客户多次投诉未解决")
    form.locator("button[type=submit]").click()
    page.wait_for_load_state()
    page.goto(order)
    after = page.locator("#timeline li")
    assert after.count() > before, "the escalation is on the timeline"
    page.goto(f"{demo_server}/")
    assert int(tile.inner_text()) == escalated + 1, "and counted on the home page"
    page.close()


def test_engineer_completes_a_repair(browser: Browser, demo_server: str) -> None:
    page = signed_in(browser, demo_server, "engineer")
    home_checked(page, "engineer")
    page.goto(f"{demo_server}/repairs")
    page.locator("a[href^='/repairs/']").first.click()
    page.wait_for_url(re.compile(r"/repairs/\d+$"))
    while page.locator("#repair-update").count():
        select = page.locator("#repair-update select[name=status]")
        values = select.locator("option").evaluate_all("os => os.map(o => o.value)")
        select.select_option(values[-1] if "fixed" not in values else "fixed")
        page.locator("#repair-update button[type=submit]").click()
        page.wait_for_load_state()
        if "fixed" in values:
            break
    assert "已修复" in page.content()
    page.close()


def test_inspector_samples_scores_and_rules_an_appeal(browser: Browser, demo_server: str) -> None:
    page = signed_in(browser, demo_server, "inspector")
    home_checked(page, "inspector")
    page.goto(f"{demo_server}/qa/sampling")
    run = page.locator("form[action$='/run'] button").first
    run.click()
    page.wait_for_load_state()
    assert page.locator("#batches").count() == 1
    page.goto(f"{demo_server}/qa/workbench")
    page.locator("#qa-queue a[href^='/qa/inspections/']").first.click()
    for field in page.locator("#qa-form input[type=number][name^='item:']").all():
        if not field.input_value():
            field.fill(field.get_attribute("max") or "1")
    page.click("#qa-submit")
    page.wait_for_load_state()
    page.goto(f"{demo_server}/qa/workbench")
    appeals = page.locator("#qa-appeals a[href^='/qa/inspections/']")
    if appeals.count():
        appeals.first.click()
        page.fill("#qa-form input[name=ruling]", "录音复核，维持原评分")
        page.click("#qa-rule")
        page.wait_for_load_state()
        assert page.locator("#qa-rule").count() == 0, "a ruled appeal takes no second ruling"
    page.close()


def test_manager_opens_the_dashboard_and_downloads_the_reports(browser: Browser, demo_server: str) -> None:
    page = signed_in(browser, demo_server, "manager")
    home_checked(page, "manager")
    page.goto(f"{demo_server}/metrics")
    with page.expect_download() as xlsx:
        page.click("#download-xlsx")
    assert xlsx.value.suggested_filename.endswith(".xlsx")
    assert Path(xlsx.value.path()).read_bytes()[:2] == b"PK"
    with page.expect_download() as pdf:
        page.click("a[href*='format=pdf']")
    assert Path(pdf.value.path()).read_bytes()[:4] == b"%PDF"
    page.close()


def test_customer_follows_the_order_and_answers_the_survey(browser: Browser, demo_app: FastAPI,
                                                           demo_server: str) -> None:
    page = signed_in(browser, demo_server, "customer")
    home_checked(page, "customer")
    page.goto(f"{demo_server}/my/orders")
    page.locator("a[href^='/my/']").filter(has_text=re.compile(r"\S")).first.wait_for()
    with demo_app.state.sessionmaker() as s:
        from telqc.core.models import User
        customer_id = s.scalar(select(User.customer_id).where(User.username == "customer"))
    with job_ctx(demo_app.state.sessionmaker, SystemClock(), demo_app.state.settings) as ctx:
        sent = surveys.invite(ctx, customer_id=customer_id, trigger="order",
                              policy=surveys.SurveyPolicy(min_gap_days=0))
    assert sent is not None, "the SMS the customer receives after the order"
    page.goto(demo_server + surveys.link_for(sent[1]))
    page.check("input[name=csat][value='5']")
    page.check("input[name=nps][value='9']")
    page.check("input[name=resolved][value='yes']")
    page.click("#survey-form button[type=submit]")
    page.wait_for_load_state()
    assert page.locator("#survey-form").count() == 0, "answered once"
    page.close()
