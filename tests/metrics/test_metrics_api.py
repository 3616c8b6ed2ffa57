"""The metrics API: values, targets, status, trend, change, drill-down, data scope and clear errors."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from helpers import login, make_user
from metrics.metrics_factories import SUBSCRIBERS, emit_all, october_events, order, set_subscribers
from telqc.core.rbac import Role

OCT = {"from": "2026-10-01", "to": "2026-10-31"}


@pytest.fixture
def loaded(app: FastAPI) -> FastAPI:
    set_subscribers(app, SUBSCRIBERS)
    emit_all(app, october_events())
    return app


def test_values_targets_trend_change(loaded: FastAPI, client: TestClient) -> None:
    make_user(loaded, "mgr", Role.manager)
    r = client.get("/api/v1/metrics", params={"kpi": ["complaint_rate", "repeat_complaint_rate"],
                                              "group_by": "city", **OCT}, headers=login(client, "mgr"))
    assert r.status_code == 200, r.text
    rate = r.json()["kpis"][0]
    assert rate["value"] == pytest.approx(42 / 50000 * 10_000)
    assert rate["previous"] == pytest.approx(9 / 50000 * 10_000)
    assert rate["change"] == pytest.approx(33 / 50000 * 10_000)
    assert rate["target"] == 2.0 and rate["status"] == "red"  # 8.4 per 10,000 against 2.0
    cities = {g["key"]["city"]: g for g in rate["groups"]}
    assert cities["440300"]["value"] == pytest.approx(33 / 20000 * 10_000)
    assert cities["440300"]["status"] == "red"
    assert cities["440100"]["value"] == pytest.approx(9 / 30000 * 10_000)
    trend = {t["period"]: t["value"] for t in rate["trend"]}
    assert len(trend) == 31 - 3 and sum(trend.values()) == pytest.approx(rate["value"])


def test_weekly_period_and_filters(loaded: FastAPI, client: TestClient) -> None:
    make_user(loaded, "mgr", Role.manager)
    r = client.get("/api/v1/metrics", params={"kpi": "offered", "period": "week", "channel": "app", **OCT},
                   headers=login(client, "mgr"))
    k = r.json()["kpis"][0]
    assert k["value"] == 13 and all(t["period"] >= "2026-09-28" for t in k["trend"])
    assert sum(t["value"] for t in k["trend"]) == 13


def test_provincial_scope(loaded: FastAPI, client: TestClient) -> None:
    emit_all(loaded, [order(9001, __import__("datetime").datetime(2026, 10, 3, tzinfo=__import__("datetime").UTC),
                            "complaint", 1, "signal", province="330000", city="330100")])
    make_user(loaded, "gd", Role.manager, region_scope=["440000"])
    make_user(loaded, "all", Role.manager)
    q = {"kpi": "complaint_rate", "group_by": "province", **OCT}
    gd = client.get("/api/v1/metrics", params=q, headers=login(client, "gd")).json()["kpis"][0]["groups"]
    every = client.get("/api/v1/metrics", params=q, headers=login(client, "all")).json()["kpis"][0]["groups"]
    assert [g["key"]["province"] for g in gd] == ["440000"]
    assert {g["key"]["province"] for g in every} == {"330000", "440000"}
    orders = client.get("/api/v1/metrics/orders", params={"kpi": "complaint_rate", **OCT},
                        headers=login(client, "gd")).json()["order_ids"]
    assert 9001 not in orders and len(orders) == 42


def test_drill_down_to_orders(loaded: FastAPI, client: TestClient) -> None:
    make_user(loaded, "mgr", Role.manager)
    r = client.get("/api/v1/metrics/orders", params={"kpi": "complaint_rate", "city": "440300",
                                                     "category": "billing", **OCT}, headers=login(client, "mgr"))
    assert r.status_code == 200 and r.json()["order_ids"] == [1031, 1035, 1039]


@pytest.mark.parametrize(("params", "field"), [
    ({"kpi": "nope"}, "query.kpi"),
    ({"kpi": "complaint_rate", "group_by": "agent"}, "query.group_by"),
    ({"kpi": "aht", "period": "year"}, "period"),
    ({"kpi": "aht", "from": "2026-10-05", "to": "2026-10-01"}, "query.to"),
    ({"kpi": "aht", "from": "2026-13-01"}, "from"),
])
def test_bad_queries_name_the_field(app: FastAPI, client: TestClient, params: dict[str, Any], field: str) -> None:
    make_user(app, "mgr", Role.manager)
    r = client.get("/api/v1/metrics", params=params, headers=login(client, "mgr"))
    assert r.status_code == 422 and field in r.text, r.text


def test_registry_lists_every_kpi(app: FastAPI, client: TestClient) -> None:
    make_user(app, "ins", Role.inspector)
    r = client.get("/api/v1/metrics/registry", headers=login(client, "ins"))
    names = {k["name"]: k for k in r.json()}
    assert names["complaint_rate"]["zh"] == "投诉率" and "period" in names["complaint_rate"]["dimensions"]
    assert names["field_response_time"]["target_by"]["area_type"]["rural"] == 14400


@pytest.mark.parametrize("path", ["/api/v1/metrics", "/api/v1/metrics/orders", "/api/v1/metrics/hotspots"])
@pytest.mark.parametrize(("params", "field"), [
    ({"from": "0068-08-10"}, "from"), ({"from": "0001-01-01"}, "from"), ({"to": "9999-12-31"}, "to"),
    ({"from": "1899-12-31"}, "from"), ({"to": "2101-01-01"}, "to"),
])
def test_dates_out_of_range_are_422_naming_the_field(app: FastAPI, client: TestClient, path: str,
                                                     params: dict[str, str], field: str) -> None:
    """Issue 17: years 1, 68 and 9999 were an OverflowError (500) in date arithmetic."""
    make_user(app, "mgr", Role.manager)
    r = client.get(path, params={"kpi": "complaint_rate", **params}, headers=login(client, "mgr"))
    assert r.status_code == 422, r.text
    assert any(e["loc"] == ["query", field] for e in r.json()["detail"]), r.text


def test_dates_at_the_bounds_are_accepted(app: FastAPI, client: TestClient) -> None:
    make_user(app, "mgr", Role.manager)
    r = client.get("/api/v1/metrics/hotspots", params={"from": "1900-01-01", "to": "2100-12-31"},
                   headers=login(client, "mgr"))
    assert r.status_code == 200, r.text


@pytest.mark.parametrize("path", ["/api/v1/metrics", "/api/v1/metrics/orders"])
def test_team_and_agent_filters_validate_each_value(loaded: FastAPI, client: TestClient, path: str) -> None:
    """Issue 17: a pattern on the list parameter made every team value a 500."""
    make_user(loaded, "mgr", Role.manager)
    h = login(client, "mgr")
    base = {"kpi": "complaint_rate" if path.endswith("orders") else "aht", **OCT}
    one = client.get(path, params={**base, "team": "1"}, headers=h)
    both = client.get(path, params={**base, "team": ["1", "2"], "agent": "7"}, headers=h)
    assert one.status_code == 200 and both.status_code == 200, (one.text, both.text)
    bad = client.get(path, params={**base, "team": ["1", "x1"]}, headers=h)
    assert bad.status_code == 422 and bad.json()["detail"][0]["loc"][:2] == ["query", "team"], bad.text
    bad = client.get(path, params={**base, "agent": "7; drop"}, headers=h)
    assert bad.status_code == 422 and bad.json()["detail"][0]["loc"][:2] == ["query", "agent"], bad.text
    if path.endswith("orders"):
        team2 = set(client.get(path, params={**base, "team": "2"}, headers=h).json()["order_ids"])
        every = set(both.json()["order_ids"])
        assert team2 <= every
