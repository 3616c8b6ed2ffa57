"""故障分级与规则 in a real browser: a national netops user opens the settings from the board, lowers the
mass-complaint threshold, and the next burst of that size opens a suspected incident on the board; a
confirmation threshold below the threshold is refused naming the field."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from incidents.incidents_helpers import NetWorld
from incidents.test_incidents_browser import _signed_in
from orders.orders_helpers import staff
from telqc.core.rbac import Role

if TYPE_CHECKING:
    from playwright.sync_api import Browser

pytestmark = pytest.mark.browser


def test_netops_lower_the_threshold_and_the_next_burst_is_detected(app: FastAPI, client: TestClient,
                                                                   live_server: str, browser: Browser) -> None:
    w = NetWorld(app, client)
    staff(app, "net_nat", Role.netops, province=None)
    page = _signed_in(browser, live_server, "net_nat")
    page.goto(f"{live_server}/incidents")
    page.click("#settings-link")
    page.wait_for_selector("#rules")
    first = "#rules tbody tr:nth-child(1)"
    assert page.input_value(f"{first} input[name=threshold]") == "10"

    page.fill(f"{first} input[name=threshold]", "4")
    page.fill(f"{first} input[name=confirm_threshold]", "3")
    page.click("#rules-form button[type=submit]")
    page.wait_for_selector("#form-error")
    assert "确认阈值" in page.inner_text("#form-error") and "第 1 条规则" in page.inner_text("#form-error")
    assert page.input_value(f"{first} input[name=threshold]") == "4"  # what was typed is kept

    page.fill(f"{first} input[name=confirm_threshold]", "8")
    page.click("#rules-form button[type=submit]")
    page.wait_for_selector("#saved")
    assert page.input_value(f"{first} input[name=threshold]") == "4"

    w.complaints("440106", 3)
    assert w.incidents() == []
    w.complaints("440106", 1, first=3)
    page.goto(f"{live_server}/incidents")
    page.wait_for_selector("#incident-list")
    assert "天河区网络质量批量投诉" in page.inner_text("#incident-list")
    assert w.incidents()[0]["linked_count"] == 4
