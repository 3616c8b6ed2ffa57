"""The order write path: minimal answers on request, the full detail by default, and cached configuration."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Connection, select, update

from orders.orders_helpers import World
from telqc.core import audit
from telqc.core.clock import FrozenClock
from telqc.core.context import Ctx
from telqc.core.uow import UnitOfWork
from telqc.orders import config, notify
from telqc.orders.models import OrderHistory, OrderSlaPolicy

MINIMAL = {"Prefer": "return=minimal"}


def test_prefer_return_minimal_answers_the_order_but_does_all_the_work(app: FastAPI, client: TestClient,
                                                                       channel: notify.RecordingChannel) -> None:
    w = World(app, client)
    r = client.post("/api/v1/orders", json={"type": "complaint", "category": "complaint.billing",
                                            "customer_id": w.customer_id, "title": "话费多扣",
                                            "description": "本月话费多扣了30元"}, headers={**w.agent, **MINIMAL})
    assert r.status_code == 201, r.text
    assert r.headers["Preference-Applied"] == "return=minimal"
    created = r.json()
    assert "timeline" not in created and created["status"] == "new" and created["resolution_due"]
    assert r.headers["ETag"] == f'W/"{created["version"]}"'
    oid = created["id"]
    for to in ("acknowledged", "in_progress", "resolved"):
        r = client.post(f"/api/v1/orders/{oid}/transition", json={"to": to},
                        headers={**w.agent, "Prefer": "handling=strict, return=minimal"})
        assert r.status_code == 200, r.text
        assert "timeline" not in r.json() and r.json()["status"] == to
    full = client.get(f"/api/v1/orders/{oid}", headers={**w.agent, **MINIMAL}).json()
    assert [i["data"]["to"] for i in full["timeline"] if i["kind"] == "status"] == [
        "new", "acknowledged", "in_progress", "resolved"], "GET always answers the full detail"
    assert [c["status"] for c in full["callbacks"]] == ["open"]
    assert [m.kind for m in channel.sent] == ["acknowledged", "resolved"]
    with app.state.sessionmaker() as s:
        assert audit.verify(s).ok
        kinds = [h.field for h in s.scalars(select(OrderHistory).where(OrderHistory.order_id == oid))]
    assert kinds.count("status") == 4 and kinds.count("notify") == 2


def test_writes_answer_the_full_detail_by_default(app: FastAPI, client: TestClient) -> None:
    w = World(app, client)
    oid = w.create()["id"]
    r = client.post(f"/api/v1/orders/{oid}/transition", json={"to": "acknowledged"}, headers=w.agent)
    assert r.status_code == 200 and "Preference-Applied" not in r.headers
    body = r.json()
    assert [i["kind"] for i in body["timeline"]][:2] == ["status", "status"]
    assert body["callbacks"] == [] and body["linked_order_ids"] == [] and body["repair"] is None


def test_configuration_snapshot_is_reused_and_refreshed(app: FastAPI, clock: FrozenClock,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    """Policies are read once per process (not per request); a changed row is seen after CACHE_SECONDS."""
    with app.state.sessionmaker() as s:
        uow = UnitOfWork(s)
        ctx = Ctx(uow=uow, clock=clock, settings=app.state.settings)
        config.ensure_defaults(ctx)
        uow.commit()
    with app.state.sessionmaker() as s:
        uow = UnitOfWork(s)
        ctx = Ctx(uow=uow, clock=clock, settings=app.state.settings)
        first = config.snapshot(ctx)
        assert config.snapshot(ctx) is first
        assert config.category(ctx, "complaint.billing") is not None
        s.execute(update(OrderSlaPolicy).where(OrderSlaPolicy.name == "投诉").values(resolution_min=999))
        uow.commit()
        assert config.snapshot(ctx) is first, "within CACHE_SECONDS the snapshot stays"
        monkeypatch.setattr(config, "CACHE_SECONDS", 0.0)
        fresh = config.snapshot(ctx)
    assert fresh is not first
    rule = fresh.policies.by_id[fresh.policies.ids["投诉"]]
    assert rule.resolution.total_seconds() == 999 * 60


def test_pauses_are_read_only_for_orders_that_have_them(app: FastAPI, client: TestClient) -> None:
    """The locked read says whether an order ever paused; one transaction that pauses and resumes an order
    still closes the pause it opened, and a later write sees it."""
    from sqlalchemy import event

    from telqc.core.rbac import Principal, Role
    from telqc.orders import lifecycle, service
    from telqc.orders import schemas as s_
    from telqc.orders.models import OrderPause

    w = World(app, client)
    oid = w.create()["id"]
    w.move(oid, "acknowledged")
    st = app.state
    admin = Principal(user_id=w.agent_id, username="agent1", display_name="agent1", role=Role.supervisor,
                      region_scope=None)
    seen: list[str] = []

    def record(_conn: Connection, _cursor: Any, statement: str, *_rest: Any) -> None:
        seen.append(statement)

    event.listen(st.engine, "before_cursor_execute", record)
    try:
        with st.sessionmaker() as s:
            uow = UnitOfWork(s)
            ctx = Ctx(uow=uow, clock=st.clock, settings=st.settings, principal=admin)
            o = service.get_for_update(ctx, oid, None)  # several changes of one loaded order, as callbacks do
            lifecycle.change_state(ctx, o, "in_progress")
            assert not any(q.startswith("SELECT order_pauses.") for q in seen), "no pause yet: none read"
            lifecycle.change_state(ctx, o, "pending", pending_reason="customer")
            lifecycle.change_state(ctx, o, "in_progress")
            uow.commit()
        with st.sessionmaker() as s:
            uow = UnitOfWork(s)
            ctx = Ctx(uow=uow, clock=st.clock, settings=st.settings, principal=admin)
            seen.clear()
            service.transition(ctx, oid, s_.TransitionIn(to="pending", pending_reason="customer"))
            assert any(q.startswith("SELECT order_pauses.") for q in seen), "an order with a pause reads its pauses"
            uow.commit()
            pauses = [(p.state, p.end is not None) for p in s.scalars(select(OrderPause).where(
                OrderPause.order_id == oid).order_by(OrderPause.id))]
    finally:
        event.remove(st.engine, "before_cursor_execute", record)
    assert pauses == [("pending", True), ("pending", False)]


def test_a_write_answers_the_version_it_commits(app: FastAPI, client: TestClient) -> None:
    """The service flushes the order before the answer is built, so the answer's ETag and version are the ones
    the commit writes (read back after it), and If-Match works with them. On PostgreSQL the write is the
    order's UPDATE and one statement for its history, outbox, audit and notification rows."""
    from sqlalchemy import event

    from telqc.orders.models import Order

    w = World(app, client)
    oid = w.create()["id"]
    statements: list[str] = []
    committed: list[bool] = []

    def count(conn: Connection, cursor: Any, statement: str, *_: Any) -> None:
        if not committed:  # the request's own transaction (the inline relay follows it)
            statements.append(statement)

    def commit(conn: Connection) -> None:
        committed.append(True)

    event.listen(app.state.engine, "after_cursor_execute", count)
    event.listen(app.state.engine, "commit", commit)
    try:
        r = client.post(f"/api/v1/orders/{oid}/transition", json={"to": "acknowledged"},
                        headers={**w.agent, **MINIMAL})
    finally:
        event.remove(app.state.engine, "after_cursor_execute", count)
        event.remove(app.state.engine, "commit", commit)
    assert r.status_code == 200, r.text
    with app.state.sessionmaker() as s:
        stored = s.get(Order, oid)
        assert stored is not None and stored.status == "acknowledged"
        assert r.json()["version"] == stored.version and r.headers["ETag"] == f'W/"{stored.version}"'
        assert audit.verify(s).ok
        kinds = [h.field for h in s.scalars(select(OrderHistory).where(OrderHistory.order_id == oid))]
    assert kinds == ["status", "status", "notify"]
    if app.state.engine.dialect.name == "postgresql":  # the order's UPDATE, then one statement for the rest
        writes = [x for x in statements if not x.startswith("SELECT")]
        assert len(writes) == 2 and writes[0].startswith("UPDATE orders SET"), [x[:60] for x in writes]
        assert all(f"INSERT INTO {t}" in writes[1] for t in ("order_history", "outbox_events", "audit_pending",
                                                           "order_notifications")), writes[1][:300]
    stale = client.post(f"/api/v1/orders/{oid}/transition", json={"to": "in_progress"},
                        headers={**w.agent, **MINIMAL, "If-Match": f'W/"{stored.version - 1}"'})
    assert stale.status_code == 412, stale.text
    fresh = client.post(f"/api/v1/orders/{oid}/transition", json={"to": "in_progress"},
                        headers={**w.agent, **MINIMAL, "If-Match": r.headers["ETag"]})
    assert fresh.status_code == 200, fresh.text


