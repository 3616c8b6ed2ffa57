"""Manager dashboard: tiles, charts from local ECharts, and drill-down complaint rate → city → orders."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from playwright.sync_api import Browser

from helpers import login, make_user
from metrics.metrics_factories import SUBSCRIBERS, emit_all, october_events, order, set_subscribers
from telqc.core.rbac import Role

RANGE = "from=2026-10-01&to=2026-10-31"


@pytest.fixture
def loaded(app: FastAPI) -> FastAPI:
    set_subscribers(app, SUBSCRIBERS)
    emit_all(app, october_events())
    make_user(app, "mgr", Role.manager)
    return app


def test_pages_render_and_drill(loaded: FastAPI, client: TestClient) -> None:
    h = login(client, "mgr")
    page = client.get(f"/metrics?{RANGE}", headers=h)
    assert page.status_code == 200 and 'id="tile-complaint_rate"' in page.text and "投诉率" in page.text
    assert "/static/echarts.min.js" in page.text and "cdn" not in page.text.lower()
    assert client.get("/static/echarts.min.js").status_code == 200
    br = client.get(f"/metrics/kpi/complaint_rate?by=city&{RANGE}", headers=h)
    assert br.status_code == 200 and 'data-key="440300"' in br.text
    orders = client.get(f"/metrics/orders?kpi=complaint_rate&city=440300&{RANGE}", headers=h)
    assert orders.status_code == 200 and orders.text.count("/orders/") == 33
    en = client.get(f"/metrics?{RANGE}&lang=en", headers=h)
    assert "Complaint rate" in en.text


@pytest.mark.browser
def test_browser_drill_from_complaint_rate_to_orders(loaded: FastAPI, live_server: str, browser: Browser,
                                                     artifacts: Path) -> None:
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    page.goto(f"{live_server}/login?next=/metrics%3F{RANGE.replace('&', '%26')}")
    page.fill("input[name=username]", "mgr")
    page.fill("input[name=password]", "correct-horse-9")
    page.click("button[type=submit]")
    page.wait_for_selector("#tile-complaint_rate")
    page.wait_for_selector("#chart-heat canvas")  # not wait_for_function: the page's CSP refuses eval
    assert "投诉率" in page.inner_text("#tile-complaint_rate")
    assert page.evaluate("typeof echarts") == "object", "ECharts served locally"
    page.screenshot(path=str(artifacts / "metrics_dashboard.png"), full_page=True)

    page.click("#tile-complaint_rate a")
    page.wait_for_selector("#breakdown")
    assert "/metrics/kpi/complaint_rate" in page.url
    page.click("#breakdown tr[data-key='440300'] a.orders")
    page.wait_for_selector("#orders")
    ids = page.locator("#orders li").all_inner_texts()
    assert len(ids) == 33 and all("工单号" in i for i in ids)
    page.screenshot(path=str(artifacts / "metrics_drill_orders.png"), full_page=True)


def test_a_second_drill_keeps_the_first_filter(loaded: FastAPI, client: TestClient) -> None:
    """Province → city → orders: each link repeats the filters as plain parameters (the audit found
    "province=['440000']" in the links after one drill, so the second level showed no data)."""
    h = login(client, "mgr")
    br = client.get(f"/metrics/kpi/complaint_rate?province=440000&by=city&{RANGE}", headers=h)
    assert br.status_code == 200 and 'data-key="440300"' in br.text
    assert "%5B" not in br.text and "[&#39;" not in br.text
    assert "/metrics/orders?province=440000&amp;city=440300&amp;kpi=complaint_rate" in br.text
    orders = client.get(f"/metrics/orders?province=440000&city=440300&kpi=complaint_rate&{RANGE}", headers=h)
    assert orders.text.count("/orders/") == 33
    assert "地市 = 深圳市" in orders.text and "city =" not in orders.text


def test_the_category_legend_reads_names(loaded: FastAPI, client: TestClient) -> None:
    """The dashboard's complaint-rate-by-category chart names a configured category (投诉 · 网络质量), not its
    code (the audit found complaint.network in the legend)."""
    emit_all(loaded, [order(9001, datetime(2026, 10, 15, 3, tzinfo=UTC), "complaint", 1, "complaint.network")])
    page = client.get(f"/metrics?{RANGE}", headers=login(client, "mgr")).text
    legend = re.findall(r'"name":\s*"([^"]*)"', page[page.index("categories"):])
    assert legend and "complaint.network" not in legend, legend


@pytest.mark.parametrize(("by", "raw"), [("channel", "hotline"), ("category", "complaint."), ("team", None),
                                         ("agent", None)])
def test_breakdown_groups_read_as_names(loaded: FastAPI, client: TestClient, by: str, raw: str | None) -> None:
    """Groups by channel, category, team and agent read as names (the audit found hotline, complaint.billing and
    bare team and agent numbers as the drill links)."""
    h = login(client, "mgr")
    page = client.get(f"/metrics/kpi/aht?by={by}&{RANGE}", headers=h).text
    shown = re.findall(r'class="drill"[^>]*>([^<]*)<', page)
    assert shown, f"no {by} groups"
    assert not any(x.isdigit() for x in shown), shown
    if raw:
        assert not any(raw in x for x in shown), shown
