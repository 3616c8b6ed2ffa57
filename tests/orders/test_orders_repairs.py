"""Fault repair: dispatch by area and skill, engineer updates drive the order, urban/rural targets."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from fastapi import FastAPI
from fastapi.testclient import TestClient

from helpers import create_customer, id_number, login
from orders.orders_helpers import World, staff
from telqc.core.clock import FrozenClock
from telqc.core.rbac import Role

REPAIR: dict[str, Any] = {"type": "repair", "category": "repair.broadband", "title": "宽带断网",
                          "description": "光猫红灯，无法上网",
                          "repair": {"product": "千兆宽带", "serial": "ZTE-F7600-001", "purchase_date": "2024-05-01"}}


def test_repair_dispatch_and_engineer_updates(app: FastAPI, client: TestClient, clock: FrozenClock) -> None:
    w = World(app, client)
    near = staff(app, "eng_tianhe", Role.engineer, skills=["broadband", "440106"])
    staff(app, "eng_gd", Role.engineer, skills=["broadband"])
    staff(app, "eng_zj", Role.engineer, province="330000", skills=["broadband", "440106"])
    o = w.create(**REPAIR)
    oid = o["id"]
    assert o["repair"]["product"] == "千兆宽带" and o["repair"]["engineer_id"] is None
    start = clock.now() + timedelta(hours=3)
    r = client.post(f"/api/v1/orders/{oid}/dispatch", headers=w.sup,
                    json={"appointment_start": start.isoformat(), "appointment_end": (start + timedelta(hours=2))
                          .isoformat()})
    assert r.status_code == 200, r.text
    assert r.json()["engineer_id"] == near, "same district and skill first"
    assert datetime.fromisoformat(r.json()["response_due"]) == clock.now() + timedelta(minutes=60)
    other = login(client, "eng_gd")
    assert client.post(f"/api/v1/repairs/{oid}/updates", json={"status": "accepted"}, headers=other).status_code == 404
    eng = login(client, "eng_tianhe")
    assert [j["id"] for j in client.get("/api/v1/repairs/mine", headers=eng).json()] == [oid]
    clock.advance(timedelta(minutes=20))
    accepted = clock.now()
    r = client.post(f"/api/v1/repairs/{oid}/updates", json={"status": "accepted"}, headers=eng)
    assert r.status_code == 200 and r.json()["accepted_at"]
    for st in ("on_the_way", "on_site", "parts_needed"):
        assert client.post(f"/api/v1/repairs/{oid}/updates", json={"status": st}, headers=eng).status_code == 200
    got = client.get(f"/api/v1/orders/{oid}", headers=w.agent).json()
    assert got["status"] == "pending" and got["pending_reason"] == "third_party"
    r = client.post(f"/api/v1/repairs/{oid}/updates", json={"status": "fixed", "note": "更换光猫"}, headers=eng)
    assert r.status_code == 200
    got = client.get(f"/api/v1/orders/{oid}", headers=w.agent).json()
    assert got["status"] == "resolved" and got["solution_code"] == "fixed_onsite"
    assert datetime.fromisoformat(got["first_response_at"]) == accepted, "acceptance is the field response"
    engineer_steps = [i["data"]["to"] for i in got["timeline"] if i["kind"] == "engineer_status"]
    assert engineer_steps == ["accepted", "on_the_way", "on_site", "parts_needed", "fixed"]


def test_rural_response_target_differs(app: FastAPI, client: TestClient, clock: FrozenClock) -> None:
    w = World(app, client)
    rural = create_customer(client, w.admin, phone="13900000002", district="440117",
                            id_number=id_number("440117", "19900101", "222"), address="广州市从化区良口镇某村12号")
    urban = w.create(**REPAIR)
    far = w.create(**{**REPAIR, "customer_id": rural["id"]})
    assert urban["area_type"] == "urban" and far["area_type"] == "rural"
    now = clock.now()
    assert datetime.fromisoformat(urban["first_response_due"]) == now + timedelta(minutes=60)
    assert datetime.fromisoformat(far["first_response_due"]) == now + timedelta(minutes=120)
    assert datetime.fromisoformat(urban["resolution_due"]) == now + timedelta(hours=12), "7×24 repair policy"


def test_repair_needs_details_and_dispatch_validates(app: FastAPI, client: TestClient) -> None:
    w = World(app, client)
    body = {k: v for k, v in REPAIR.items() if k != "repair"}
    r = client.post("/api/v1/orders", json={**body, "customer_id": w.customer_id}, headers=w.agent)
    assert r.status_code == 422 and r.json()["detail"][0]["field"] == "body.repair"
    oid = w.create(**REPAIR)["id"]
    r = client.post(f"/api/v1/orders/{oid}/dispatch", json={}, headers=w.sup)
    assert r.status_code == 422 and r.json()["detail"][0]["field"] == "body.engineer_id", "no engineer in the area"
    complaint = w.create()["id"]
    r = client.post(f"/api/v1/orders/{complaint}/dispatch", json={}, headers=w.sup)
    assert r.status_code == 422 and r.json()["detail"][0]["field"] == "path.order_id"
