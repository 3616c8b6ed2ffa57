"""Routing, manual escalation, listing and input errors through the API."""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.testclient import TestClient

from helpers import create_customer, id_number, login
from orders.orders_helpers import World, staff
from telqc.core.rbac import Role


def test_auto_assign_vip_to_senior_and_by_load(app: FastAPI, client: TestClient) -> None:
    w = World(app, client)  # agent1 (no skills), senior1 (senior, complaint), sup1
    vip = create_customer(client, w.admin, phone="13900000004", tier="vip",
                          id_number=id_number("440106", "19700101", "444"))
    o = w.create(customer_id=vip["id"], auto_assign=True)
    assert o["handler_id"] == w.senior_id and o["owner_id"] == w.agent_id
    assert o["priority"] == "P1"
    # regular customers: billing skill holder first, then the lowest load
    biller = staff(app, "biller", Role.agent, skills=["billing"])
    regular = create_customer(client, w.admin, phone="13900000005", tier="regular",
                              id_number=id_number("440106", "19700101", "555"))
    first = w.create(customer_id=regular["id"], auto_assign=True)
    assert first["handler_id"] == biller
    staff(app, "biller2", Role.agent, skills=["billing"])
    second = w.create(customer_id=regular["id"], auto_assign=True)
    assert second["handler_id"] != biller, "the less loaded billing agent gets the next one"
    # reassignment by a supervisor; agents may not assign
    r = client.post(f"/api/v1/orders/{second['id']}/assign", json={"handler_id": w.agent_id}, headers=w.agent)
    assert r.status_code == 403
    r = client.post(f"/api/v1/orders/{second['id']}/assign", json={"handler_id": w.agent_id}, headers=w.sup)
    assert r.status_code == 200 and r.json()["handler_id"] == w.agent_id
    zj = staff(app, "agent_zj", Role.agent, province="330000")
    r = client.post(f"/api/v1/orders/{second['id']}/assign", json={"handler_id": zj}, headers=w.sup)
    assert r.status_code == 422 and r.json()["detail"][0]["field"] == "body.handler_id"


def test_manual_escalation_only_upwards(app: FastAPI, client: TestClient) -> None:
    w = World(app, client)
    regular = create_customer(client, w.admin, phone="13900000006", tier="regular",
                              id_number=id_number("440106", "19700101", "666"))
    o = w.create(customer_id=regular["id"], category="complaint.attitude")
    assert o["priority"] == "P2"
    r = client.post(f"/api/v1/orders/{o['id']}/escalate", json={"level": "manager", "reason": "客户情绪激动"},
                    headers=w.agent)
    assert r.status_code == 200, r.text
    assert r.json()["escalation_level"] == "manager" and r.json()["priority"] == "P1"
    assert any(i["kind"] == "escalation" and "客户情绪激动" in i["text"] for i in r.json()["timeline"])
    r = client.post(f"/api/v1/orders/{o['id']}/escalate", json={"level": "team_lead", "reason": "x"},
                    headers=w.agent)
    assert r.status_code == 422 and r.json()["detail"][0]["field"] == "body.level"


def test_list_filters_pagination_and_region_scope(app: FastAPI, client: TestClient) -> None:
    w = World(app, client)
    ids = [w.create()["id"] for _ in range(3)]
    w.create(type="consultation", category="consultation.plan", title="套餐咨询", description="有什么5G套餐")
    page = client.get("/api/v1/orders", params={"type": "complaint", "limit": 2}, headers=w.agent).json()
    assert page["total"] == 3 and [o["id"] for o in page["items"]] == ids[::-1][:2]
    page2 = client.get("/api/v1/orders", params={"type": "complaint", "limit": 2, "offset": 2}, headers=w.agent).json()
    assert [o["id"] for o in page2["items"]] == [ids[0]]
    w.move(ids[0], "acknowledged")
    acked = client.get("/api/v1/orders", params={"status": "acknowledged"}, headers=w.agent).json()
    assert [o["id"] for o in acked["items"]] == [ids[0]]
    staff(app, "agent_zj", Role.agent, province="330000")
    zj = login(client, "agent_zj")
    assert client.get("/api/v1/orders", headers=zj).json()["total"] == 0
    assert client.get(f"/api/v1/orders/{ids[0]}", headers=zj).status_code == 404
    panel = client.get(f"/api/v1/customers/{w.customer_id}/360", headers=w.agent).json()
    assert {o["id"] for o in panel["orders"]} == {*ids, ids[-1] + 1}


def test_bad_input_names_the_field_and_changes_nothing(app: FastAPI, client: TestClient) -> None:
    w = World(app, client)
    base = {"type": "complaint", "category": "complaint.billing", "customer_id": w.customer_id, "title": "t",
            "description": "d"}
    cases: list[tuple[dict[str, object], str]] = [
        ({"category": "nope"}, "body.category"), ({"category": "repair.iptv"}, "body.category"),
        ({"customer_id": 999999}, "body.customer_id"), ({"type": "gossip"}, "body.type"),
        ({"title": ""}, "body.title"), ({"colour": "red"}, "body.colour")]
    for patch, field in cases:
        r = client.post("/api/v1/orders", json={**base, **patch}, headers=w.agent)
        assert r.status_code == 422, (patch, r.text)
        assert r.json()["detail"][0]["field"] == field, (patch, r.json())
    assert client.get("/api/v1/orders", headers=w.agent).json()["total"] == 0
    oid = w.create()["id"]
    r = client.post(f"/api/v1/orders/{oid}/transition", json={"to": "acknowledged", "x": 1}, headers=w.agent)
    assert r.status_code == 422
    w.move(oid, "acknowledged")
    r = client.post(f"/api/v1/orders/{oid}/transition", json={"to": "pending"}, headers=w.agent)
    assert r.status_code == 422 and r.json()["detail"][0]["field"] == "body.pending_reason"
    cats = client.get("/api/v1/order-categories", headers=w.agent).json()
    assert {c["name"] for c in cats} >= {"网络质量", "资费争议", "服务态度", "产品质量", "技术故障", "业务办理差错"}
