"""Nothing depends on whether or where a service flushes: the same complaint's whole life, once as written
and once with the session flushed before every history, outbox, audit and notification row the services
collect, commits the same rows and an intact audit chain."""

from __future__ import annotations

import json
import re
from datetime import timedelta
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import select

from helpers import create_customer
from orders.orders_helpers import World
from telqc.core import audit
from telqc.core.audit import AuditEntry
from telqc.core.events import OutboxEvent
from telqc.core.uow import UnitOfWork
from telqc.orders.models import Notification, Order, OrderCallback, OrderHistory, OrderPause


def _life(w: World, customer_id: int) -> int:
    """create → assign → acknowledge → in progress → pending → in progress → resolve → callback → closed."""
    start = w.app.state.clock.now()
    o = w.create(customer_id=customer_id)
    oid = int(o["id"])
    steps: list[tuple[str, dict[str, Any]]] = [
        ("assign", {"handler_id": w.senior_id}), ("acknowledged", {}), ("in_progress", {}),
        ("pending", {"pending_reason": "customer"}), ("in_progress", {}),
        ("resolved", {"solution_code": "refund"}),
    ]
    for i, (step, body) in enumerate(steps, 1):
        w.app.state.clock.set(start + timedelta(minutes=7 * i))
        if step == "assign":
            r = w.client.post(f"/api/v1/orders/{oid}/assign", json=body, headers=w.sup)
            assert r.status_code == 200, r.text
        else:
            w.move(oid, step, headers=w.senior, **body)
    w.app.state.clock.set(start + timedelta(hours=3))
    r = w.client.post(f"/api/v1/orders/{oid}/callback", json={"outcome": "satisfied"}, headers=w.sup)
    assert r.status_code == 200, r.text
    return oid


def _rows(app: FastAPI, oid: int, customer_id: int) -> dict[str, Any]:
    """Everything the order's life committed, with its own ids replaced so two orders compare."""
    ids = {oid: "ORDER", customer_id: "CUSTOMER"}

    def norm(v: Any) -> Any:
        """The order's and the customer's ids where rows name them: JSON fields, keys, recipients, texts."""
        if isinstance(v, dict):
            return {k: ids.get(x, x) if k in ("order_id", "customer_id") else norm(x) for k, x in v.items()}
        if isinstance(v, str):
            if v.startswith("{"):
                return norm(json.loads(v))
            v = v.replace(f"order:{oid}:", "order:ORDER:").replace(f"customer:{customer_id}", "customer:CUSTOMER")
            return re.sub(rf"(?<!\d){oid}(?!\d)", "ORDER", v) if re.search(r"[\u4e00-\u9fff]", v) else v
        return v

    def rows(query: Any, cols: tuple[str, ...]) -> list[tuple[Any, ...]]:
        return [tuple(norm(getattr(r, c)) for c in cols) for r in s.scalars(query)]

    with app.state.sessionmaker() as s:
        audit.chain_all(s)
        assert audit.verify(s).ok
        order = s.get(Order, oid)
        assert order is not None
        out: dict[str, Any] = {
            "order": (order.status, order.version, order.sla_status, order.priority, order.resolved_at,
                      order.closed_at, order.first_response_at, order.next_due_at, order.resolution_due),
            "history": rows(select(OrderHistory).where(OrderHistory.order_id == oid).order_by(OrderHistory.id),
                            ("at", "actor_id", "field", "from_value", "to_value", "reason", "public")),
            "pauses": rows(select(OrderPause).where(OrderPause.order_id == oid).order_by(OrderPause.id),
                           ("state", "start", "end")),
            "callbacks": rows(select(OrderCallback).where(OrderCallback.order_id == oid).order_by(OrderCallback.id),
                              ("status", "outcome", "attempts", "due_at", "done_at")),
            "notifications": rows(select(Notification).where(Notification.order_id == oid)
                                  .order_by(Notification.id), ("key", "kind", "recipient", "body", "created_at")),
            "outbox": [(e.type, norm(e.payload))
                       for e in s.scalars(select(OutboxEvent).where(OutboxEvent.entity_type == "order",
                                                                     OutboxEvent.entity_id == str(oid))
                                          .order_by(OutboxEvent.id))],
            "audit": rows(select(AuditEntry).where(AuditEntry.entity_type == "order", AuditEntry.entity_id == str(oid))
                          .order_by(AuditEntry.id), ("at", "actor", "action", "data")),
        }
    return out


def test_flushing_before_every_collected_row_changes_no_result(app: FastAPI, client: TestClient,
                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    w = World(app, client)
    second = create_customer(client, w.admin, phone="13912345678")["id"]
    start = app.state.clock.now()
    plain = _rows(app, _life(w, w.customer_id), w.customer_id)

    original = UnitOfWork._add

    def flush_first(self: UnitOfWork, table: Any, row: dict[str, Any], *, once: bool) -> None:
        self.session.flush()
        original(self, table, row, once=once)

    monkeypatch.setattr(UnitOfWork, "_add", flush_first)
    app.state.clock.set(start)
    flushed = _rows(app, _life(w, second), second)
    assert len(plain["history"]) >= 10 and len(plain["audit"]) >= 9 and plain["pauses"] and plain["callbacks"]
    for table in plain:
        assert flushed[table] == plain[table], table


@pytest.mark.parametrize("where", ["before", "after"])
def test_a_flush_between_the_service_and_the_answer_keeps_the_etag(app: FastAPI, client: TestClient,
                                                                   monkeypatch: pytest.MonkeyPatch, where: str) -> None:
    """The ETag a write answers is the version the commit wrote, flushed or not in between."""
    from telqc.orders import timeline

    w = World(app, client)
    oid = w.create()["id"]
    original = timeline.detail

    def detail(ctx: Any, o: Order) -> Any:
        if where == "before":
            ctx.session.flush()
        out = original(ctx, o)
        if where == "after":
            ctx.session.flush()
        return out

    monkeypatch.setattr(timeline, "detail", detail)
    r = client.post(f"/api/v1/orders/{oid}/transition", json={"to": "acknowledged"}, headers=w.agent)
    assert r.status_code == 200, r.text
    got = client.get(f"/api/v1/orders/{oid}", headers=w.agent)
    assert r.headers["ETag"] == got.headers["ETag"] and r.json()["version"] == got.json()["version"]
