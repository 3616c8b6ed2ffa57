"""Security headers on every answer: a page, an API answer, static files, a 404, a 422 and a 500.

The attacker's angle: a script injected into a page (a customer's name, an order title) must not run, the
app must not be framed by another site (clickjacking the order actions), nor leak URLs in Referer."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from helpers import login, make_user, page_login
from telqc.api.app import create_app
from telqc.core.clock import FrozenClock
from telqc.core.rbac import Role
from telqc.core.settings import Settings

STRICT = {"x-frame-options": "DENY", "referrer-policy": "strict-origin-when-cross-origin",
          "x-content-type-options": "nosniff"}


def _assert_protected(r: httpx.Response) -> None:
    for name, value in STRICT.items():
        assert r.headers.get(name) == value, f"{r.request.url.path} {r.status_code}: {name}"
    csp = r.headers["content-security-policy"]
    directives = {d.split()[0]: d.split()[1:] for d in csp.split("; ")}
    assert directives["script-src"] == ["'self'"], "no inline script, no eval, no other origin"
    assert "'unsafe-inline'" not in csp and "'unsafe-eval'" not in csp
    assert directives["frame-ancestors"] == ["'none'"] and directives["object-src"] == ["'none'"]
    assert "strict-transport-security" not in r.headers, "HSTS only in production"


def test_headers_on_pages_api_static_and_errors(app: FastAPI, client: TestClient) -> None:
    make_user(app, "agent", Role.agent, region_scope=["440000"])
    answers = [
        client.get("/login"),
        client.get("/static/app.css"),
        client.get("/api/v1/auth/me", headers=login(client, "agent")),
        client.get("/api/v1/no-such-thing"),  # 404
        client.get("/api/v1/customers", params={"limit": "many"}, headers=login(client, "agent")),  # 422
        client.post("/api/v1/auth/token", data={"username": "agent", "password": "wrong"}),  # 401
        client.get("/orders", follow_redirects=False),  # 303 to the login page
    ]
    page_login(client, "agent")
    answers += [client.get("/"), client.get("/no-such-page"), client.post("/logout", follow_redirects=False)]  # 403
    assert [r.status_code for r in answers] == [200, 200, 200, 404, 422, 401, 303, 200, 404, 403]
    for r in answers:
        _assert_protected(r)


def test_headers_on_an_unexpected_server_error(app: FastAPI) -> None:
    """A 500 is answered by Starlette's outermost middleware, past every other; it must carry them too."""
    def boom() -> None:
        raise RuntimeError("a bug")

    app.add_api_route("/api/v1/test-boom", boom)
    with TestClient(app, raise_server_exceptions=False) as c:
        r = c.get("/api/v1/test-boom")
    assert r.status_code == 500 and "a bug" not in r.text
    _assert_protected(r)


def test_docs_get_a_wider_policy_and_only_they(client: TestClient) -> None:
    docs = client.get("/docs")
    assert "https://cdn.jsdelivr.net" in docs.headers["content-security-policy"]
    assert docs.headers["x-frame-options"] == "DENY"
    assert "cdn.jsdelivr.net" not in client.get("/openapi.json").headers["content-security-policy"]


@pytest.fixture
def production_client(settings: Settings, clock: FrozenClock) -> Iterator[TestClient]:
    prod = settings.model_copy(update={"env": "production", "secret_key": "s" * 32})
    application = create_app(prod, clock)
    with TestClient(application) as c:
        yield c
    application.state.engine.dispose()


def test_hsts_in_production(production_client: TestClient) -> None:
    for r in (production_client.get("/login"), production_client.get("/api/v1/auth/me")):
        assert r.headers["strict-transport-security"].startswith("max-age=31536000")
        assert r.headers["x-frame-options"] == "DENY"


TEMPLATES = Path(__file__).resolve().parents[2] / "src" / "telqc" / "web" / "templates"
# rendered by WeasyPrint into the PDF reports, never sent to a browser
NOT_SERVED = {"pdf_base.html", "metrics/report_pdf.html", "surveys/campaign_report_pdf.html"}


def test_templates_keep_to_the_policy() -> None:
    """What the CSP would refuse at run time, and forms that would be refused as CSRF, caught at the source:
    no inline script (a JSON data block is not script), no style element or attribute, no on…= handler; every
    post form of a signed-in page carries the token."""
    for path in sorted(TEMPLATES.rglob("*.html")):
        name = path.relative_to(TEMPLATES).as_posix()
        if name in NOT_SERVED:
            continue
        html = path.read_text(encoding="utf-8")
        for tag in re.findall(r"<script\b[^>]*>", html):
            assert "src=" in tag or 'type="application/json"' in tag, f"{name}: inline script {tag}"
        assert not re.search(r"<style\b|\sstyle=", html), f"{name}: inline style"
        assert not re.search(r"\son[a-z]+=", html), f"{name}: inline event handler"
        if '{% extends "base.html" %}' in html or name == "base.html":
            for form in re.findall(r'<form method="post"[^>]*>.{0,20}', html):
                assert "csrf_field()" in form, f"{name}: post form without {{{{ csrf_field() }}}}: {form}"
