"""The public commitments page and API say what the SLA configuration enforces (issue 23 item 6)."""

from __future__ import annotations

import re

from fastapi import FastAPI
from fastapi.testclient import TestClient

from helpers import login, make_user
from telqc.core.context import Ctx
from telqc.core.rbac import Role
from telqc.core.uow import UnitOfWork
from telqc.orders import config
from telqc.orders.sla import BASE_PRIORITY
from telqc.orders.states import OrderType


def test_every_published_limit_is_the_configured_rule(app: FastAPI, client: TestClient) -> None:
    r = client.get("/api/v1/public/commitments")  # no login
    assert r.status_code == 200, r.text
    rows = r.json()
    assert {(x["order_type"], x["area"]) for x in rows} == {(t.value, a) for t in OrderType for a in ("urban", "rural")}
    with app.state.sessionmaker() as s:
        table = config.policies(Ctx(uow=UnitOfWork(s), clock=app.state.clock, settings=app.state.settings)).table
        for x in rows:
            p = table.match(x["order_type"], BASE_PRIORITY[OrderType(x["order_type"])][2], "regular", x["area"])
            assert (x["first_response_min"], x["resolution_min"], x["policy"]) == (
                p.first_response.total_seconds() // 60, p.resolution.total_seconds() // 60, p.name)
    page = client.get("/commitments")
    assert page.status_code == 200 and "服务承诺" in page.text
    shown = [int(m) for m in re.findall(r'data-minutes="(\d+)"', page.text)]
    assert shown == [m for x in rows for m in (x["first_response_min"], x["resolution_min"])]


def test_a_changed_policy_is_published_at_once(app: FastAPI, client: TestClient) -> None:
    """Publishing from the configuration itself: an admin's change to a rule changes the promise."""
    make_user(app, "slaadmin", Role.admin)
    h = login(client, "slaadmin")
    before = {(x["order_type"], x["area"]): x for x in client.get("/api/v1/public/commitments").json()}
    name = before[("complaint", "urban")]["policy"]
    pol = next(p for p in client.get("/api/v1/order-sla-policies", headers=h).json() if p["name"] == name)
    body = {k: v for k, v in pol.items() if k not in ("name", "id", "updated_at")}
    body["resolution_min"] = pol["resolution_min"] + 60
    r = client.put(f"/api/v1/order-sla-policies/{name}", json=body, headers=h)
    assert r.status_code == 200, r.text
    after = {(x["order_type"], x["area"]): x for x in client.get("/api/v1/public/commitments").json()}
    assert after[("complaint", "urban")]["resolution_min"] == pol["resolution_min"] + 60
