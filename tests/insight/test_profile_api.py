"""The insight profile: the customer 360 access scope, tier and lifecycle from customers, a recommendation."""

from __future__ import annotations

from decimal import Decimal

from fastapi import FastAPI
from fastapi.testclient import TestClient

from helpers import create_customer, login, make_user
from telqc.core.clock import FrozenClock
from telqc.core.rbac import Principal, Role
from telqc.core.settings import Settings
from telqc.demo.reference import PLANS
from telqc.insight import service
from telqc.insight.catalogue import DEMO_CATALOGUE, demo_usage
from telqc.insight.recommend import Month
from telqc.jobs.dispatch import job_ctx

GB = 1024


def url(customer_id: int) -> str:
    return f"/api/v1/insight/customers/{customer_id}/profile"


def test_agent_in_scope_gets_the_profile_outside_the_province_404(app: FastAPI, client: TestClient) -> None:
    make_user(app, "adm", Role.admin)
    make_user(app, "gd", Role.agent, region_scope=["440000"])
    make_user(app, "zj", Role.agent, region_scope=["330000"])
    c = create_customer(client, login(client, "adm"))  # Guangzhou, gold, in_contract, 5G129 + BB1000
    r = client.get(url(c["id"]), headers=login(client, "gd"))
    assert r.status_code == 200, r.text
    body = r.json()
    assert (body["tier"], body["lifecycle"], body["usage_source"]) == ("gold", "in_contract", "synthetic")
    assert [p["code"] for p in body["plans"]] == ["5G129", "BB1000"]
    assert body["plans"][0]["name"] == "5G畅享套餐129元"
    months, household = demo_usage(c["id"])
    assert body["household"] == household and [m["data_mb"] for m in body["usage"]] == [m.data_mb for m in months]
    rec = body["recommendation"]
    assert rec["current_plan"]["code"] == "5G129" and rec["text"].startswith("近3个月平均每月流量")
    assert client.get(url(c["id"]), headers=login(client, "zj")).status_code == 404
    assert client.get(url(c["id"] + 1000), headers=login(client, "gd")).status_code == 404


def test_given_usage_recommends_against_the_current_plan(
    app: FastAPI, client: TestClient, settings: Settings, clock: FrozenClock
) -> None:
    make_user(app, "adm", Role.admin)
    c = create_customer(client, login(client, "adm"))
    # one person on 5G129 (12900 fen): mean 20 GB, 300 min fits 5G59 for 5900 → saving 70 元
    usage = [Month(18 * GB, 280), Month(20 * GB, 300), Month(22 * GB, 320)]
    gd = Principal(user_id=1, username="svc", display_name="svc", role=Role.agent, region_scope=("440000",))
    with job_ctx(app.state.sessionmaker, clock, settings, gd) as ctx:
        out = service.profile(ctx, c["id"], usage, household=1)
    assert out.usage_source == "given" and out.household == 1
    assert out.recommendation.plan is not None and out.recommendation.plan.code == "5G59"
    assert out.recommendation.saving == Decimal("70")
    assert out.recommendation.text == "近3个月平均每月流量 20 GB、通话 300 分钟，改为 5G畅享套餐59元 每月预计节省 70 元"


def test_demo_catalogue_matches_the_reference_plans() -> None:
    fees = {code: (name, fee) for code, name, _, _, fee in PLANS}
    for plan in DEMO_CATALOGUE:
        assert fees[plan.code] == (plan.name, f"{plan.fee_fen / 100:.2f}")


def test_demo_usage_is_deterministic() -> None:
    assert demo_usage(7) == demo_usage(7) and demo_usage(7) != demo_usage(8)
