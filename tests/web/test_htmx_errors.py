"""A refused HTMX request reads like the form it came from (UX audit): an HTMX form post with a missing field got
FastAPI's JSON body ({"detail": [{"loc": ["body", "title"], …}]}) and htmx, which swaps no 4xx answer by default,
showed nothing. Now the answer is an HTML fragment naming the field in Chinese, and the page's htmx swaps it."""

from __future__ import annotations

import json

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from playwright.sync_api import Browser

from helpers import make_user, page_login
from telqc.core.rbac import Role


def _agent(app: FastAPI) -> tuple[TestClient, str]:
    make_user(app, "hx_agent", Role.agent, region_scope=["440000"])
    page = TestClient(app)
    return page, page_login(page, "hx_agent")


def test_htmx_post_with_a_missing_field_gets_a_chinese_fragment(app: FastAPI) -> None:
    page, csrf = _agent(app)
    r = page.post("/orders/new", headers={"HX-Request": "true", "X-CSRF-Token": csrf},
                  data={"type": "complaint", "category": "complaint.network", "customer_id": "1"})
    assert r.status_code == 422 and r.headers["content-type"].startswith("text/html"), r.text
    with pytest.raises(json.JSONDecodeError):
        json.loads(r.text)
    assert 'id="htmx-error"' in r.text and "<html" not in r.text, "a fragment, not a page inside the page"
    assert "标题：必填字段缺失" in r.text and "问题描述：必填字段缺失" in r.text, r.text


def test_a_plain_form_still_gets_the_error_page_and_a_script_json(app: FastAPI) -> None:
    page, csrf = _agent(app)
    r = page.post("/orders/new", data={"csrf_token": csrf, "type": "complaint"})
    assert r.status_code == 422 and 'id="error-page"' in r.text and "标题：必填字段缺失" in r.text
    r = page.post("/orders/new", headers={"X-CSRF-Token": csrf}, json={"type": "complaint"})
    assert r.status_code == 422 and r.json()["detail"], "a script's JSON call keeps its JSON answer"


@pytest.mark.browser
def test_the_page_shows_the_refusal_htmx_received(app: FastAPI, live_server: str, browser: Browser) -> None:
    make_user(app, "hx_agent", Role.agent, region_scope=["440000"])
    page = browser.new_page(locale="zh-CN")
    page.goto(f"{live_server}/login")
    page.fill("input[name=username]", "hx_agent")
    page.fill("input[name=password]", "correct-horse-9")
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server}/")
    page.evaluate("""() => { const box = document.createElement('div'); box.id = 'hx-box';
        document.querySelector('main').append(box);
        return htmx.ajax('POST', '/orders/new', {target: '#hx-box', values: {type: 'complaint'}}); }""")
    page.wait_for_selector("#hx-box #htmx-error")
    said = page.inner_text("#hx-box")
    assert "标题：必填字段缺失" in said and "detail" not in said, said
