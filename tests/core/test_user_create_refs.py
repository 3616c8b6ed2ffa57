"""Creating a user with an unknown customer or team is a 422 naming the field (issue 17: it was a 500)."""

from __future__ import annotations

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from helpers import create_customer, login, make_user
from telqc.core.models import User
from telqc.core.rbac import Role


def _count(app: FastAPI) -> int:
    with app.state.sessionmaker() as s:
        return int(s.scalar(select(func.count()).select_from(User)) or 0)


@pytest.mark.parametrize(("extra", "field"), [({"customer_id": 987654}, "customer_id"),
                                              ({"team_id": 987654}, "team_id")])
def test_unknown_reference_is_422_and_creates_nothing(app: FastAPI, client: TestClient, extra: dict[str, int],
                                                      field: str) -> None:
    make_user(app, "adm", Role.admin)
    h = login(client, "adm")
    before = _count(app)
    r = client.post("/api/v1/users", json={"username": "cust1", "password": "correct-horse-9",
                                            "role": "customer", **extra}, headers=h)
    assert r.status_code == 422, r.text
    assert r.json()["detail"][0]["field"] == field, r.text
    assert _count(app) == before


def test_known_customer_links(app: FastAPI, client: TestClient) -> None:
    make_user(app, "adm", Role.admin)
    h = login(client, "adm")
    cid = create_customer(client, h)["id"]
    r = client.post("/api/v1/users", json={"username": "cust1", "password": "correct-horse-9",
                                            "role": "customer", "customer_id": cid}, headers=h)
    assert r.status_code == 201, r.text
    with app.state.sessionmaker() as s:
        assert s.scalar(select(User.customer_id).where(User.username == "cust1")) == cid
