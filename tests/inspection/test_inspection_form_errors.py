"""The inspection forms refuse in Chinese on the page (UX audit): the score form named the items by code with
pydantic-style English ("items.compliance.record: missing; expected a number between 0 and 10")."""

from __future__ import annotations

import re

from fastapi import FastAPI
from fastapi.testclient import TestClient

from helpers import page_login
from inspection.qa_helpers import jsonl, line, team, upload

_ERROR = re.compile(r'id="qa-error">(.*?)</p>', re.S)


def _refusal(html: str) -> str:
    found = _ERROR.search(html)
    assert found, "the page says why"
    return found.group(1)


def test_score_form_names_the_items_in_chinese(app: FastAPI, client: TestClient) -> None:
    t = team(app, client)
    assert upload(client, t["h"]["insp1"], jsonl([line("agent1", external_id="f-1")])).status_code == 201
    r = client.post("/api/v1/qa/samples", headers=t["h"]["admin"], json={
        "since": "2026-11-01T00:00:00+00:00", "until": "2026-11-03T00:00:00+00:00", "random_pct": 100,
        "inspectors": [t["ids"]["insp1"]]})
    assert r.json()["created"] == 1
    page = TestClient(app)
    csrf = page_login(page, "insp1")
    found = re.search(r"/qa/inspections/(\d+)", page.get("/qa/workbench").text)
    assert found
    url = f"/qa/inspections/{found.group(1)}/score"
    form = page.get(f"/qa/inspections/{found.group(1)}").text
    assert "1 = 未违规，0 = 违规（整通得 0 分）" in form, "a fatal item says what 1 and 0 mean"

    nothing = page.post(url, data={"csrf_token": csrf})
    said = _refusal(nothing.text)
    assert nothing.status_code == 422 and "按规定核实客户身份：未评分" in said and "解答准确完整：未评分" in said
    assert not re.search(r"[A-Za-z]{3,}", said), said

    too_many = page.post(url, data={"csrf_token": csrf, "item:verification.identity": "99",
                                    "item:listening.understanding": "15", "item:solution.accuracy": "25",
                                    "item:compliance.record": "5"})
    said = _refusal(too_many.text)
    assert too_many.status_code == 422 and said == "评分项有误：按规定核实客户身份：须填写 0–10 之间的分数", said

    english = page.post(f"{url}?lang=en", data={"csrf_token": csrf})
    assert "items.verification.identity: missing" in _refusal(english.text)
