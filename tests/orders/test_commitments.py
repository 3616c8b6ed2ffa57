"""The public commitments page and API say what the SLA configuration enforces (issue 23 item 6)."""

from __future__ import annotations

import re
from datetime import datetime, timedelta

from fastapi import FastAPI
from fastapi.testclient import TestClient

from helpers import create_customer, id_number, login, make_user
from orders.orders_helpers import World
from telqc.core.clock import FrozenClock
from telqc.core.context import Ctx
from telqc.core.rbac import Role
from telqc.core.uow import UnitOfWork
from telqc.orders import config
from telqc.orders.sla import derive_priority
from telqc.orders.states import OrderType


def test_every_published_limit_is_the_configured_rule(app: FastAPI, client: TestClient) -> None:
    r = client.get("/api/v1/public/commitments")  # no login
    assert r.status_code == 200, r.text
    rows = r.json()
    assert {(x["order_type"], x["area"]) for x in rows} == {(t.value, a) for t in OrderType for a in ("urban", "rural")}
    with app.state.sessionmaker() as s:
        table = config.policies(Ctx(uow=UnitOfWork(s), clock=app.state.clock, settings=app.state.settings)).table
        for x in rows:
            priority = derive_priority(x["order_type"], 3, "regular", x["area"])
            p = table.match(x["order_type"], priority, "regular", x["area"])
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


def test_the_published_limit_is_the_one_a_filed_order_gets(app: FastAPI, client: TestClient,
                                                           clock: FrozenClock) -> None:
    """A rural fault is raised a level (sla.AREA_RAISE): the published rural repair limit is the rule for the raised
    priority, the one a rural customer's own fault is timed by, not the rule of the type's base priority."""
    w = World(app, client)
    h = w.admin
    r = client.put("/api/v1/order-sla-policies/报修-P2-农村", json={
        "order_type": "repair", "priority": "P2", "area": "rural", "first_response_min": 150,
        "resolution_min": 2000, "calendar_name": config.ALWAYS_OPEN_CALENDAR, "always_open": True}, headers=h)
    assert r.status_code == 201, r.text
    published = {(x["order_type"], x["area"]): x for x in client.get("/api/v1/public/commitments").json()}
    rural = create_customer(client, w.admin, phone="13900000002", district="440117", tier="regular",
                            id_number=id_number("440117", "19900101", "222"), address="广州市从化区良口镇某村12号")
    me = w.customer_login("rural1", customer_id=rural["id"])
    r = client.post("/api/v1/me/orders", json={"type": "repair", "category": "repair.iptv", "title": "电视无信号",
                                               "description": "机顶盒一直显示无信号"}, headers=me)
    assert r.status_code == 201, r.text
    filed = client.get(f"/api/v1/orders/{r.json()['id']}", headers=w.agent).json()  # the agent's view: its due times
    now = clock.now()
    promise = published[("repair", "rural")]
    assert (promise["policy"], promise["first_response_min"], promise["resolution_min"]) == ("报修-P2-农村", 150, 2000)
    assert datetime.fromisoformat(filed["first_response_due"]) == now + timedelta(minutes=150)
    assert datetime.fromisoformat(filed["resolution_due"]) == now + timedelta(minutes=2000)
    assert published[("repair", "urban")]["policy"] == "报修-城市", "the urban rule is untouched"
