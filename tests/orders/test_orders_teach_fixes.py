"""Resolved orders teach the knowledge panel: the fix recorded on resolution is offered for a similar problem.

Through the real path (API → lifecycle → order.resolved → knowledge handler), because a test that emits the
event by hand once hid that the lifecycle's event carried no description, so no case ever matched a query."""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.testclient import TestClient

from orders.orders_helpers import World
from telqc.core import events
from telqc.core.clock import FrozenClock
from telqc.core.settings import Settings

TEXT = "光猫LOS红灯一直闪，家里宽带断网"


def test_a_resolved_orders_fix_is_offered_for_a_similar_description(app: FastAPI, client: TestClient,
                                                                    clock: FrozenClock, settings: Settings) -> None:
    w = World(app, client)
    r = client.post("/api/v1/kb/solutions", json={"code": "RESTART_ONT", "title": "指导重启光猫",
                                                   "answer": "已指导重启光猫。", "category": "宽带故障"},
                    headers=w.sup)
    assert r.status_code == 201, r.text
    o = w.create(type="consultation", category="consultation.plan", title="宽带断网", description=TEXT)
    w.move(o["id"], "resolved", solution_code="RESTART_ONT")
    events.drain(app.state.sessionmaker, clock, settings)

    similar = client.post("/api/v1/kb/recommendations", json={"description": "宽带断网了 光猫LOS灯红色闪"},
                          headers=w.agent).json()["solutions"]
    assert [x["solution_code"] for x in similar] == ["RESTART_ONT"]
    assert similar[0]["title"] == "指导重启光猫" and similar[0]["example_orders"] == [o["id"]]
    unrelated = client.post("/api/v1/kb/recommendations", json={"description": "话费账单多扣了十元"},
                            headers=w.agent).json()["solutions"]
    assert unrelated == []
