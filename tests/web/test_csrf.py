"""CSRF: a page on another site makes the victim's browser post with the victim's session cookie.

Each attack is the request such a page produces: the cookie goes along, the token does not (the attacker
cannot read it), or a token from another session does. The answer must be 403 with the reason, and
nothing may change."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from starlette.websockets import WebSocketDisconnect

from helpers import create_customer, csrf_of, login, make_user, page_login
from telqc.core.rbac import Role

ALERTS = "/api/v1/qa/live/alerts"
EVIL = {"Origin": "https://evil.example", "Referer": "https://evil.example/win-a-phone.html"}


@pytest.fixture
def order(app: FastAPI, client: TestClient) -> dict[str, Any]:
    make_user(app, "adm", Role.admin)
    customer = create_customer(client, login(client, "adm"))
    r = client.post("/api/v1/orders", headers=login(client, "adm"), json={
        "type": "complaint", "category": "complaint.billing", "customer_id": customer["id"], "channel": "hotline",
        "title": "话费多扣", "description": "本月话费多扣了30元，要求退还"})
    assert r.status_code == 201, r.text
    return r.json()


def _timeline(client: TestClient, order_id: int) -> list[Any]:
    r = client.get(f"/api/v1/orders/{order_id}", headers=login(client, "adm"))
    return list(r.json()["timeline"])


def test_cross_site_form_post_without_token_is_refused_and_changes_nothing(
        app: FastAPI, client: TestClient, order: dict[str, Any]) -> None:
    make_user(app, "victim", Role.agent)
    page_login(client, "victim")  # the victim is signed in: the browser holds the session cookie
    before = _timeline(client, order["id"])
    r = client.post(f"/orders/{order['id']}/notes", data={"body": "已为您退款", "public": "true"},
                    headers=EVIL, follow_redirects=False)
    assert r.status_code == 403
    assert "安全令牌" in r.text and "CSRF" in r.text, "the refusal says why, in Chinese"
    assert _timeline(client, order["id"]) == before, "no note was added"


def test_a_token_from_another_session_is_refused(app: FastAPI, client: TestClient, order: dict[str, Any]) -> None:
    make_user(app, "victim", Role.agent)
    make_user(app, "mallory", Role.agent)
    with TestClient(app) as attacker:
        own_token = page_login(attacker, "mallory")  # the attacker's own, valid, token
    page_login(client, "victim")
    before = _timeline(client, order["id"])
    for token in (own_token, "", "0" * 64):
        r = client.post(f"/orders/{order['id']}/notes", data={"body": "x", "csrf_token": token}, headers=EVIL,
                        follow_redirects=False)
        assert r.status_code == 403, token
    r = client.post(f"/orders/{order['id']}/transition", data={"to": "acknowledged"},
                    headers={"X-CSRF-Token": own_token}, follow_redirects=False)
    assert r.status_code == 403
    assert _timeline(client, order["id"]) == before


def test_the_pages_own_token_works_as_field_and_as_htmx_header(
        app: FastAPI, client: TestClient, order: dict[str, Any]) -> None:
    make_user(app, "agent", Role.agent)
    token = page_login(client, "agent")
    page = client.get(f"/orders/{order['id']}").text
    assert f'<meta name="csrf-token" content="{token}">' in page
    assert f'hx-headers=\'{{"X-CSRF-Token": "{token}"}}\'' in page, "HTMX sends it on every request"
    assert csrf_of(page[page.index("<form method=\"post\""):]) == token, "plain forms carry it as a field"
    before = len(_timeline(client, order["id"]))
    r = client.post(f"/orders/{order['id']}/notes", data={"body": "已联系客户", "csrf_token": token},
                    follow_redirects=False)
    assert r.status_code == 303, r.text
    r = client.post(f"/orders/{order['id']}/notes", data={"body": "再次联系"}, headers={"X-CSRF-Token": token},
                    follow_redirects=False)
    assert r.status_code == 303, r.text
    assert len(_timeline(client, order["id"])) == before + 2


def test_cookie_authenticated_json_api_write_needs_the_token_too(app: FastAPI, client: TestClient) -> None:
    make_user(app, "adm", Role.admin)
    token = page_login(client, "adm")
    body = {"code": "NET_OPTIMIZE", "title": "基站参数优化", "answer": "已优化附近基站参数。"}
    assert client.post("/api/v1/kb/solutions", json=body, headers=EVIL).status_code == 403
    codes = [x["code"] for x in client.get("/api/v1/kb/solutions", headers=login(client, "adm")).json()]
    assert "NET_OPTIMIZE" not in codes
    assert client.post("/api/v1/kb/solutions", json=body, headers={"X-CSRF-Token": token}).status_code == 201


def test_bearer_api_call_needs_no_token(app: FastAPI, client: TestClient) -> None:
    make_user(app, "adm", Role.admin)
    headers = login(client, "adm")
    r = client.post("/api/v1/kb/solutions", headers={**headers, **EVIL},
                    json={"code": "NET_OPTIMIZE", "title": "基站参数优化", "answer": "已优化附近基站参数。"})
    assert r.status_code == 201, r.text


def test_logout_by_a_foreign_page_is_refused(app: FastAPI, client: TestClient) -> None:
    make_user(app, "agent", Role.agent)
    page_login(client, "agent")
    assert client.post("/logout", headers=EVIL, follow_redirects=False).status_code == 403
    assert client.get("/", follow_redirects=False).status_code == 200, "still signed in"


def test_login_form_needs_its_pre_session_token(app: FastAPI, client: TestClient) -> None:
    """Login CSRF: a foreign page signs the victim's browser into the attacker's account (whose history the
    attacker then reads). Without the login page's cookie and token, no session is made."""
    make_user(app, "mallory", Role.agent)
    r = client.post("/login", data={"username": "mallory", "password": "correct-horse-9"}, headers=EVIL,
                    follow_redirects=False)
    assert r.status_code == 403 and "安全令牌" in r.text
    assert "telqc_session" not in client.cookies
    client.get("/login")  # the browser has the pre-session cookie, but the foreign page cannot read the token
    r = client.post("/login", data={"username": "mallory", "password": "correct-horse-9", "csrf_token": "guess"},
                    headers=EVIL, follow_redirects=False)
    assert r.status_code == 403 and "telqc_session" not in client.cookies
    with TestClient(app) as other:  # a token the attacker got from their own visit binds to their own cookie
        stolen = csrf_of(other.get("/login").text)
    r = client.post("/login", data={"username": "mallory", "password": "correct-horse-9", "csrf_token": stolen},
                    follow_redirects=False)
    assert r.status_code == 403 and "telqc_session" not in client.cookies


