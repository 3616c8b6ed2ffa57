"""Browser: suggestions follow the agent's typing; one click inserts the standard answer."""

from __future__ import annotations

from datetime import timedelta

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from playwright.sync_api import Browser

from helpers import login, make_user
from telqc.core import events
from telqc.core.clock import FrozenClock
from telqc.core.context import Ctx
from telqc.core.rbac import Role
from telqc.core.settings import Settings
from telqc.core.uow import UnitOfWork
from telqc.knowledge.models import KbChoice

pytestmark = pytest.mark.browser
ANSWER = "您好，已为您派单装维工程师上门检修光纤，预计24小时内联系您。"


def test_agent_types_and_inserts_answer(app: FastAPI, client: TestClient, clock: FrozenClock, settings: Settings,
                                        live_server: str, browser: Browser) -> None:
    make_user(app, "agent", Role.agent, region_scope=["440000"])
    make_user(app, "lead", Role.supervisor, region_scope=["440000"])
    lead = login(client, "lead")
    client.post("/api/v1/kb/solutions", json={"code": "DISPATCH_FIBER", "title": "派单检修光纤", "answer": ANSWER,
                                              "category": "宽带故障"}, headers=lead)
    art = client.post("/api/v1/kb/articles", headers=login(client, "agent"), json={
        "title": "光猫红灯闪烁怎么办", "category": "宽带故障", "body": "光猫LOS红灯闪烁说明光信号中断。"}).json()
    client.post(f"/api/v1/kb/articles/{art['id']}/submit", json={}, headers=login(client, "agent"))
    client.post(f"/api/v1/kb/articles/{art['id']}/approve", json={}, headers=lead)
    with app.state.sessionmaker() as s:
        uow = UnitOfWork(s)
        for oid in (1, 2, 3):
            events.emit(Ctx(uow, clock, settings), "order.resolved", "order", oid, order_id=oid, type="repair",
                        at=(clock.now() - timedelta(days=2)).isoformat(), solution_code="DISPATCH_FIBER",
                        description="宽带断网光猫红灯闪烁", customer_id=oid, reopened=False,
                        dims={"category": "宽带故障"})
        uow.commit()
    events.drain(app.state.sessionmaker, clock, settings)

    page = browser.new_page()
    page.goto(f"{live_server}/login?next=/kb")
    page.fill("input[name=username]", "agent")
    page.fill("input[name=password]", "correct-horse-9")
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server}/kb")
    page.type("#kb-query", "宽带断了，光猫一直亮红灯", delay=20)
    page.wait_for_selector(".kb-solution[data-code=DISPATCH_FIBER]")
    assert "光猫红灯闪烁怎么办" in page.inner_text("#kb-panel")
    assert "<mark>" in page.inner_html(".kb-articles")
    page.click(".kb-insert[data-code=DISPATCH_FIBER]")
    assert page.input_value("#reply") == ANSWER
    page.wait_for_timeout(300)  # the choice is posted in the background
    with app.state.sessionmaker() as s:
        assert [c.solution_code for c in s.query(KbChoice)] == ["DISPATCH_FIBER"]
