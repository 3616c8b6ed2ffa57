"""Configuring categories, business calendars and SLA policies through the API (orders:admin)."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any
from urllib.parse import quote

from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from orders.orders_helpers import World
from telqc.core import audit
from telqc.core.audit import AuditEntry
from telqc.core.clock import FrozenClock
from telqc.orders import config
from telqc.orders.models import Order, OrderCalendar, OrderSlaPolicy

ROAMING = {"code": "consultation.roaming", "parent_code": "consultation", "order_type": "consultation",
           "name": "国际漫游咨询", "name_en": "Roaming enquiry", "severity": 2, "department": "国际业务部",
           "skill": "roaming"}
WEEKLY = {str(i): "09:00-12:00,13:30-18:00" for i in range(5)}


def _field(r: Any) -> str:
    """The field a 422 (list of field errors) or a 409 (one error) names."""
    body = r.json()
    return body["detail"][0]["field"] if r.status_code == 422 else body["field"]


def _audits(app: FastAPI, action: str, entity_id: str) -> int:
    with app.state.sessionmaker() as s:
        return s.scalar(select(func.count()).select_from(AuditEntry)
                        .where(AuditEntry.action == action, AuditEntry.entity_id == entity_id)) or 0


def _calendars(client: TestClient, headers: dict[str, str]) -> list[dict[str, Any]]:
    r = client.get("/api/v1/order-calendars", headers=headers)
    assert r.status_code == 200, r.text
    return r.json()


def test_admin_adds_a_subcategory_that_agents_can_use(app: FastAPI, client: TestClient) -> None:
    w = World(app, client)
    r = client.post("/api/v1/order-categories", json=ROAMING, headers=w.admin)
    assert r.status_code == 201, r.text
    assert r.json() == {**ROAMING, "active": True}
    listed = client.get("/api/v1/order-categories", headers=w.agent).json()
    assert any(c["code"] == "consultation.roaming" for c in listed)

    o = w.create(type="consultation", category="consultation.roaming", title="出国漫游", description="漫游怎么开通")
    assert o["department"] == "国际业务部"
    assert o["priority"] == "P2"  # severity 2 for a gold customer; the default consultation leaves are P3
    plain = w.create(type="consultation", category="consultation.plan", title="套餐", description="套餐咨询")
    assert plain["priority"] == "P3"
    assert _audits(app, "orders.category_created", "consultation.roaming") == 1

    r = client.post("/api/v1/order-categories", json=ROAMING, headers=w.admin)
    assert r.status_code == 409 and _field(r) == "body.code", r.text
    r = client.post("/api/v1/order-categories", json={**ROAMING, "code": "consultation.x", "parent_code": "nope"},
                    headers=w.admin)
    assert r.status_code == 422 and _field(r) == "body.parent_code", r.text
    r = client.post("/api/v1/order-categories", json={**ROAMING, "code": "consultation.y", "parent_code": "repair"},
                    headers=w.admin)
    assert r.status_code == 422 and _field(r) == "body.parent_code", r.text
    r = client.post("/api/v1/order-categories", json={**ROAMING, "code": "consultation.z", "severity": 5},
                    headers=w.admin)
    assert r.status_code == 422 and _field(r) == "body.severity", r.text
    r = client.post("/api/v1/order-categories", json={**ROAMING, "code": "consultation.w"}, headers=w.agent)
    assert r.status_code == 403
    assert _audits(app, "orders.category_created", "consultation.x") == 0


def test_deactivated_category_refuses_new_orders(app: FastAPI, client: TestClient) -> None:
    w = World(app, client)
    before = w.create()  # complaint.billing
    url = "/api/v1/order-categories/complaint.billing"
    r = client.patch(url, json={"active": False, "name": "资费争议（旧）"}, headers=w.admin)
    assert r.status_code == 200, r.text
    assert r.json()["active"] is False and r.json()["name"] == "资费争议（旧）"
    assert r.json()["department"] == "计费部" and r.json()["order_type"] == "complaint"
    assert _audits(app, "orders.category_updated", "complaint.billing") == 1

    r = client.post("/api/v1/orders", json={"type": "complaint", "category": "complaint.billing",
                                            "customer_id": w.customer_id, "title": "话费", "description": "多扣"},
                    headers=w.agent)
    assert r.status_code == 422 and _field(r) == "body.category", r.text
    assert client.get(f"/api/v1/orders/{before['id']}", headers=w.agent).json()["category"] == "complaint.billing"

    r = client.patch(url, json={"code": "complaint.fees"}, headers=w.admin)
    assert r.status_code == 422 and _field(r) == "body.code", r.text
    r = client.patch(url, json={"name": None}, headers=w.admin)
    assert r.status_code == 422 and _field(r) == "body.name", r.text
    assert client.patch("/api/v1/order-categories/complaint.nope", json={"active": True},
                        headers=w.admin).status_code == 404
    assert client.patch(url, json={"active": True}, headers=w.agent).status_code == 403

    r = client.patch(url, json={"active": True, "skill": None}, headers=w.admin)
    assert r.status_code == 200 and r.json()["skill"] is None, r.text
    assert w.create()["category"] == "complaint.billing"
    assert _audits(app, "orders.category_updated", "complaint.billing") == 2


def test_bad_calendar_is_refused_and_nothing_changes(app: FastAPI, client: TestClient) -> None:
    w = World(app, client)
    _calendars(client, w.admin)  # the first read writes the default configuration
    stored = _calendars(client, w.admin)
    assert {c["name"] for c in stored} == {config.BUSINESS_CALENDAR, config.ALWAYS_OPEN_CALENDAR}
    url = f"/api/v1/order-calendars/{config.BUSINESS_CALENDAR}"
    good = {"tz_name": "Asia/Shanghai", "weekly": WEEKLY, "cn_holidays": True}
    for body, field in [
        ({**good, "weekly": {**WEEKLY, "2": "18:00-09:00"}}, "body.weekly.2"),
        ({**good, "weekly": {**WEEKLY, "1": "09:00-12:00,13:30"}}, "body.weekly.1"),
        ({**good, "weekly": {**WEEKLY, "7": "09:00-18:00"}}, "body.weekly.7"),
        ({**good, "weekly": {"0": "", "6": ""}}, "body.weekly"),
        ({**good, "tz_name": "Mars/Olympus"}, "body.tz_name"),
        ({**good, "extra_holidays": ["2026-13-01"]}, "body.extra_holidays.0"),
        ({**good, "extra_holidays": ["9999-12-31"]}, "body.extra_holidays.0"),  # issue 17: out of range
        ({**good, "makeup_days": ["0001-01-01"]}, "body.makeup_days.0"),
        ({**good, "extra_holidays": ["2026-12-26"], "makeup_days": ["2026-12-26"]}, "body.makeup_days.0"),
    ]:
        r = client.put(url, json=body, headers=w.admin)
        assert r.status_code == 422 and _field(r) == field, (field, r.text)
    assert _calendars(client, w.admin) == stored
    assert _audits(app, "orders.calendar_replaced", config.BUSINESS_CALENDAR) == 0
    assert client.put(url, json=good, headers=w.agent).status_code == 403
    assert client.get("/api/v1/order-calendars", headers=w.agent).status_code == 403

    night = {"tz_name": "Asia/Urumqi", "weekly": {"5": "20:00-24:00", "6": "00:00-06:00"}, "cn_holidays": False,
             "extra_holidays": ["2026-12-31"]}
    r = client.put("/api/v1/order-calendars/night", json=night, headers=w.admin)
    assert r.status_code == 201, r.text
    assert r.json()["weekly"] == night["weekly"] and r.json()["extra_holidays"] == ["2026-12-31"]
    r = client.put("/api/v1/order-calendars/night", json={**night, "extra_holidays": []}, headers=w.admin)
    assert r.status_code == 200 and r.json()["extra_holidays"] == [], r.text
    assert _audits(app, "orders.calendar_created", "night") == 1
    assert _audits(app, "orders.calendar_replaced", "night") == 1
    assert len(_calendars(client, w.admin)) == 3


def test_policy_change_applies_to_the_next_order(app: FastAPI, client: TestClient, clock: FrozenClock) -> None:
    w = World(app, client)
    first = w.create()
    with app.state.sessionmaker() as s:
        policy = s.get(OrderSlaPolicy, s.get(Order, first["id"]).sla_policy_id)
        cal = config.build_calendar(s.get(OrderCalendar, policy.calendar_name))
        name, fr, res = policy.name, policy.first_response_min, policy.resolution_min
    assert name == "投诉-P1"  # complaint raised to P1 for a gold customer
    first_due = datetime.fromisoformat(first["resolution_due"])
    assert first_due == cal.add(clock.now(), timedelta(minutes=res))

    body = {"order_type": "complaint", "priority": "P1", "first_response_min": fr, "resolution_min": res * 2,
            "calendar_name": config.BUSINESS_CALENDAR}
    url = f"/api/v1/order-sla-policies/{quote(name)}"
    r = client.put(url, json=body, headers=w.admin)
    assert r.status_code == 200, r.text
    assert r.json()["resolution_min"] == res * 2 and r.json()["name"] == name
    assert _audits(app, "orders.sla_policy_replaced", name) == 1

    second = w.create(category="complaint.attitude", title="态度差", description="客服态度不好")
    second_due = datetime.fromisoformat(second["resolution_due"])
    assert second_due == cal.add(clock.now(), timedelta(minutes=res * 2)) and second_due > first_due
    kept = client.get(f"/api/v1/orders/{first['id']}", headers=w.agent).json()
    assert datetime.fromisoformat(kept["resolution_due"]) == first_due  # computed deadlines stay

    for bad, field in [
        ({**body, "calendar_name": "nowhere"}, "body.calendar_name"),
        ({**body, "resolution_min": fr - 1}, "body.resolution_min"),
        ({**body, "priority": "P9"}, "body.priority"),
        ({**body, "area": "suburb"}, "body.area"),
        ({**body, "warn_fraction": 1.5}, "body.warn_fraction"),
    ]:
        r = client.put(url, json=bad, headers=w.admin)
        assert r.status_code == 422 and _field(r) == field, (field, r.text)
    assert client.put(url, json=body, headers=w.agent).status_code == 403
    assert client.get("/api/v1/order-sla-policies", headers=w.agent).status_code == 403

    vip = {"order_type": "complaint", "priority": "P1", "tier": "vip", "first_response_min": 15,
           "resolution_min": 240, "calendar_name": config.ALWAYS_OPEN_CALENDAR, "always_open": True}
    r = client.put(f"/api/v1/order-sla-policies/{quote('投诉-P1-VIP')}", json=vip, headers=w.admin)
    assert r.status_code == 201, r.text
    r = client.put("/api/v1/order-sla-policies/vip-copy", json=vip, headers=w.admin)
    assert r.status_code == 409, r.text  # the same key twice would make the policy table ambiguous
    assert _audits(app, "orders.sla_policy_created", "投诉-P1-VIP") == 1
    listed = client.get("/api/v1/order-sla-policies", headers=w.admin).json()
    assert [p["name"] for p in listed if p["tier"] == "vip" and p["priority"] == "P1"] == ["投诉-P1-VIP"]
    with app.state.sessionmaker() as s:
        assert audit.verify(s).ok


def test_policy_change_that_leaves_orders_uncovered_is_refused(app: FastAPI, client: TestClient) -> None:
    w = World(app, client)
    base = {"first_response_min": 240, "resolution_min": 2250, "calendar_name": config.BUSINESS_CALENDAR}
    r = client.put(f"/api/v1/order-sla-policies/{quote('默认')}",
                   json={**base, "order_type": "consultation", "priority": "P4"}, headers=w.admin)
    assert r.status_code == 200, r.text  # every type still has its own wildcard rule
    r = client.put(f"/api/v1/order-sla-policies/{quote('咨询')}",
                   json={**base, "order_type": "consultation", "priority": "P2"}, headers=w.admin)
    assert r.status_code == 422 and _field(r) == "body.priority", r.text  # consultation P3 would have no rule
    listed = {p["name"]: p for p in client.get("/api/v1/order-sla-policies", headers=w.admin).json()}
    assert listed["咨询"]["priority"] is None
    assert w.create(type="consultation", category="consultation.plan", title="套餐", description="套餐咨询")
