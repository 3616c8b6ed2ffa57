"""Contacts as a caller sees them over HTTP: opening one, reading it within scope, and what verification records."""

from __future__ import annotations

from datetime import timedelta

from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import select

from helpers import create_customer, id_number, login, make_user
from telqc.core.clock import FrozenClock
from telqc.core.rbac import Role
from telqc.customers.models import VerificationAttempt

PHONE = "13812345678"
IDN = id_number("440106", "19880512", "123")


def _people(app: FastAPI, client: TestClient) -> dict[str, dict[str, str]]:
    make_user(app, "adm", Role.admin)
    make_user(app, "gd_agent", Role.agent, region_scope=["440000"])
    make_user(app, "zj_agent", Role.agent, region_scope=["330000"])
    make_user(app, "boss", Role.supervisor)
    return {name: login(client, name) for name in ("adm", "gd_agent", "zj_agent", "boss")}


def test_open_contact_answers_what_was_opened(app: FastAPI, client: TestClient, clock: FrozenClock) -> None:
    h = _people(app, client)
    r = client.post("/api/v1/contacts", json={"channel": "wechat", "category": "账单查询", "summary": "问月租"},
                    headers=h["gd_agent"])
    assert r.status_code == 201, r.text
    body = r.json()
    me = client.get("/api/v1/auth/me", headers=h["gd_agent"]).json()
    assert body["channel"] == "wechat" and body["direction"] == "in" and body["customer_id"] is None
    assert body["agent_id"] == me["id"] and body["category"] == "账单查询" and body["summary"] == "问月租"
    assert body["started_at"].startswith(clock.now().strftime("%Y-%m-%dT%H:%M"))
    assert (body["identity_verified"], body["verified_method"], body["verified_at"]) == (False, None, None)
    assert client.get(f"/api/v1/contacts/{body['id']}", headers=h["gd_agent"]).json() == body
    trail = client.get("/api/v1/audit", params={"entity_type": "contact", "entity_id": str(body["id"])},
                       headers=h["adm"]).json()
    assert [a["action"] for a in trail] == ["contact.opened"]


def test_bad_input_is_refused_and_names_the_field(app: FastAPI, client: TestClient) -> None:
    h = _people(app, client)
    for body, field in [({"channel": "fax"}, "body.channel"), ({"channel": "app", "agent_id": 1}, "body.agent_id"),
                        ({"channel": "app", "direction": "sideways"}, "body.direction")]:
        r = client.post("/api/v1/contacts", json=body, headers=h["gd_agent"])
        assert r.status_code == 422 and [e["field"] for e in r.json()["detail"]] == [field], r.text
    opened = client.get("/api/v1/audit", params={"entity_type": "contact"}, headers=h["adm"]).json()
    assert opened == [], "a refused contact is not opened"


def test_contact_is_read_within_the_region_of_its_customer(app: FastAPI, client: TestClient) -> None:
    h = _people(app, client)
    c = create_customer(client, h["adm"], phone=PHONE, id_number=IDN)  # a Guangdong customer
    opened = client.post("/api/v1/contacts", json={"channel": "hotline", "customer_id": c["id"]},
                         headers=h["boss"]).json()
    url = f"/api/v1/contacts/{opened['id']}"
    assert client.get(url, headers=h["gd_agent"]).status_code == 200, "same province as the customer"
    assert client.get(url, headers=h["zj_agent"]).status_code == 404, "another province: as if it did not exist"
    assert client.get(url, headers=h["boss"]).status_code == 200, "a nationwide supervisor"


