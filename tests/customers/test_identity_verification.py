"""核实客户身份: verification on a contact, lockout after repeated failures, account changes gated."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from fastapi import FastAPI
from fastapi.testclient import TestClient

from helpers import create_customer, id_number, login, make_user
from telqc.core.clock import FrozenClock
from telqc.core.rbac import Role
from telqc.core.settings import Settings

PHONE = "13812345678"
IDN = id_number("440106", "19880512", "123")


def _setup(app: FastAPI, client: TestClient) -> tuple[dict[str, Any], dict[str, str], dict[str, Any]]:
    make_user(app, "adm", Role.admin)
    make_user(app, "agent", Role.agent, region_scope=["440000"])
    c = create_customer(client, login(client, "adm"), phone=PHONE, id_number=IDN)
    h = login(client, "agent")
    contact = client.post("/api/v1/contacts", json={"channel": "hotline"}, headers=h).json()
    return c, h, contact


def test_account_change_refused_until_verified(app: FastAPI, client: TestClient) -> None:
    c, h, contact = _setup(app, client)
    change = {"contact_id": contact["id"], "plan_code": "5G199", "replaces": "5G129"}
    refused = client.post(f"/api/v1/customers/{c['id']}/plan-change", json=change, headers=h)
    assert refused.status_code == 409
    assert "核实" in refused.json()["detail"] and refused.json()["field"] == "body.contact_id"
    plans = client.get(f"/api/v1/customers/{c['id']}", headers=h).json()["plans"]
    assert sorted(p["code"] for p in plans) == ["5G129", "BB1000"], "refusal changed nothing"

    ok = client.post(f"/api/v1/contacts/{contact['id']}/verify", json={"phone": PHONE, "id_last4": IDN[-4:]},
                     headers=h)
    assert ok.status_code == 200 and ok.json() == {"verified": True, "customer_id": c["id"], "method": "id_last4"}
    assert client.get(f"/api/v1/contacts/{contact['id']}", headers=h).json()["identity_verified"] is True

    done = client.post(f"/api/v1/customers/{c['id']}/plan-change", json=change, headers=h)
    assert done.status_code == 200, done.text
    assert sorted(p["code"] for p in done.json()["plans"]) == ["5G199", "BB1000"]


def test_service_password_works_too(app: FastAPI, client: TestClient) -> None:
    _c, h, contact = _setup(app, client)
    r = client.post(f"/api/v1/contacts/{contact['id']}/verify",
                    json={"phone": PHONE, "service_password": "246810"}, headers=h)
    assert r.status_code == 200 and r.json()["method"] == "service_password"


def test_lockout_after_failures_then_release(app: FastAPI, client: TestClient, clock: FrozenClock,
                                             settings: Settings) -> None:
    c, h, contact = _setup(app, client)
    url = f"/api/v1/contacts/{contact['id']}/verify"
    wrong = {"phone": PHONE, "id_last4": "0000"}
    for left in range(settings.verify_max_failures - 1, 0, -1):
        r = client.post(url, json=wrong, headers=h)
        assert r.status_code == 422 and str(left) in r.json()["message"], r.text
    r = client.post(url, json=wrong, headers=h)
    assert r.status_code == 423
    right = {"phone": PHONE, "id_last4": IDN[-4:]}
    assert client.post(url, json=right, headers=h).status_code == 423, "locked even with the right answer"
    clock.advance(timedelta(minutes=settings.verify_lockout_minutes + 1))
    assert client.post(url, json=right, headers=h).status_code == 200
    address = client.post(f"/api/v1/customers/{c['id']}/address-change",
                          json={"contact_id": contact["id"], "address": "广东省广州市天河区新地址1号"}, headers=h)
    assert address.status_code == 200


def test_verification_on_other_customer_does_not_unlock_changes(app: FastAPI, client: TestClient) -> None:
    c, h, contact = _setup(app, client)
    other = create_customer(client, login(client, "adm"), phone="13800000001",
                            id_number=id_number("440106", "19900101", "777"))
    client.post(f"/api/v1/contacts/{contact['id']}/verify",
                json={"phone": "13800000001", "id_last4": id_number("440106", "19900101", "777")[-4:]}, headers=h)
    r = client.post(f"/api/v1/customers/{c['id']}/address-change",
                    json={"contact_id": contact["id"], "address": "广东省广州市天河区新地址1号"}, headers=h)
    assert r.status_code == 409
    assert other["id"] != c["id"]


def test_verify_needs_exactly_one_secret(app: FastAPI, client: TestClient) -> None:
    _, h, contact = _setup(app, client)
    r = client.post(f"/api/v1/contacts/{contact['id']}/verify", json={"phone": PHONE}, headers=h)
    assert r.status_code == 422
