"""Helpers shared by tests: users, logins and customer payloads."""

from __future__ import annotations

import re
from typing import Any

from fastapi import FastAPI
from fastapi.testclient import TestClient

from telqc.core.auth import hash_password
from telqc.core.models import User
from telqc.core.rbac import Role
from telqc.customers.schemas import id_check_char

PASSWORD = "correct-horse-9"

_HASH: dict[str, str] = {}


def password_hash() -> str:
    if "h" not in _HASH:
        _HASH["h"] = hash_password(PASSWORD)
    return _HASH["h"]


def make_user(app: FastAPI, username: str, role: Role, region_scope: list[str] | None = None,
              customer_id: int | None = None) -> int:
    with app.state.sessionmaker() as s:
        u = User(username=username, display_name=username, password_hash=password_hash(), role=role.value,
                 region_scope=region_scope, customer_id=customer_id, skills=[], is_active=True, failed_logins=0,
                 created_at=app.state.clock.now())
        s.add(u)
        s.commit()
        return u.id


def login(client: TestClient, username: str, password: str = PASSWORD) -> dict[str, str]:
    r = client.post("/api/v1/auth/token", data={"username": username, "password": password})
    assert r.status_code == 200, r.text
    return {"Authorization": f"Bearer {r.json()['access_token']}"}


def id_number(district: str = "440106", birth: str = "19880512", seq: str = "123") -> str:
    first17 = f"{district}{birth}{seq}"
    return first17 + id_check_char(first17)


def customer_payload(phone: str = "13812345678", district: str = "440106", **kw: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "name": "张伟", "phones": [phone], "id_number": id_number(district), "address":
        "广东省广州市天河区体育西路100号阳光花园3栋1201室", "district_code": district, "tier": "gold",
        "tags": ["5G用户"], "lifecycle": "in_contract", "joined_on": "2020-03-15", "service_password": "246810",
        "plans": ["5G129", "BB1000"],
    }
    body.update(kw)
    return body


def create_customer(client: TestClient, headers: dict[str, str], **kw: Any) -> dict[str, Any]:
    r = client.post("/api/v1/customers", json=customer_payload(**kw), headers=headers)
    assert r.status_code == 201, r.text
    return r.json()


_TOKEN = re.compile(r'name="csrf-token" content="([^"]*)"|name="csrf_token" value="([^"]*)"')


def csrf_of(html: str) -> str:
    """The CSRF token a page carries (its ``<meta name="csrf-token">`` or a form's ``csrf_token`` field)."""
    found = _TOKEN.search(html)
    assert found, "the page carries no CSRF token"
    return found.group(1) or found.group(2)


def page_login(client: TestClient, username: str, password: str = PASSWORD) -> str:
    """Sign in through the login form, as a browser does (the client keeps the session cookie); returns the
    CSRF token the signed-in pages carry, for the form posts a test makes next."""
    form = client.get("/login")
    r = client.post("/login", data={"username": username, "password": password, "csrf_token": csrf_of(form.text)},
                    follow_redirects=False)
    assert r.status_code == 303, r.text
    return csrf_of(client.get("/").text)