def test_agent_reads_own_contacts_and_those_of_their_region(app: FastAPI, client: TestClient) -> None:
    h = _people(app, client)
    mine = client.post("/api/v1/contacts", json={"channel": "app"}, headers=h["zj_agent"]).json()
    assert client.get(f"/api/v1/contacts/{mine['id']}", headers=h["zj_agent"]).status_code == 200
    assert client.get(f"/api/v1/contacts/{mine['id']}", headers=h["gd_agent"]).status_code == 404
    nowhere = client.post("/api/v1/contacts", json={"channel": "store"}, headers=h["boss"]).json()
    assert client.get(f"/api/v1/contacts/{nowhere['id']}", headers=h["gd_agent"]).status_code == 404
    assert client.get("/api/v1/contacts/999999", headers=h["boss"]).status_code == 404


def test_no_contact_for_a_customer_the_agent_may_not_read(app: FastAPI, client: TestClient) -> None:
    h = _people(app, client)
    c = create_customer(client, h["adm"], phone=PHONE, id_number=IDN)
    r = client.post("/api/v1/contacts", json={"channel": "hotline", "customer_id": c["id"]}, headers=h["zj_agent"])
    assert r.status_code == 404
    r = client.post("/api/v1/contacts", json={"channel": "hotline", "customer_id": 424242}, headers=h["boss"])
    assert r.status_code == 404
    recent = client.get(f"/api/v1/customers/{c['id']}/360", headers=h["boss"]).json()["recent_contacts"]
    assert recent == [], "a refused contact left nothing behind"


def test_verification_marks_the_contact_and_logs_every_attempt(app: FastAPI, client: TestClient,
                                                              clock: FrozenClock) -> None:
    h = _people(app, client)
    c = create_customer(client, h["adm"], phone=PHONE, id_number=IDN)
    contact = client.post("/api/v1/contacts", json={"channel": "hotline"}, headers=h["gd_agent"]).json()
    url = f"/api/v1/contacts/{contact['id']}"
    wrong = client.post(f"{url}/verify", json={"phone": PHONE, "id_last4": "0000"}, headers=h["gd_agent"])
    assert wrong.status_code == 422
    after_wrong = client.get(url, headers=h["gd_agent"]).json()
    assert after_wrong["identity_verified"] is False and after_wrong["customer_id"] is None
    clock.advance(timedelta(minutes=1))
    ok = client.post(f"{url}/verify", json={"phone": PHONE, "service_password": "246810"}, headers=h["gd_agent"])
    assert ok.status_code == 200, ok.text
    shown = client.get(url, headers=h["gd_agent"]).json()
    assert shown["identity_verified"] is True and shown["customer_id"] == c["id"]
    assert shown["verified_method"] == "service_password"
    assert shown["verified_at"].startswith(clock.now().strftime("%Y-%m-%dT%H:%M"))
    with app.state.sessionmaker() as s:
        attempts = s.execute(select(VerificationAttempt.method, VerificationAttempt.success)
                             .where(VerificationAttempt.contact_id == contact["id"])
                             .order_by(VerificationAttempt.id)).all()
    assert [tuple(a) for a in attempts] == [("id_last4", False), ("service_password", True)]
    brief = client.get(f"/api/v1/customers/{c['id']}/360", headers=h["gd_agent"]).json()["recent_contacts"]
    assert [(b["id"], b["identity_verified"]) for b in brief] == [(contact["id"], True)]


def test_customer_sees_only_their_own_contacts(app: FastAPI, client: TestClient) -> None:
    h = _people(app, client)
    mine = create_customer(client, h["adm"], phone=PHONE, id_number=IDN)
    other = create_customer(client, h["adm"], phone="13800000001", id_number=id_number("440106", "19900101", "777"))
    for cid in (mine["id"], other["id"], mine["id"]):
        client.post("/api/v1/contacts", json={"channel": "app", "customer_id": cid}, headers=h["gd_agent"])
    make_user(app, "me", Role.customer, customer_id=mine["id"])
    me = login(client, "me")
    view = client.get("/api/v1/me/customer", headers=me).json()
    assert len(view["recent_contacts"]) == 2
    assert client.get(f"/api/v1/contacts/{view['recent_contacts'][0]['id']}", headers=me).status_code == 403, \
        "a customer reads contacts only through their own profile"
