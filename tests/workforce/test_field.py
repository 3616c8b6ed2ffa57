"""Field engineers per area (issue 21 item 5): repair visits forecast per city × area type, engineers needed for
the published response limits, against the engineers on staff."""

from __future__ import annotations

import json
from datetime import date, timedelta

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from hypothesis import given
from hypothesis import strategies as st

from helpers import login, make_user
from orders.orders_helpers import World
from telqc.core.clock import FrozenClock
from telqc.core.rbac import Role
from telqc.workforce import field

LAST = date(2026, 11, 1)  # a Sunday
HORIZON = [LAST + timedelta(days=i) for i in range(1, 8)]  # Monday 2 Nov .. Sunday 8 Nov


def test_forecast_follows_the_weekday_and_the_level() -> None:
    flat = {LAST - timedelta(days=i): 2 for i in range(28)}
    assert field.forecast_days(flat, LAST, HORIZON) == pytest.approx([2.0] * 7)
    mondays = {LAST - timedelta(days=i): (6 if (LAST - timedelta(days=i)).weekday() == 0 else 1) for i in range(28)}
    got = field.forecast_days(mondays, LAST, HORIZON)
    assert got[0] == pytest.approx(6.0) and got[1:] == pytest.approx([1.0] * 6)
    assert field.forecast_days({}, LAST, HORIZON) == [0.0] * 7


def test_engineers_by_hand() -> None:
    # 3 urban visits over 12 hours: λ = 0.25/h, a 90-minute visit, μ = 2/3 per hour. One engineer (ρ = 0.375)
    # reaches P(W ≤ 2 h) = 1 − ρ·e^−(μ−λ)·2 = 1 − 0.375·e^−0.833 = 0.837 < 0.9, so two are needed on duty,
    # and ⌈2 / (1 − 0.2)⌉ = 3 rostered.
    need = field.engineers(3, "urban", 120)
    assert (need.on_duty, need.scheduled) == (2, 3) and need.reached >= 0.9
    assert field.engineers(0, "urban", 120).scheduled == 0


@given(st.floats(0.1, 200), st.floats(0.1, 200), st.sampled_from(["urban", "rural"]), st.sampled_from([60, 120, 240]))
def test_more_visits_never_need_fewer_engineers(a: float, b: float, area: str, limit: int) -> None:
    lo, hi = sorted((a, b))
    assert field.engineers(lo, area, limit).on_duty <= field.engineers(hi, area, limit).on_duty


def test_field_page_shows_the_shortfall_by_name(app: FastAPI, client: TestClient, clock: FrozenClock) -> None:
    w = World(app, client)
    now = clock.now()
    for i in range(1, 15):  # one broadband fault a day for two weeks, Guangzhou (urban)
        clock.set(now - timedelta(days=i))
        r = client.post("/api/v1/orders", json={
            "type": "repair", "category": "repair.broadband", "customer_id": w.customer_id, "channel": "hotline",
            "title": "宽带断网", "description": "宽带断网，光猫红灯", "repair": {"product": "千兆宽带"}},
            headers=w.agent)
        assert r.status_code == 201, r.text
    clock.set(now)
    make_user(app, "eng1", Role.engineer, region_scope=["440000"])
    make_user(app, "planner", Role.manager)
    h = login(client, "planner")
    out = client.get("/api/v1/workforce/field", params={"days": 7}, headers=h).json()
    [area] = out["areas"]
    assert (area["city"], area["area_type"], area["response_min"]) == ("广州市", "urban", 120)
    # half the 28 days had one fault each: about 0.5 a day (not exactly: 5–8 October, National Day holidays in
    # the window, count as Sundays, so Monday's mean is over three Mondays)
    assert area["history_visits"] == 14 and 0.4 < area["days"][0]["visits"] < 0.8
    [gd] = out["provinces"]
    assert gd["engineers"] == 1 and gd["scheduled_peak"] == 2, "one engineer on duty needs two rostered"
    page = client.get("/workforce/field", headers=h)
    assert page.status_code == 200 and "广州市" in page.text and "缺 1 人" in page.text
    # the bar chart is drawn from the same numbers as the table (engineers and peak need, not visits a day)
    chart = json.loads(page.text.split('id="field-data">', 1)[1].split("</script>", 1)[0])
    assert chart == {"provinces": [gd["province"]], "needed": [2], "staff": [1]}
    assert client.get("/api/v1/workforce/field", params={"days": 0}, headers=h).status_code == 422
