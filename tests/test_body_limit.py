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


def test_a_multipart_label_does_not_buy_the_upload_cap_on_other_routes(app: FastAPI, client: TestClient) -> None:
    """The 64 MiB upload cap went by the client's Content-Type: any route read a body labelled
    multipart/form-data up to 64 MiB (issue 17: "a 60 MB body is read whole"). Only upload routes get it."""
    make_user(app, "adm", Role.admin)
    h = login(client, "adm")
    before = _count(app)
    multipart = {"content-type": "multipart/form-data; boundary=x"}
    body = b"--x\r\n" + b"a" * (CAP + 1024)  # streamed: no Content-Length to refuse it by
    for url, headers in (("/api/v1/customers", h), ("/login", {})):
        r = client.post(url, content=iter([body]), headers={**headers, **multipart})
        assert r.status_code == 413, (url, r.status_code, r.text[:200])
    assert _count(app) == before


def test_an_upload_route_keeps_the_upload_cap(app: FastAPI, client: TestClient) -> None:
    make_user(app, "imp", Role.inspector)
    h = login(client, "imp")
    blob = b"{not json}\n" * (CAP // 10)  # ~2.2 MiB: above the body cap, within the upload cap
    r = client.post("/api/v1/interactions/import", headers=h,
                    files={"file": ("calls.jsonl", blob, "application/x-ndjson")})
    assert r.status_code == 422, r.text[:200]  # read and judged line by line, not refused for its size


def test_an_oversized_tmf_body_is_a_tmf630_error(app: FastAPI, client: TestClient) -> None:
    """Under /tmf-api every error is a TMF630 body (code, reason, message, status); the 413 was not."""
    make_user(app, "ag", Role.agent, region_scope=["440000"])
    r = client.post("/tmf-api/troubleTicket/v4/troubleTicket", content=_big_customer(),
                    headers={**login(client, "ag"), "content-type": "application/json", "accept-language": "en"})
    assert r.status_code == 413
    body = r.json()
    assert body["code"] == "request.too_large" and body["status"] == "413" and body["@type"] == "Error"
    assert body["reason"] and "2097152" in body["message"] and "bytes" in body["message"], body
