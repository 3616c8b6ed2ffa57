"""Complaint closed loop through the API: acknowledge → resolve → notify → callback → close / reopen."""

from __future__ import annotations

import json
from typing import Any

from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import select

from orders.orders_helpers import World
from telqc.core import audit
from telqc.core.clock import FrozenClock
from telqc.core.events import OutboxEvent
from telqc.orders import notify
from telqc.orders.models import Order, OrderHistory


def _events(app: FastAPI, order_id: int) -> list[tuple[str, dict[str, Any]]]:
    with app.state.sessionmaker() as s:
        rows = s.scalars(select(OutboxEvent).where(OutboxEvent.entity_type == "order",
                                                   OutboxEvent.entity_id == str(order_id)).order_by(OutboxEvent.id))
        return [(r.type, json.loads(r.payload)) for r in rows]


def test_complaint_closed_loop_with_callback(app: FastAPI, client: TestClient,
                                             channel: notify.RecordingChannel) -> None:
    w = World(app, client)
    o = w.create()
    assert o["status"] == "new" and o["owner_id"] == w.agent_id and o["handler_id"] == w.agent_id
    assert o["priority"] == "P1"  # complaint severity 2 (billing) raised one level for a gold customer
    assert o["first_response_due"] and o["resolution_due"]
    oid = o["id"]
    w.move(oid, "acknowledged")
    w.move(oid, "in_progress", reason="核实计费记录")
    r = w.move(oid, "resolved", solution_code="refund", reason="已退还30元")
    assert r["status"] == "resolved" and r["solution_code"] == "refund"
    assert [c["status"] for c in r["callbacks"]] == ["open"], "callback task created on resolve"
    r = client.post(f"/api/v1/orders/{oid}/callback", json={"outcome": "satisfied"}, headers=w.sup)
    assert r.status_code == 200, r.text
    assert r.json()["status"] == "closed"
    statuses = [i["data"]["to"] for i in r.json()["timeline"] if i["kind"] == "status"]
    assert statuses == ["new", "acknowledged", "in_progress", "resolved", "callback", "closed"]
    ev = _events(app, oid)
    types = [t for t, _ in ev]
    for needed in ("order.created", "order.first_response", "order.status_changed", "order.resolved",
                   "order.callback_recorded", "order.closed"):
        assert needed in types, needed
    closed = next(p for t, p in ev if t == "order.closed")
    assert closed["closed_loop"] is True and closed["within_deadline"] is True, closed
    assert closed["dims"]["category"] == "complaint.billing" and closed["dims"]["province_code"] == "440000"
    assert [m.kind for m in channel.sent] == ["acknowledged", "resolved"]
    with app.state.sessionmaker() as s:
        assert audit.verify(s).ok
        actions = [a.action for a in s.scalars(select(audit.AuditEntry).where(audit.AuditEntry.entity_id == str(oid)))]
    assert actions.count("order.status_changed") == 5


def test_unsatisfied_callback_reopens_then_escalates(app: FastAPI, client: TestClient,
                                                     channel: notify.RecordingChannel) -> None:
    w = World(app, client)
    oid = w.create()["id"]
    for _ in range(2):
        for to in ("acknowledged", "in_progress", "resolved") if _ == 0 else ("in_progress", "resolved"):
            r_move = w.move(oid, to)
        # the resolve's answer shows the task it opened (saved with its commit, so no id yet) after the earlier ones
        assert [(c["status"], c["id"] is None) for c in r_move["callbacks"]] == [("done", False)] * _ + [("open", True)]
        got = client.get(f"/api/v1/orders/{oid}", headers=w.agent).json()["callbacks"]
        assert [c["status"] for c in got] == [c["status"] for c in r_move["callbacks"]]
        assert all(isinstance(c["id"], int) for c in got) and got[-1]["due_at"] == r_move["callbacks"][-1]["due_at"]
        r = client.post(f"/api/v1/orders/{oid}/callback", json={"outcome": "unsatisfied", "reason": "仍有疑问"},
                        headers=w.sup)
        assert r.status_code == 200, r.text
        assert r.json()["status"] == "reopened"
    assert r.json()["reopen_count"] == 2
    assert r.json()["escalation_level"] == "manager", "second unsatisfied callback escalates"
    types = [t for t, _ in _events(app, oid)]
    assert types.count("order.reopened") == 2
    resolved = [p for t, p in _events(app, oid) if t == "order.resolved"]
    assert [p["reopened"] for p in resolved] == [False, True]


def test_illegal_transition_409_lists_allowed(app: FastAPI, client: TestClient) -> None:
    w = World(app, client)
    oid = w.create()["id"]
    r = client.post(f"/api/v1/orders/{oid}/transition", json={"to": "closed"}, headers=w.agent)
    assert r.status_code == 409
    assert r.json()["allowed"] == ["acknowledged", "cancelled"]
    assert "已受理" in r.json()["detail"]  # words for people; codes in "allowed"
    with app.state.sessionmaker() as s:
        assert s.get(Order, oid).status == "new"
        assert len(s.scalars(select(OrderHistory).where(OrderHistory.order_id == oid)).all()) == 1


