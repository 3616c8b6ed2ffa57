"""Browser: sign in, search a customer by phone, see personal data masked or clear by role."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from helpers import create_customer, id_number, login, make_user
from telqc.core.rbac import Role

if TYPE_CHECKING:  # playwright is imported by the browser fixture, when a browser test runs
    from playwright.sync_api import Browser, Page

pytestmark = pytest.mark.browser

PHONE = "13612345678"
IDN = id_number("440106", "19880512", "123")


def _sign_in(page: Page, base: str, username: str) -> None:
    page.goto(f"{base}/customers")
    assert "/login" in page.url, "unauthenticated visit goes to the login page"
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", "correct-horse-9")
    page.click("button[type=submit]")
    page.wait_for_url(f"{base}/customers")


def _search_and_open(page: Page, base: str) -> None:
    page.fill("input[name=phone]", PHONE)
    page.click("form.search button")
    page.wait_for_selector("#customer-results")
    page.click("#customer-results a")
    page.wait_for_selector("#pii-phone")


def test_agent_masked_supervisor_clear(app: FastAPI, client: TestClient, live_server: str, browser: Browser,
                                       artifacts: Path) -> None:
    make_user(app, "adm", Role.admin)
    make_user(app, "agent", Role.agent, region_scope=["440000"])
    make_user(app, "sup", Role.supervisor, region_scope=["440000"])
    create_customer(client, login(client, "adm"), phone=PHONE, id_number=IDN)

    agent = browser.new_page()
    _sign_in(agent, live_server, "agent")
    assert agent.locator("nav").inner_text().count("客户查询") == 1, "zh-CN navigation by default"
    _search_and_open(agent, live_server)
    assert agent.inner_text("#pii-phone") == "136****5678"
    assert agent.inner_text("#pii-id") == IDN[:4] + "*" * 10 + IDN[-4:]
    assert "****" in agent.inner_text("#pii-address")
    assert "脱敏" in agent.inner_text("#pii-note")
    agent.screenshot(path=str(artifacts / "customer_360_agent.png"), full_page=True)

    sup = browser.new_page()
    _sign_in(sup, live_server, "sup")
    _search_and_open(sup, live_server)
    assert sup.inner_text("#pii-phone") == PHONE
    assert sup.inner_text("#pii-id") == IDN
    assert "审计" in sup.inner_text("#pii-note")
    sup.goto(sup.url + "?lang=en")
    assert "Personal data shown in clear" in sup.inner_text("#pii-note")