def test_session_cookie_is_samesite_and_httponly(app: FastAPI, client: TestClient) -> None:
    make_user(app, "agent", Role.agent)
    form = client.get("/login")
    prelogin = form.headers["set-cookie"].lower()
    assert "samesite=strict" in prelogin and "httponly" in prelogin
    r = client.post("/login", data={"username": "agent", "password": "correct-horse-9",
                                    "csrf_token": csrf_of(form.text)}, follow_redirects=False)
    cookie = next(c for c in r.headers.get_list("set-cookie") if c.startswith("telqc_session="))
    assert "samesite=lax" in cookie.lower() and "httponly" in cookie.lower()


def test_cross_site_websocket_with_the_session_cookie_is_refused(app: FastAPI, client: TestClient) -> None:
    """A foreign page opens the supervisors' live-alert socket with the victim's cookie: refused at the
    handshake. The site's own page (same Origin) and a gateway without a cookie still connect."""
    app.state.settings = app.state.settings.model_copy(update={"redis_url": "redis://127.0.0.1:1/0"})  # local bus
    make_user(app, "sup", Role.supervisor, region_scope=["440000"])
    page_login(client, "sup")
    with pytest.raises(WebSocketDisconnect) as refused, \
            client.websocket_connect(ALERTS, headers={"Origin": "https://evil.example"}) as ws:
        ws.receive_json()
    assert refused.value.code == 1008
    with client.websocket_connect(ALERTS, headers={"Origin": "http://testserver"}) as ws:
        assert ws.receive_json()["type"] == "ready"
    with TestClient(app) as gateway, gateway.websocket_connect(ALERTS, headers={
            "Origin": "https://evil.example", **login(gateway, "sup")}) as ws:
        assert ws.receive_json()["type"] == "ready", "bearer clients are not affected"
