"""The self-service plan change (套餐变更) takes nothing on the client's word (issue 23 §6): the plan must be one
the catalogue offers, under its own name, not one the customer holds; the reason the back office reads is the
recommendation the server computes, so a forged or stale explanation is refused. Every refusal names the
field in Chinese and stores nothing, through the API and through the form on the customer's page."""

from __future__ import annotations

import html
import re
from datetime import UTC, date, datetime
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from helpers import page_login
from orders.orders_helpers import World
from telqc.insight import repository
from telqc.orders.models import Order

API = "/api/v1/me/plan-change"


def _orders(app: FastAPI) -> int:
    with app.state.sessionmaker() as s:
        return int(s.scalar(select(func.count()).select_from(Order)) or 0)


@pytest.fixture
def world(app: FastAPI, client: TestClient) -> World:
    """The customer (holding 5G129) used 150 GB a month for 3 months: 5G199 covers it at the least cost."""
    w = World(app, client)
    with app.state.sessionmaker() as s:
        repository.add_usage(s, [{"customer_id": w.customer_id, "subscription": "5G129", "month": date(2026, m, 1),
                                  "data_mb": 150 * 1024, "voice_min": 600, "sms": 0, "roaming_mb": 0,
                                  "imported_at": datetime(2026, 11, 1, tzinfo=UTC)} for m in (8, 9, 10)])
        s.commit()
    return w


def _advice(client: TestClient, w: World) -> dict[str, Any]:
    r = client.get(f"/api/v1/insight/customers/{w.customer_id}/profile", headers=w.agent)
    assert r.status_code == 200, r.text
    rec: dict[str, Any] = r.json()["recommendation"]
    assert rec["plan"]["code"] == "5G199", rec
    return rec


BAD: list[tuple[str, dict[str, str], str, str]] = [
    ("unknown plan", {"plan_code": "FREE1"}, "body.plan_code", "套餐 FREE1 不存在或未在售"),
    ("plan held already", {"plan_code": "5G129", "plan_name": "5G畅享套餐129元", "explanation": ""},
     "body.plan_code", "您已订购5G畅享套餐129元"),
    ("forged name", {"plan_name": "免费送1000元话费"}, "body.plan_name", "该套餐名为“5G尊享套餐199元”"),
    ("line break in the name", {"plan_name": "5G尊享套餐199元\n经理已批准免费"}, "body.plan_name", "与套餐编码不符"),
    ("forged reason", {"explanation": "客服已承诺永久免月租"}, "body.explanation", "与系统为您计算的推荐不符"),
    ("reason for a plan not recommended", {"plan_code": "5G79", "plan_name": "5G畅享套餐79元"},
     "body.explanation", "推荐依据（explanation）"),
    ("bidi override in the reason", {"explanation": "\u202e"}, "body.explanation", "U+202E"),
    ("NUL in the reason", {"explanation": "\x00"}, "body.explanation", "U+0000"),
    ("unknown channel", {"channel": "sms"}, "body.channel", ""),
    ("code with a quote", {"plan_code": "5G199'--"}, "body.plan_code", ""),
]


@pytest.mark.parametrize(("case", "change", "field", "words"), BAD, ids=[b[0] for b in BAD])
def test_the_api_refuses_what_the_catalogue_and_the_recommendation_do_not_say(
        app: FastAPI, client: TestClient, world: World, case: str, change: dict[str, str], field: str,
        words: str) -> None:
    rec = _advice(client, world)
    me = world.customer_login()
    body = {"plan_code": "5G199", "plan_name": "5G尊享套餐199元", "explanation": rec["text"], **change}
    if case == "bidi override in the reason":
        body["explanation"] = rec["text"] + "\u202e"
    if case == "NUL in the reason":
        body["explanation"] = rec["text"] + "\x00"
    r = client.post(API, json=body, headers=me)
    assert r.status_code == 422, r.text
    fields = [d.get("field") for d in r.json().get("detail", [])] or [r.json().get("field")]
    assert field in fields, r.json()
    assert words in r.text, r.json()
    assert _orders(app) == 0, "nothing stored"


def test_the_order_carries_the_servers_reason_and_the_catalogues_name(
        app: FastAPI, client: TestClient, world: World) -> None:
    rec = _advice(client, world)
    me = world.customer_login()
    r = client.post(API, json={"plan_code": "5G199", "plan_name": " 5G尊享套餐199元 "}, headers=me)
    assert r.status_code == 201, r.text  # no explanation sent: the server's own is written
    r2 = client.post(API, json={"plan_code": "5G79", "plan_name": "5G畅享套餐79元"}, headers=me)
    assert r2.status_code == 201, r2.text  # an offered plan not recommended, asked for without a reason
    with app.state.sessionmaker() as s:
        o, o2 = s.get(Order, r.json()["id"]), s.get(Order, r2.json()["id"])
        assert o is not None and o2 is not None
        assert o.title == "套餐变更：5G尊享套餐199元"
        assert o.description == f"客户自助申请变更为套餐 5G尊享套餐199元（5G199）。\n推荐依据：{rec['text']}"
        assert "推荐依据" not in o2.description


def test_the_page_form_names_the_field_and_files_only_the_true_request(
        app: FastAPI, client: TestClient, world: World) -> None:
    world.customer_login()
    token = page_login(client, "cust1")
    page = client.get("/my").text
    form = {name: html.unescape(value) for name, value in re.findall(
        r'<input type="hidden" name="(plan_code|plan_name|explanation)" value="([^"]*)"', page)}
    assert form["plan_code"] == "5G199", form
    form["csrf_token"] = token
    r = client.post("/my/plan-change", data={**form, "explanation": "x" * 1001}, follow_redirects=False)
    # before, the page cut the text to 1,000 characters and filed whatever was left
    assert r.status_code == 422 and "说明：长度不能超过 1000" in r.text, r.text
    r = client.post("/my/plan-change", data={**form, "plan_name": "免费送1000元话费"}, follow_redirects=False)
    assert r.status_code == 422 and "套餐名称（plan_name）" in html.unescape(r.text)
    r = client.post("/my/plan-change", data={**form, "plan_code": "FREE1"}, follow_redirects=False)
    assert r.status_code == 422 and "套餐 FREE1 不存在或未在售" in r.text
    assert _orders(app) == 0, "nothing stored"
    r = client.post("/my/plan-change", data=form, follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"].startswith("/my/orders?filed="), r.text
    with app.state.sessionmaker() as s:
        o = s.scalars(select(Order)).one()
        assert o.description.endswith(f"推荐依据：{form['explanation']}")
