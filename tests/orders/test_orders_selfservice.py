"""Self-service filing (issue 23 §6): a customer's own fault or complaint, routed and timed like any order."""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import select, update

from helpers import create_customer, id_number, page_login
from orders.orders_helpers import World
from telqc.core.audit import AuditEntry
from telqc.core.models import User
from telqc.orders.models import Order


def test_a_customer_files_a_fault_for_themself_and_follows_it(app: FastAPI, client: TestClient) -> None:
    w = World(app, client)
    other = create_customer(client, w.admin, phone="13900000003", id_number=id_number("440106", "19850101", "333"))
    me = w.customer_login()
    body = {"type": "repair", "category": "repair.broadband", "title": "宽带断网",
            "description": "家里宽带从昨晚开始断网，光猫红灯", "channel": "app",
            "customer_id": other["id"]}  # an extra field: refused, never used to file for someone else
    r = client.post("/api/v1/me/orders", json=body, headers=me)
    assert r.status_code == 422 and "customer_id" in r.text
    del body["customer_id"]
    r = client.post("/api/v1/me/orders", json=body, headers=me)
    assert r.status_code == 201, r.text
    filed = r.json()
    assert filed["type"] == "repair" and filed["status"] == "new" and filed["resolution_due"] is not None
    with app.state.sessionmaker() as s:
        o = s.get(Order, filed["id"])
        assert o is not None
        assert o.customer_id == w.customer_id and o.channel == "app"
        assert o.owner_id in (w.agent_id, w.senior_id), "the routed agent owns it, not the customer"
        assert o.handler_id == o.owner_id
        assert s.scalar(select(AuditEntry.id).where(AuditEntry.action == "order.created",
                                                    AuditEntry.entity_id == str(o.id))) is not None
    listed = client.get("/api/v1/me/orders", headers=me).json()
    assert [x["id"] for x in listed] == [filed["id"]]
    mine = client.get(f"/api/v1/me/orders/{filed['id']}", headers=me).json()
    assert mine["timeline"][0]["text"] == "新建", "the state in the words the web pages use"
    # the agent sees it in their own work like any other order
    assert client.get(f"/api/v1/orders/{filed['id']}", headers=w.agent).status_code == 200


def test_self_service_refuses_what_a_customer_may_not_file(app: FastAPI, client: TestClient) -> None:
    w = World(app, client)
    me = w.customer_login()
    for category, kind in (("business.cancel", "repair"), ("repair", "repair"), ("complaint.billing", "repair")):
        r = client.post("/api/v1/me/orders", json={"type": kind, "category": category, "title": "测试",
                                                   "description": "测试一下自助提交"}, headers=me)
        assert r.status_code == 422 and r.json()["detail"][0]["field"] == "body.category", (category, r.text)
    r = client.post("/api/v1/me/orders", json={"type": "consultation", "category": "consultation.plan",
                                               "title": "咨询", "description": "想问问套餐"}, headers=me)
    assert r.status_code == 422
    # staff use the staff API; the self-service routes are a customer's
    r = client.post("/api/v1/me/orders", json={"type": "repair", "category": "repair.broadband", "title": "宽带断网",
                                               "description": "家里宽带断网了"}, headers=w.agent)
    assert r.status_code == 403
    with app.state.sessionmaker() as s:
        assert s.scalar(select(Order.id)) is None, "nothing was stored"


def test_plan_change_request_is_a_back_office_order_with_the_reason(app: FastAPI, client: TestClient) -> None:
    w = World(app, client)
    rec = client.get(f"/api/v1/insight/customers/{w.customer_id}/profile", headers=w.agent).json()["recommendation"]
    assert rec["plan"], "the demo usage of this customer has a recommendation"
    me = w.customer_login()
    r = client.post("/api/v1/me/plan-change", json={
        "plan_code": rec["plan"]["code"], "plan_name": rec["plan"]["name"], "explanation": rec["text"]}, headers=me)
    assert r.status_code == 201, r.text
    with app.state.sessionmaker() as s:
        o = s.get(Order, r.json()["id"])
        assert o is not None
        assert (o.type, o.category_code, o.customer_id) == ("business", "business.plan_change", w.customer_id)
        assert rec["plan"]["name"] in o.title and rec["text"] in o.description


def test_the_self_service_page_files_and_shows_the_order(app: FastAPI, client: TestClient) -> None:
    w = World(app, client)
    w.customer_login()
    token = page_login(client, "cust1")
    page = client.get("/my/orders/new")
    assert page.status_code == 200 and "宽带故障" in page.text and "资费争议" in page.text
    assert "销户" not in page.text, "only fault and complaint categories are offered"
    form = {"category": "complaint.billing", "title": "话费多扣", "description": "本月话费多扣了30元，要求退还",
            "csrf_token": token}
    r = client.post("/my/orders/new", data={**form, "title": ""}, follow_redirects=False)
    assert r.status_code == 422 and "<li>标题：必填字段缺失</li>" in r.text, "a page, not JSON"
    r = client.post("/my/orders/new", data={**form, "description": "坏了"}, follow_redirects=False)
    assert r.status_code == 422 and "问题描述：长度不能少于 5" in r.text  # the field and why, in Chinese
    assert "should" not in r.text and "description:" not in r.text
    r = client.post("/my/orders/new", data=form, follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"].startswith("/my/orders?filed=")
    mine = client.get(r.headers["location"])
    assert "话费多扣" in mine.text and 'id="filed-note"' in mine.text and "已受理" in mine.text


def test_a_customer_login_without_a_customer_files_nothing(app: FastAPI, client: TestClient) -> None:
    """The login is the identity: a customer account not linked to a customer has nobody to file for."""
    w = World(app, client)
    me = w.customer_login("nobody", customer_id=None)
    with app.state.sessionmaker() as s:
        s.execute(update(User).where(User.username == "nobody").values(customer_id=None))
        s.commit()
    r = client.post("/api/v1/me/orders", json={"type": "repair", "category": "repair.broadband", "title": "宽带断网",
                                               "description": "家里宽带断网了"}, headers=me)
    assert r.status_code == 403, r.text
    r = client.post("/api/v1/me/plan-change", json={"plan_code": "5G79", "plan_name": "5G畅享套餐79元"}, headers=me)
    assert r.status_code == 403, r.text
    assert client.post("/api/v1/orders", json={"type": "repair", "category": "repair.broadband",
                                               "customer_id": w.customer_id, "title": "宽带断网",
                                               "description": "家里宽带断网了"}, headers=me).status_code == 403
    with app.state.sessionmaker() as s:
        assert s.scalar(select(Order.id)) is None, "nothing was stored"
