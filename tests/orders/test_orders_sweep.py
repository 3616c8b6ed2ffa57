"""SLA sweep: warnings and breaches found through next_due_at, escalation on breach, paused time excluded.

The clock is the FrozenClock fixture (2026-11-02 10:00 Beijing, a Monday); tests move it, never sleep.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import select

from helpers import login
from orders.orders_helpers import World
from telqc.core.clock import FrozenClock
from telqc.core.events import OutboxEvent
from telqc.orders.models import Notification, Order
from telqc.orders.tasks import run_sweep


def _sweep(app: FastAPI) -> dict[str, int]:
    return run_sweep(app.state.sessionmaker, app.state.clock, app.state.settings)


def _cst(day: int, hh: int, mm: int = 0) -> datetime:
    return datetime(2026, 11, day, hh - 8, mm, tzinfo=UTC)


def test_breach_escalates_and_reassigns_keeping_owner(app: FastAPI, client: TestClient, clock: FrozenClock) -> None:
    w = World(app, client)
    o = w.create()  # P1 complaint: first response 60 min, resolution 450 business minutes
    oid = o["id"]
    assert datetime.fromisoformat(o["resolution_due"]) == _cst(3, 10)  # Tue 10:00: 390 min Monday + 60 Tuesday
    w.move(oid, "acknowledged")
    w.move(oid, "in_progress")
    assert _sweep(app)["due"] == 0, "nothing is due yet"
    clock.set(_cst(2, 17, 8))  # 75 % of 450 business minutes used at Mon 17:07:30
    res = _sweep(app)
    assert res["warned"] == 1 and res["escalated"] == 1
    with app.state.sessionmaker() as s:
        row = s.get(Order, oid)
        assert row.sla_status == "warning" and row.escalation_level == "team_lead"
    clock.set(_cst(3, 10, 1))
    res = _sweep(app)
    assert res["breached"] == 1 and res["escalated"] == 1
    w.agent = login(client, "agent1")
    got = client.get(f"/api/v1/orders/{oid}", headers=w.agent).json()
    assert got["sla_status"] == "breached" and got["escalation_level"] == "manager"
    assert got["owner_id"] == w.agent_id, "首问负责人 stays accountable"
    assert got["handler_id"] == w.senior_id, "P1 breach reassigns to a senior agent"
    assert _sweep(app)["due"] == 0, "a swept order is not visited again at the same instant"
    clock.set(_cst(4, 10, 1))  # twice the target: a complaint about to leave the operator
    assert _sweep(app)["escalated"] == 1
    with app.state.sessionmaker() as s:
        assert s.get(Order, oid).escalation_level == "crisis"
        kinds = set(s.scalars(select(Notification.kind).where(Notification.order_id == oid)))
        escalated = [json.loads(e.payload) for e in s.scalars(
            select(OutboxEvent).where(OutboxEvent.type == "order.escalated", OutboxEvent.entity_id == str(oid))
            .order_by(OutboxEvent.id))]
    assert {"escalation.team_lead", "escalation.manager", "escalation.crisis"} <= kinds
    assert [e["level"] for e in escalated] == ["team_lead", "manager", "crisis"]
    assert all(e["automatic"] for e in escalated)


def test_pending_time_never_counts(app: FastAPI, client: TestClient, clock: FrozenClock) -> None:
    w = World(app, client)
    oid = w.create()["id"]
    w.move(oid, "acknowledged")
    w.move(oid, "pending", pending_reason="customer")
    with app.state.sessionmaker() as s:
        assert s.get(Order, oid).next_due_at is None, "a paused order has nothing due"
    clock.set(_cst(9, 10))  # a week later
    assert _sweep(app)["due"] == 0
    w.agent = login(client, "agent1")
    r = w.move(oid, "in_progress")
    assert r["sla_status"] == "ok"
    # the whole 450-minute budget is left: Mon 10:00 + 390 min Monday + 60 min Tuesday
    assert datetime.fromisoformat(r["resolution_due"]) == _cst(10, 10)


def test_sweep_visits_only_due_orders(app: FastAPI, client: TestClient, clock: FrozenClock) -> None:
    w = World(app, client)
    fast = w.create()["id"]  # P1 complaint, first response due in 60 minutes
    slow = w.create(type="business", category="business.plan_change", title="改套餐", description="改为5G199")["id"]
    clock.advance(timedelta(minutes=50))  # past 75 % of the complaint's hour, within the business order's 240
    res = _sweep(app)
    assert res["due"] == 1 and res["warned"] == 1
    with app.state.sessionmaker() as s:
        assert s.get(Order, fast).sla_status == "warning"
        assert s.get(Order, slow).sla_status == "ok"
