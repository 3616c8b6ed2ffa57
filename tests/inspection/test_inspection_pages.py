"""Browser: an inspector scores a call, the agent appeals, another inspector rules; a live alert appears."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from playwright.sync_api import Browser, Page

from helpers import login, make_user
from inspection.qa_helpers import jsonl, line, team, turns, upload
from telqc.core.rbac import Role

pytestmark = pytest.mark.browser

RUDE = turns([("agent", "您好，很高兴为您服务。"), ("customer", "我的宽带又断了。"),
              ("agent", "我不知道，这不归我管。"), ("agent", "感谢您的来电，再见。")])


def _sign_in(page: Page, base: str, username: str, target: str) -> None:
    page.goto(f"{base}{target}")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", "correct-horse-9")
    page.click("button[type=submit]")
    page.wait_for_url(f"{base}{target}")


def test_inspector_scores_agent_appeals_second_inspector_rules(app: FastAPI, client: TestClient, live_server: str,
                                                               browser: Browser,
                                                               artifacts: Path) -> None:
    t = team(app, client)
    r = upload(client, t["h"]["insp1"], jsonl([line("agent1", external_id="web-1", turns=RUDE)]))
    assert r.status_code == 201, r.text
    r = client.post("/api/v1/qa/samples", headers=t["h"]["admin"], json={
        "since": "2026-11-01T00:00:00+00:00", "until": "2026-11-03T00:00:00+00:00", "random_pct": 100,
        "inspectors": [t["ids"]["insp1"]]})
    assert r.json()["created"] == 1

    insp = browser.new_page()
    _sign_in(insp, live_server, "insp1", "/qa/workbench")
    assert "质检工作台" in insp.locator("nav").inner_text()
    insp.click("#qa-queue a")
    insp.wait_for_selector("#qa-transcript")
    marked = insp.locator("mark.hit[data-rule=forbidden_phrase]")
    assert marked.count() == 2 and marked.first.inner_text() == "不知道"
    for code, points in {"verification.identity": 10, "listening.understanding": 15, "solution.accuracy": 25,
                         "compliance.record": 5}.items():
        insp.fill(f"input[name='item:{code}']", str(points))
    assert insp.input_value("input[name='item:etiquette.no_forbidden']") == "0", "the engine's proposal"
    insp.fill("input[name=comment_at]", "6.5")
    insp.fill("input[name=comment]", "坐席推诿：这不归我管")
    insp.screenshot(path=str(artifacts / "qa_workbench_scoring.png"), full_page=True)
    insp.click("#qa-submit")
    insp.wait_for_url(f"{live_server}/qa/workbench")
    assert insp.locator("#qa-queue-empty").count() == 1

    agent = browser.new_page()
    _sign_in(agent, live_server, "agent1", "/qa/my")
    assert agent.inner_text("#qa-mine td.score").startswith("90")
    agent.fill(".appeal-form input[name=reason]", "不对")
    agent.click(".appeal-form button")
    agent.wait_for_selector("#qa-error")
    refused = agent.inner_text("#qa-error")
    assert "原因" in refused and "5" in refused and "pydantic" not in refused, refused
    agent.fill(".appeal-form input[name=reason]", "当时在向客户说明业务归属，并非推诿")
    agent.click(".appeal-form button")
    agent.wait_for_selector(".appeal-status")
    assert agent.inner_text("#qa-mine td.status") == "申诉中"
    agent.screenshot(path=str(artifacts / "qa_my_inspections_appealed.png"), full_page=True)

    second = browser.new_page()
    _sign_in(second, live_server, "insp2", "/qa/workbench")
    second.click("#qa-appeals a")
    second.wait_for_selector("#qa-rule")
    assert "并非推诿" in second.inner_text("#qa-appeal-reason")
    second.check("input[name=decision][value=overturned]")
    second.fill("input[name='item:etiquette.no_forbidden']", "10")
    second.fill("input[name=ruling]", "复听录音后改判")
    second.click("#qa-rule")
    second.wait_for_url(f"{live_server}/qa/workbench")

    agent.reload()
    assert agent.inner_text("#qa-mine td.score").startswith("100")
    assert "改判" in agent.inner_text(".appeal-status")


def test_supervisor_sees_a_live_alert_appear(app: FastAPI, client: TestClient, live_server: str, browser: Browser,
                                             artifacts: Path) -> None:
    from websockets.sync.client import connect

    make_user(app, "sup", Role.supervisor, region_scope=["440000"])
    make_user(app, "gw", Role.admin)
    make_user(app, "agent_gd", Role.agent, region_scope=["440000"])
    token = login(client, "gw")["Authorization"].removeprefix("Bearer ")

    page = browser.new_page()
    _sign_in(page, live_server, "sup", "/qa/live")
    page.wait_for_selector("#qa-live-status[data-state=ready]")
    assert page.locator("#qa-alerts tbody tr").count() == 0

    ws_url = live_server.replace("http://", "ws://") + "/api/v1/qa/live/calls/call-9?agent=agent_gd"
    with connect(ws_url, additional_headers={"Authorization": f"Bearer {token}"}) as ws:
        ws.send(json.dumps({"speaker": "agent", "start_ms": 0, "end_ms": 2000, "text": "您好，很高兴为您服务"}))
        json.loads(ws.recv())
        ws.send(json.dumps({"speaker": "customer", "start_ms": 2500, "end_ms": 5000, "text": "我要去工信部投诉你们"}))
        assert json.loads(ws.recv())["alerts"] >= 1
    row = page.locator("#qa-alerts tbody tr[data-rule=escalation_threat]").first
    row.wait_for()
    assert "客户越级投诉倾向" in row.inner_text() and "call-9" in row.inner_text()
    page.screenshot(path=str(artifacts / "qa_live_alert.png"), full_page=True)
