"""Bad input: 422 naming the field, in the request's language; unknown fields refused; no traces."""

from __future__ import annotations

from typing import NoReturn

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from helpers import customer_payload, login, make_user
from telqc.core.rbac import Role


def _admin(app: FastAPI, client: TestClient) -> dict[str, str]:
    make_user(app, "adm", Role.admin)
    return login(client, "adm")


def test_validation_names_field_in_chinese_by_default(app: FastAPI, client: TestClient) -> None:
    h = _admin(app, client)
    body = customer_payload(phones=["12345"])
    r = client.post("/api/v1/customers", json=body, headers=h)
    assert r.status_code == 422
    err = r.json()["detail"][0]
    assert err["field"] == "body.phones.0"
    assert "手机号码" in err["msg"]


def test_english_on_request(app: FastAPI, client: TestClient) -> None:
    h = _admin(app, client)
    body = customer_payload()
    del body["name"]
    r = client.post("/api/v1/customers", json=body, headers={**h, "Accept-Language": "en-US,en;q=0.9"})
    err = r.json()["detail"][0]
    assert err["field"] == "body.name" and err["msg"] == "field required"
    r = client.post("/api/v1/customers?lang=zh-CN", json=body, headers={**h, "Accept-Language": "en"})
    assert r.json()["detail"][0]["msg"] == "必填字段缺失"


def test_unknown_field_rejected_and_nothing_changes(app: FastAPI, client: TestClient) -> None:
    h = _admin(app, client)
    r = client.post("/api/v1/customers", json=customer_payload(vip_level=9), headers=h)
    assert r.status_code == 422 and r.json()["detail"][0]["field"] == "body.vip_level"
    assert client.get("/api/v1/customers", params={"phone": "13812345678"}, headers=h).json() == []


def test_bad_id_number_check_digit(app: FastAPI, client: TestClient) -> None:
    h = _admin(app, client)
    good = customer_payload()["id_number"]
    bad = good[:17] + ("0" if good[17] != "0" else "1")
    r = client.post("/api/v1/customers", json=customer_payload(id_number=bad), headers=h)
    assert r.status_code == 422 and r.json()["detail"][0]["field"] == "body.id_number"
    assert "校验位" in r.json()["detail"][0]["msg"]


def test_business_rule_error_names_field(app: FastAPI, client: TestClient) -> None:
    h = _admin(app, client)
    r = client.post("/api/v1/customers", json=customer_payload(district_code="999999"), headers=h)
    assert r.status_code == 422 and r.json()["detail"][0]["field"] == "body.district_code"


def test_stale_write_refused(app: FastAPI, client: TestClient) -> None:
    h = _admin(app, client)
    c = client.post("/api/v1/customers", json=customer_payload(), headers=h)
    etag = c.headers["etag"]
    first = client.patch(f"/api/v1/customers/{c.json()['id']}", json={"tier": "vip"}, headers={**h, "If-Match": etag})
    assert first.status_code == 200 and first.headers["etag"] != etag
    stale = client.patch(f"/api/v1/customers/{c.json()['id']}", json={"tier": "silver"},
                         headers={**h, "If-Match": etag})
    assert stale.status_code == 412
    assert client.get(f"/api/v1/customers/{c.json()['id']}", headers=h).json()["tier"] == "vip"


def test_unexpected_error_has_no_stack_trace(app: FastAPI, client: TestClient, monkeypatch: pytest.MonkeyPatch) -> None:
    h = _admin(app, client)
    from telqc.api import customer360

    def boom(*a: object, **k: object) -> NoReturn:
        raise RuntimeError("secret internals")

    monkeypatch.setattr(customer360, "view", boom)
    r = client.get("/api/v1/customers/1/360", headers=h)
    assert r.status_code == 500
    assert "secret internals" not in r.text and "Traceback" not in r.text
    assert "编号" in r.json()["detail"]


@pytest.mark.parametrize(("method", "url", "body", "field"), [
    # a NUL in a query or path parameter reached PostgreSQL's text type: a driver error (the fuzz test's finding)
    ("GET", "/api/v1/incidents?status=open%00", None, "query.status"),
    ("GET", "/api/v1/regions?parent=44%00", None, "query.parent"),
    # a year-1 end made `end - 30 days` an OverflowError
    ("GET", "/api/v1/incidents/kpis?end=0001-01-01T08:21:00Z", None, "query.end"),
    ("GET", "/api/v1/orders?created_to=1279-11-03T20:20:19Z", None, "query.created_to"),
    # an id beyond a PostgreSQL INTEGER column: "integer out of range"
    ("GET", f"/api/v1/orders?owner_id={2**40}", None, "query.owner_id"),
    # a staff member linked to a user that does not exist: a foreign-key IntegrityError
    ("POST", "/api/v1/workforce/staff", {"name": "张三", "user_id": 447, "primary_channel": "app"}, "body.user_id"),
    # 400,000 Erlangs on one queue: Erlang A divided by zero
    ("POST", "/api/v1/workforce/what-if", {"channel": "hotline", "calls": 100000, "aht_s": 7200}, "body.aht_s"),
])
def test_what_the_fuzzer_found_is_a_422_naming_the_field(app: FastAPI, client: TestClient, method: str, url: str,
                                                         body: dict[str, object] | None, field: str) -> None:
    r = client.request(method, url, json=body, headers=_admin(app, client))
    assert r.status_code == 422, r.text
    assert field in [e["field"] for e in r.json()["detail"]], r.text


def test_a_user_is_on_the_staff_list_once(app: FastAPI, client: TestClient) -> None:
    """The fuzzer's second finding: the same user twice was a UNIQUE IntegrityError (a 500)."""
    h = _admin(app, client)
    user = make_user(app, "agent7", Role.agent)
    body = {"name": "李四", "user_id": user, "primary_channel": "hotline"}
    assert client.post("/api/v1/workforce/staff", json=body, headers=h).status_code == 201
    again = client.post("/api/v1/workforce/staff", json=body, headers=h)
    assert again.status_code == 409 and again.json()["field"] == "body.user_id", again.text


@pytest.mark.parametrize("body", [b"[" * 50_000 + b"]" * 50_000, b'{"name": 1' + b"0" * 5000 + b"}",
                                  b'{"name": "\xff\xfe"}'], ids=["nested", "digits", "not-utf8"])
def test_a_body_no_parser_takes_is_a_clean_400_in_the_clients_language(app: FastAPI, client: TestClient,
                                                                      body: bytes) -> None:
    """FastAPI answered these with its English "There was an error parsing the body" (issue 17: clean errors)."""
    make_user(app, "adm", Role.admin)
    make_user(app, "ag", Role.agent, region_scope=["440000"])
    json_type = {"content-type": "application/json"}
    r = client.post("/api/v1/customers", content=body, headers={**login(client, "adm"), **json_type})
    assert r.status_code == 400 and "请求体无法解析" in r.json()["detail"], r.text
    r = client.post("/tmf-api/troubleTicket/v4/troubleTicket", content=body,
                    headers={**login(client, "ag"), **json_type, "accept-language": "en"})
    assert r.status_code == 400, r.text
    tmf = r.json()
    assert tmf["status"] == "400" and tmf["message"].startswith("the request body cannot be parsed"), tmf
