"""Browser: 采用 / 不相关 in the agent's knowledge panel record the verdict and say so on the page."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import select

from helpers import login, make_user
from knowledge.test_kb_feedback import LOS, _published
from telqc.core.audit import AuditEntry
from telqc.core.rbac import Role
from telqc.knowledge.models import KbFeedback

if TYPE_CHECKING:  # playwright is imported by the browser fixture, when a browser test runs
    from playwright.sync_api import Browser

pytestmark = pytest.mark.browser

SLOW = {"title": "宽带网速慢处理", "category": "宽带故障", "tags": ["宽带"], "audience": "public",
        "body": "宽带网速慢时先用网线测速，再检查光猫和路由器是否过热。", "questions": ["宽带很卡"]}


def test_adopt_and_not_relevant_are_recorded_and_confirmed(app: FastAPI, client: TestClient, live_server: str,
                                                           browser: Browser) -> None:
    make_user(app, "agent", Role.agent)
    make_user(app, "lead", Role.supervisor)
    writer, lead = login(client, "agent"), login(client, "lead")
    los, slow = _published(client, writer, lead, LOS), _published(client, writer, lead, SLOW)

    context = browser.new_context(viewport={"width": 1400, "height": 1000}, extra_http_headers=writer)
    page = context.new_page()
    page.goto(f"{live_server}/kb")
    page.type("#kb-query", "宽带光猫亮红灯", delay=20)
    adopt = page.locator(f".kb-feedback[data-article='{los}'][data-verdict=adopted]")
    adopt.wait_for()
    with page.expect_response("**/api/v1/kb/feedback") as posted:
        adopt.click()
    assert posted.value.status == 204, posted.value.text()
    item = page.locator("li.kb-article", has=adopt)
    item.locator(".kb-feedback-status").filter(has_text="已采用").wait_for()
    assert adopt.is_disabled() and "kb-adopted" in (item.get_attribute("class") or "")

    reject = page.locator(f".kb-feedback[data-article='{slow}'][data-verdict=rejected]")
    with page.expect_response("**/api/v1/kb/feedback") as posted:
        reject.click()
    assert posted.value.status == 204, posted.value.text()
    rejected = page.locator("li.kb-article", has=reject).locator(".kb-feedback-status")
    rejected.filter(has_text="已标记为不相关").wait_for()
    context.close()

    with app.state.sessionmaker() as s:
        rows = [(f.article_id, f.verdict, f.query, f.rank)
                for f in s.scalars(select(KbFeedback).order_by(KbFeedback.id))]
        actions = list(s.scalars(select(AuditEntry.action).where(AuditEntry.action.like("kb.suggestion_%"))
                                 .order_by(AuditEntry.id)))
    said = "宽带光猫亮红灯"
    assert [(a, v, q) for a, v, q, _ in rows] == [(los, "adopted", said), (slow, "rejected", said)]
    assert all(r is not None and r >= 1 for *_, r in rows)
    assert actions == ["kb.suggestion_adopted", "kb.suggestion_rejected"]
