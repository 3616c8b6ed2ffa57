"""Oversized bodies are refused with 413 before they are read whole, and change nothing (issue 17)."""

from __future__ import annotations

import json
from collections.abc import Iterator

from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import text

from helpers import customer_payload, login, make_user
from telqc.core.rbac import Role

CAP = 2 * 1024 * 1024  # Settings.max_body_bytes default


def _big_customer() -> bytes:
    body = customer_payload()
    body["name"] = "张" * (CAP // 2)  # ~3 MiB of UTF-8, far past the cap and any field limit
    return json.dumps(body, ensure_ascii=False).encode()


def _count(app: FastAPI) -> int:
    with app.state.sessionmaker() as session:
        return int(session.execute(text("SELECT count(*) FROM customers")).scalar_one())


def test_content_length_over_cap_is_413(app: FastAPI, client: TestClient) -> None:
    make_user(app, "adm", Role.admin)
    h = login(client, "adm")
    before = _count(app)
    r = client.post("/api/v1/customers", content=_big_customer(),
                    headers={**h, "content-type": "application/json"})
    assert r.status_code == 413
    assert r.json()["code"] == "request.too_large"
    assert _count(app) == before
    ok = client.post("/api/v1/customers", json=customer_payload(), headers=h)
    assert ok.status_code == 201, ok.text


def test_chunked_body_over_cap_is_413(app: FastAPI, client: TestClient) -> None:
    make_user(app, "adm", Role.admin)
    h = login(client, "adm")
    before = _count(app)
    data = _big_customer()

    def chunks() -> Iterator[bytes]:
        for i in range(0, len(data), 64 * 1024):
            yield data[i:i + 64 * 1024]

    r = client.post("/api/v1/customers", content=chunks(), headers={**h, "content-type": "application/json"})
    assert r.status_code == 413
    assert _count(app) == before


def test_body_under_cap_passes_to_validation(app: FastAPI, client: TestClient) -> None:
    make_user(app, "adm", Role.admin)
    h = login(client, "adm")
    body = customer_payload()
    body["name"] = "张" * 10_000  # under the cap: the field's own limit answers
    r = client.post("/api/v1/customers", json=body, headers=h)
    assert r.status_code == 422
