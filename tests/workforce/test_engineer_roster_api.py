"""The field engineers' roster through the API and the engineers' page: built from the repair history's need and
the engineers of each province, stored, shown against the need with names; bad input refused by field."""

from __future__ import annotations

import json
import re
from collections import Counter
from datetime import timedelta

from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import select

from helpers import login, make_user, page_login
from orders.orders_helpers import World
from telqc.core.clock import FrozenClock
from telqc.core.rbac import Role
from telqc.workforce.models import EngineerRoster

A = "/api/v1/workforce"


def _history(w: World, client: TestClient, clock: FrozenClock) -> None:
    now = clock.now()
    for i in range(1, 15):  # two broadband faults a day for two weeks, Guangzhou (urban)
        clock.set(now - timedelta(days=i))
        for _ in range(2):
            r = client.post("/api/v1/orders", json={
                "type": "repair", "category": "repair.broadband", "customer_id": w.customer_id,
                "channel": "hotline", "title": "宽带断网", "description": "宽带断网，光猫红灯",
                "repair": {"product": "千兆宽带"}}, headers=w.agent)
            assert r.status_code == 201, r.text
    clock.set(now)


def test_engineer_roster_covers_the_need_within_the_rules_and_shows_on_the_page(
        app: FastAPI, client: TestClient, clock: FrozenClock) -> None:
    w = World(app, client)
    make_user(app, "planner", Role.manager)
    h = login(client, "planner")
    r = client.post(f"{A}/engineer-rosters", json={"days": 7}, headers=h)
    assert r.status_code == 422 and r.json()["detail"][0]["field"] == "body.start_date", "no repair history yet"
    _history(w, client, clock)
    r = client.post(f"{A}/engineer-rosters", json={"days": 7}, headers=h)
    assert r.status_code == 422 and r.json()["detail"][0]["field"] == "body.start_date", "no engineer"
    for i in range(6):
        make_user(app, f"eng{i}", Role.engineer, region_scope=["440000"])
    assert client.post(f"{A}/engineer-rosters", json={"days": 0}, headers=h).status_code == 422
    r = client.post(f"{A}/engineer-rosters", json={"days": 7}, headers=h)
    assert r.status_code == 201, r.text
    out = r.json()
    need = out["need"]["440000"]
    assert len(need) == 7 and max(need) >= 1
    duties = out["duties"]
    assert {d["province"] for d in duties} == {"广东省"} and all(d["engineer"].startswith("eng") for d in duties)
    assert max(Counter(d["engineer_id"] for d in duties).values()) <= 5, "five duties a week at most"
    assert len({(d["engineer_id"], d["day"]) for d in duties}) == len(duties), "one duty a day"
    nights = Counter(d["day"] for d in duties if d["kind"] == "night")
    assert out["nights_uncovered"] == 7 - len(nights) and max(nights.values()) == 1, "one on call a night"
    for day, n in zip(sorted({d["day"] for d in duties}), need, strict=False):
        for kind in ("early", "late"):
            on = sum(d["day"] == day and d["kind"] == kind for d in duties)
            assert on >= n or out["short_blocks"] > 0
    assert client.get(f"{A}/engineer-rosters/{out['id']}", headers=h).json() == out
    assert client.get(f"{A}/engineer-rosters/999", headers=h).status_code == 404
    agent = login(client, "agent1")
    assert client.post(f"{A}/engineer-rosters", json={"days": 7}, headers=agent).status_code == 403

    c = TestClient(app, raise_server_exceptions=False)
    csrf = page_login(c, "planner")
    page = c.get("/workforce/field").text
    assert f"第 {out['id']} 版" in page and 'id="engineer-duties"' in page and "夜间值守" in page
    data = re.search(r'id="engineer-coverage-data">([^<]*)<', page)
    assert data, "the chart of need vs on duty"
    chart = json.loads(data.group(1))
    assert len(chart["labels"]) == len(chart["required"]) == len(chart["on_duty"]) == 7 * 48
    assert chart["labels"][16].endswith("08:00"), "intervals in Beijing time"
    assert chart["required"][16] == need[0] and chart["required"][40] == 1
    r = c.post("/workforce/field/roster", data={"days": "", "csrf_token": csrf}, follow_redirects=False)
    error = re.search(r'id="form-error">([^<]*)<', r.text)
    assert r.status_code == 422 and error and error.group(1) == "天数：必填字段缺失"
    r = c.post("/workforce/field/roster", data={"days": "3", "csrf_token": csrf}, follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/workforce/field#engineer-roster"
    with app.state.sessionmaker() as db:
        assert db.scalars(select(EngineerRoster.days).order_by(EngineerRoster.id)).all() == [7, 3]