def test_stale_if_match_412_never_overwrites(app: FastAPI, client: TestClient) -> None:
    w = World(app, client)
    o = w.create()
    etag = f'W/"{o["version"]}"'
    r = client.post(f"/api/v1/orders/{o['id']}/transition", json={"to": "acknowledged"},
                    headers={**w.agent, "If-Match": etag})
    assert r.status_code == 200 and r.headers["ETag"] != etag
    r = client.post(f"/api/v1/orders/{o['id']}/transition", json={"to": "cancelled"},
                    headers={**w.agent, "If-Match": etag})
    assert r.status_code == 412
    got = client.get(f"/api/v1/orders/{o['id']}", headers=w.agent).json()
    assert got["status"] == "acknowledged"


def test_repeat_complaint_linked_and_flagged(app: FastAPI, client: TestClient, clock: FrozenClock) -> None:
    from datetime import timedelta

    from helpers import login

    w = World(app, client)
    first = w.create()
    other = w.create(category="complaint.attitude", title="态度差", description="客服态度差")
    assert other["is_repeat"] is False
    clock.advance(timedelta(days=29))
    w.agent = login(client, "agent1")  # sessions expire after 12 hours
    second = w.create()
    assert second["is_repeat"] is True and second["repeat_of_id"] == first["id"]
    assert second["linked_order_ids"] == [first["id"]]
    earlier = client.get(f"/api/v1/orders/{first['id']}", headers=w.agent).json()
    assert earlier["linked_order_ids"] == [second["id"]], "the link shows from both orders"
    clock.advance(timedelta(days=31))
    w.agent = login(client, "agent1")
    third = w.create(category="complaint.attitude", title="态度差", description="客服态度又差")
    assert third["is_repeat"] is False, "outside the 30-day window"
    listed = client.get("/api/v1/orders", params={"category": "complaint", "customer_id": w.customer_id},
                        headers=w.agent).json()
    assert listed["total"] == 4


def test_escalation_risk_in_text_raises_to_crisis(app: FastAPI, client: TestClient) -> None:
    w = World(app, client)
    o = w.create(category="complaint.attitude", description="再不解决我就投诉到工信部，还要找媒体曝光")
    assert o["escalation_risk"] and o["regulator_risk"]
    assert o["escalation_level"] == "crisis" and o["priority"] == "P1"
    assert "工信部" in o["risk_terms"]
    created = next(p for t, p in _events(app, o["id"]) if t == "order.created")
    assert created["escalation_risk"] is True and created["regulator"] is True
    calm = w.create(category="complaint.attitude", description="我不会去工信部投诉，只想要个说法")
    assert not calm["escalation_risk"] and calm["escalation_level"] == "none"


def test_transfer_keeps_owner_and_needs_handoff_note(app: FastAPI, client: TestClient) -> None:
    w = World(app, client)
    o = w.create()
    oid = o["id"]
    r = client.post(f"/api/v1/orders/{oid}/transfer", json={"to_queue": "计费部"}, headers=w.agent)
    assert r.status_code == 422 and r.json()["detail"][0]["field"] == "body.handoff_note"
    r = client.post(f"/api/v1/orders/{oid}/transfer",
                    json={"to_queue": "计费部", "to_handler_id": w.senior_id, "handoff_note": "已核对账单，需二线退费"},
                    headers=w.agent)
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["owner_id"] == w.agent_id and body["handler_id"] == w.senior_id and body["department"] == "计费部"
    assert any(i["kind"] == "transfer" and "需二线退费" in i["text"] for i in body["timeline"])
    transferred = [p for t, p in _events(app, oid) if t == "order.transferred"]
    assert transferred and transferred[0]["to_queue"] == "计费部"
    # the owner still sees and may act on it; the new handler works it
    w.move(oid, "acknowledged", headers=w.senior)
    mine = client.get("/api/v1/orders", params={"owner_id": w.agent_id}, headers=w.agent).json()
    assert [x["id"] for x in mine["items"]] == [oid]


def test_network_complaint_hands_off_and_shows_progress(app: FastAPI, client: TestClient,
                                                        channel: notify.RecordingChannel) -> None:
    from helpers import login
    from orders.orders_helpers import staff
    from telqc.core.rbac import Role

    w = World(app, client)
    oid = w.create(category="complaint.network", title="家里没信号", description="小区4G信号很差")["id"]
    r = client.post(f"/api/v1/orders/{oid}/network-problem", headers=w.agent)
    assert r.status_code == 201, r.text
    pid = r.json()["id"]
    staff(app, "net1", Role.netops, province=None)
    net = login(client, "net1")
    assert [p["id"] for p in client.get("/api/v1/network-problems", headers=net).json()] == [pid]
    r = client.post(f"/api/v1/network-problems/{pid}/updates", json={"status": "fixed", "note": "基站已扩容"},
                    headers=net)
    assert r.status_code == 200, r.text
    detail = client.get(f"/api/v1/orders/{oid}", headers=w.agent).json()
    assert detail["network_problem"]["status"] == "fixed"
    assert any(i["kind"] == "network" and "fixed" in i["text"] for i in detail["timeline"])
    attitude = w.create(category="complaint.attitude")["id"]
    assert client.post(f"/api/v1/orders/{attitude}/network-problem", headers=w.agent).status_code == 422
