"""An exam in a real browser: the countdown runs on the server's clock and submits the paper when it ends."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from helpers import PASSWORD
from telqc.core.clock import FrozenClock
from training.training_data import A, setup

if TYPE_CHECKING:
    from playwright.sync_api import Browser


@pytest.mark.browser
def test_the_countdown_submits_the_paper_when_time_is_up(app: FastAPI, client: TestClient, clock: FrozenClock,
                                                         live_server: str, browser: Browser, artifacts: Path) -> None:
    t = setup(app, client, time_limit_min=1)
    h, ids = t["h"], t["ids"]
    r = client.post(f"{A}/assignments", headers=h["trainer"], json={"course_id": t["course"]["id"],
                                                                    "agent_ids": [ids["agent1"]]})
    assert r.status_code == 201
    att = client.post(f"{A}/mine/exams/{t['exam']['id']}/attempts", headers=h["agent1"]).json()
    clock.advance(timedelta(seconds=57))  # the server's clock: three seconds left on the paper
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.goto(f"{live_server}/login?next=/training/mine/attempts/{att['id']}")
    page.fill("input[name=username]", "agent1")
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_selector("#countdown")
    assert page.inner_text("#countdown") in ("0:03", "0:02", "0:01")
    page.check(f"fieldset[data-question='{t['questions'][0]['id']}'] input[value='1']")
    page.screenshot(path=str(artifacts / "training_paper.png"), full_page=True)
    page.wait_for_selector("#review", timeout=10_000)  # submitted by the countdown, graded, shown
    assert "考试结果" in page.inner_text("p.result")
    page.screenshot(path=str(artifacts / "training_result.png"), full_page=True)
    done = client.get(f"{A}/mine/attempts/{att['id']}", headers=h["agent1"]).json()
    assert done["status"] == "graded"
    assert {x["question_id"]: x["earned"] for x in done["review"]}[t["questions"][0]["id"]] == 2