def test_the_create_answer_shows_the_timeline_a_later_read_shows(app: FastAPI, client: TestClient) -> None:
    """A new order's answer is built from the rows its commit writes (nothing is read back for a plain
    order): it must match what the order page reads afterwards, for a plain, a repeated and an escalated
    complaint, and for a repair (whose dispatch reads staff while the order's rows are queued)."""
    w = World(app, client)
    answers = []
    repair = {"type": "repair", "category": "repair.broadband", "title": "宽带断网", "description": "光猫红灯",
              "repair": {"product": "千兆宽带", "serial": "ZTE-F7600-001", "purchase_date": "2024-05-01"}}
    for kw in ({}, {}, {"category": "complaint.attitude", "description": "再不解决我就投诉到工信部，还要找媒体曝光"},
               repair):
        created = w.create(**kw)  # the second repeats the first: same customer and category within 30 days
        again = client.get(f"/api/v1/orders/{created['id']}", headers=w.agent).json()
        assert created["timeline"] == again["timeline"] and created["linked_order_ids"] == again["linked_order_ids"]
        answers.append(created)
    plain, repeat, risky, _ = answers
    assert [i["kind"] for i in repeat["timeline"]] == ["status", "link"] and repeat["linked_order_ids"] == [plain["id"]]
    assert risky["escalation_level"] != "none" and "escalation" in [i["kind"] for i in risky["timeline"]]
