"""A retention campaign through the API: the run, an agent's tasks and outcomes (audited), access scope, the
measured uplift, offers and their conversion."""

from __future__ import annotations

import json
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import select, update

from helpers import create_customer, id_number, login, make_user, page_login
from telqc.core.audit import AuditEntry
from telqc.core.rbac import Role
from telqc.customers.models import Customer
from telqc.insight.models import RetentionMember

A = "/api/v1/insight"


def set_stage(app: FastAPI, ids: list[int], stage: str) -> None:
    with app.state.sessionmaker() as s:
        s.execute(update(Customer).where(Customer.id.in_(ids)).values(lifecycle=stage))
        s.commit()


@pytest.fixture
def world(app: FastAPI, client: TestClient) -> dict[str, Any]:
    ids = {"adm": make_user(app, "adm", Role.admin), "mgr": make_user(app, "mgr", Role.manager),
           "gd1": make_user(app, "gd1", Role.agent, ["440000"]), "gd2": make_user(app, "gd2", Role.agent, ["440000"]),
           "zj": make_user(app, "zj", Role.agent, ["330000"]),
           "zj_sup": make_user(app, "zj_sup", Role.supervisor, ["330000"])}
    h = {n: login(client, n) for n in ids}
    custs = [create_customer(client, h["adm"], phone=f"1381234{i:04d}", name=f"客户{i}",
                             id_number=id_number(seq=f"{i:03d}"))["id"] for i in range(12)]
    set_stage(app, custs[:6], "contract_expiring")
    set_stage(app, custs[6:10], "lapsed")  # the last two stay in_contract: not eligible
    return {"ids": ids, "h": h, "custs": custs}


def test_campaign_tasks_outcomes_scope_and_uplift(app: FastAPI, client: TestClient, world: dict[str, Any]) -> None:
    h, ids = world["h"], world["ids"]
    assert client.post(f"{A}/campaigns", json={"name": "x"}, headers=h["gd1"]).status_code == 403
    r = client.post(f"{A}/campaigns", json={"name": "12月合约到期挽留"}, headers=h["mgr"])
    assert r.status_code == 201, r.text
    camp = r.json()
    assert camp["treated"] + camp["held_out"] == 10 and camp["uplift"] is None
    with app.state.sessionmaker() as s:
        members = list(s.scalars(select(RetentionMember)))
    assert all((m.agent_id is None) == m.holdout for m in members)
    counts = [sum(m.agent_id == ids[a] for m in members) for a in ("gd1", "gd2")]
    assert abs(counts[0] - counts[1]) <= 1 and sum(counts) == camp["treated"]

    mine = client.get(f"{A}/tasks", headers=h["gd1"]).json()
    theirs = client.get(f"{A}/tasks", headers=h["gd2"]).json()
    assert len(mine) == counts[0] and len(theirs) == counts[1]
    assert client.get(f"{A}/tasks", headers=h["zj"]).json() == []
    assert client.get(f"{A}/tasks", headers=h["mgr"]).status_code == 403
    t = mine[0]
    assert t["customer_name"].startswith("客户") and t["reasons"] and t["status"] == "open"
    assert client.post(f"{A}/tasks/{theirs[0]['id']}/outcome", json={"outcome": "contacted"},
                       headers=h["gd1"]).status_code == 404, "another agent's task"
    assert client.post(f"{A}/tasks/{t['id']}/outcome", json={"outcome": "contacted"},
                       headers=h["zj"]).status_code == 404, "another region's agent"
    assert client.post(f"{A}/tasks/{t['id']}/outcome", json={"outcome": "won"},
                       headers=h["gd1"]).status_code == 422
    offer_task = next(x for x in mine if x["action"] == "offer")
    r = client.post(f"{A}/tasks/{offer_task['id']}/outcome", json={"outcome": "accepted", "note": "续约 5G129"},
                    headers=h["gd1"])
    assert r.status_code == 200 and r.json()["status"] == "accepted", r.text
    assert client.post(f"{A}/tasks/{offer_task['id']}/outcome", json={"outcome": "declined"},
                       headers=h["gd1"]).status_code == 409, "accepted is final"
    with app.state.sessionmaker() as s:
        e = s.scalars(select(AuditEntry).where(AuditEntry.action == "insight.retention_outcome")).one()
    assert json.loads(e.data)["from"] == "open" and json.loads(e.data)["to"] == "accepted"
    assert e.actor_id == ids["gd1"] and e.entity_id == str(offer_task["id"])

    # the treated contract-expiring customers renew, the lapsed stay lapsed; held-out customers are unchanged
    with app.state.sessionmaker() as s:
        treated = [m.customer_id for m in members if not m.holdout and m.stage == "contract_expiring"]
    set_stage(app, treated, "in_contract")
    r = client.post(f"{A}/campaigns/{camp['id']}/measure", headers=h["mgr"])
    assert r.status_code == 200, r.text
    u = r.json()["uplift"]
    assert u is not None or camp["held_out"] == 0
    if u:
        assert u["treated_rate"] == pytest.approx(len(treated) / camp["treated"])
        assert u["low"] <= u["difference"] <= u["high"]
    listing = client.get(f"{A}/campaigns", headers=h["mgr"]).json()
    assert listing[0]["outcomes"]["accepted"] == 1
    zj_view = client.get(f"{A}/campaigns", headers=h["zj_sup"]).json()[0]
    assert (zj_view["treated"], zj_view["held_out"], zj_view["uplift"]) == (0, 0, None), "no members in 330000"

    conv = client.get(f"{A}/conversion", headers=h["mgr"]).json()
    assert conv == [{"channel": "retention", "segment": "gold", "shown": 1, "decided": 1, "accepted": 1,
                     "rate": 1.0}]


