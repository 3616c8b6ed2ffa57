"""A plan change a customer files from the self-service recommendation counts as an accepted self-service offer."""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.testclient import TestClient

from helpers import login, make_user
from orders.orders_helpers import World
from telqc.core.clock import SystemClock
from telqc.core.rbac import Role
from telqc.jobs.relay import relay_backlog


def test_self_service_plan_change_is_an_accepted_offer(app: FastAPI, client: TestClient) -> None:
    w = World(app, client)
    rec = client.get(f"/api/v1/insight/customers/{w.customer_id}/profile", headers=w.agent).json()["recommendation"]
    assert rec["plan"], "the demo usage of this customer has a recommendation"
    me = w.customer_login()
    r = client.post("/api/v1/me/plan-change", json={"plan_code": rec["plan"]["code"], "plan_name": rec["plan"]["name"],
                                                    "explanation": rec["text"]}, headers=me)
    assert r.status_code == 201, r.text
    client.post("/api/v1/me/orders", headers=me, json={"type": "repair", "category": "repair.broadband",
                                                       "title": "宽带断网", "description": "家里宽带断网了"})
    relay_backlog(app.state.sessionmaker, SystemClock(), app.state.settings)
    make_user(app, "mgr", Role.manager)
    conv = client.get("/api/v1/insight/conversion", headers=login(client, "mgr")).json()
    assert [(c["channel"], c["accepted"], c["decided"]) for c in conv] == [("self_service", 1, 1)], "not the fault"
