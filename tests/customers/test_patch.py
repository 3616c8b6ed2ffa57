"""Customer PATCH semantics (issue 17): only sent fields change, null clears contract_end and is refused elsewhere."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from helpers import create_customer, customer_payload, login, make_user
from telqc.core.rbac import Role


@pytest.fixture
def setup(app: FastAPI, client: TestClient) -> tuple[dict[str, str], int]:
    make_user(app, "adm", Role.admin)
    h = login(client, "adm")
    return h, create_customer(client, h)["id"]


def test_contract_end_set_and_cleared(client: TestClient, setup: tuple[dict[str, str], int]) -> None:
    h, cid = setup
    r = client.patch(f"/api/v1/customers/{cid}", json={"contract_end": "2027-06-30"}, headers=h)
    assert r.status_code == 200 and r.json()["contract_end"] == "2027-06-30", r.text
    assert client.get(f"/api/v1/customers/{cid}", headers=h).json()["contract_end"] == "2027-06-30"
    r = client.patch(f"/api/v1/customers/{cid}", json={"contract_end": None}, headers=h)
    assert r.status_code == 200 and r.json()["contract_end"] is None, r.text
    after = client.get(f"/api/v1/customers/{cid}", headers=h).json()
    assert after["contract_end"] is None and after["tier"] == "gold" and after["tags"] == ["5G用户"]


def test_tier_lifecycle_and_tags_change(client: TestClient, setup: tuple[dict[str, str], int]) -> None:
    h, cid = setup
    r = client.patch(f"/api/v1/customers/{cid}", json={"tier": "vip", "lifecycle": "churn_risk",
                                                        "tags": ["携号转网风险", "x" * 40]}, headers=h)
    assert r.status_code == 200, r.text
    got = client.get(f"/api/v1/customers/{cid}", headers=h).json()
    assert (got["tier"], got["lifecycle"], got["tags"]) == ("vip", "churn_risk", ["携号转网风险", "x" * 40])
    r = client.patch(f"/api/v1/customers/{cid}", json={"tags": []}, headers=h)
    assert r.status_code == 200 and r.json()["tags"] == []


@pytest.mark.parametrize(("body", "field"), [
    ({"lifecycle": None}, "lifecycle"), ({"tier": None}, "tier"), ({"tags": None}, "tags"),
    ({"tags": ["x" * 41]}, "tags"), ({"tags": [""]}, "tags"), ({"contract_end": "9999-12-31"}, "contract_end"),
    ({"contract_end": "0001-01-01"}, "contract_end"),
])
def test_bad_patch_is_422_naming_the_field_and_changes_nothing(
        client: TestClient, setup: tuple[dict[str, str], int], body: dict[str, Any], field: str) -> None:
    h, cid = setup
    before = client.get(f"/api/v1/customers/{cid}", headers=h).json()
    r = client.patch(f"/api/v1/customers/{cid}", json=body, headers=h)
    assert r.status_code == 422, r.text
    assert r.json()["detail"][0]["loc"][:2] == ["body", field], r.text
    assert client.get(f"/api/v1/customers/{cid}", headers=h).json() == before


def test_create_refuses_long_tag(app: FastAPI, client: TestClient) -> None:
    make_user(app, "adm", Role.admin)
    r = client.post("/api/v1/customers", json=customer_payload(tags=["y" * 41]), headers=login(client, "adm"))
    assert r.status_code == 422 and r.json()["detail"][0]["loc"][:2] == ["body", "tags"], r.text