def test_offers_shown_and_decided_by_channel(app: FastAPI, client: TestClient, world: dict[str, Any]) -> None:
    h, custs = world["h"], world["custs"]
    made = []
    for ch in ("agent", "agent", "self_service"):
        r = client.post(f"{A}/offers", json={"customer_id": custs[0], "channel": ch, "plan_code": "5G59"},
                        headers=h["gd1"])
        assert r.status_code == 201, r.text
        made.append(r.json()["id"])
    assert client.post(f"{A}/offers", json={"customer_id": custs[0], "channel": "agent"},
                       headers=h["zj"]).status_code == 404, "outside the agent's region"
    assert client.post(f"{A}/offers/{made[0]}/decision", json={"accepted": True}, headers=h["gd1"]).status_code == 200
    assert client.post(f"{A}/offers/{made[1]}/decision", json={"accepted": False}, headers=h["gd1"]).status_code == 200
    assert client.post(f"{A}/offers/{made[1]}/decision", json={"accepted": True}, headers=h["gd1"]).status_code == 409
    assert client.post(f"{A}/offers/{made[2]}/decision", json={"accepted": True}, headers=h["zj"]).status_code == 404
    conv = {(c["channel"], c["segment"]): c for c in client.get(f"{A}/conversion", headers=h["mgr"]).json()}
    assert conv[("agent", "gold")]["rate"] == 0.5 and conv[("agent", "gold")]["shown"] == 2
    assert conv[("self_service", "gold")]["rate"] is None
    assert client.get(f"{A}/conversion", headers=h["zj_sup"]).json() == []


def test_pages_show_tasks_and_record_an_outcome(app: FastAPI, client: TestClient, world: dict[str, Any]) -> None:
    h = world["h"]
    client.post(f"{A}/campaigns", json={"name": "页面活动"}, headers=h["mgr"])
    tasks = client.get(f"{A}/tasks", headers=h["gd1"]).json()
    token = page_login(client, "gd1")
    page = client.get("/insight/tasks")
    assert page.status_code == 200 and tasks[0]["customer_name"] in page.text
    assert f'href="/customers/{tasks[0]["customer_id"]}"' in page.text and "合约将于" in page.text
    r = client.post(f"/insight/tasks/{tasks[0]['id']}/outcome",
                    data={"outcome": "unreachable", "note": "两次未接", "csrf_token": token}, follow_redirects=False)
    assert r.status_code == 303, r.text
    assert "无法联系" in client.get("/insight/tasks").text and "两次未接" in client.get("/insight/tasks").text
    assert "/insight/tasks" in client.get("/").text, "linked from the agent's home"
    assert client.get("/insight").status_code == 403
    page_login(client, "mgr")
    board = client.get("/insight")
    assert board.status_code == 200 and "页面活动" in board.text and 'id="insight-data"' in board.text
    assert "<script>" not in board.text
