"""The demo's quarter of teamwork ratings, suggestions and simulated calls: the evaluations' components that no KPI
records have people with data, the suggestions page has one to decide, and a second seed changes nothing."""

from __future__ import annotations

from datetime import date
from typing import Any

from fastapi import FastAPI
from fastapi.testclient import TestClient

from helpers import login
from telqc.core.clock import FrozenClock
from telqc.core.context import Ctx
from telqc.core.uow import UnitOfWork
from telqc.demo.evaluation_seed import evaluated_months, load_demo_floor
from telqc.demo.peer_input_seed import seed_peer_input
from telqc.demo.reference import DEMO_PASSWORD, load_demo_users, load_reference

A = "/api/v1/evaluation"


def _seed(app: FastAPI, clock: FrozenClock) -> tuple[list[tuple[date, date]], list[Any]]:
    with app.state.sessionmaker() as s:
        uow = UnitOfWork(s)
        ctx = Ctx(uow=uow, clock=clock, settings=app.state.settings)
        load_reference(ctx)
        load_demo_users(ctx)
        load_demo_floor(ctx, DEMO_PASSWORD)
        months = evaluated_months(ctx, 92)
        made = [seed_peer_input(ctx, months), seed_peer_input(ctx, months)]
        uow.commit()
    return months, made


def test_every_component_has_data_and_the_seed_runs_once(app: FastAPI, client: TestClient,
                                                         clock: FrozenClock) -> None:
    months, (first, second) = _seed(app, clock)
    assert len(months) == 3
    assert first.ratings > 0 and first.suggestions == 24 and first.sim_calls == 24
    assert (second.ratings, second.suggestions, second.sim_calls) == (0, 0, 0), "idempotent"
    sup = login(client, "supervisor", DEMO_PASSWORD)
    start, end = months[1]
    r = client.post(f"{A}/runs", headers=sup, json={"name": "演示", "period_start": start.isoformat(),
                                                    "period_end": end.isoformat(), "province": "440000"})
    assert r.status_code == 201, r.text
    raw: dict[str, list[float]] = {}
    for x in r.json()["results"]:
        for p in x["parts"]:
            if p["raw"] is not None:
                raw.setdefault(p["key"], []).append(p["raw"])
    assert len(raw["teamwork"]) == 8, "every Guangdong agent is rated by teammates"
    assert all(1 <= v <= 5 for v in raw["teamwork"]) and len(set(raw["teamwork"])) > 1
    assert sum(raw["suggestions_adopted"]) >= 1 and len(raw["sim_call_score"]) == 8
    items = client.get("/api/v1/improvement/suggestions", headers=sup).json()
    assert {x["status"] for x in items} == {"adopted", "rejected", "submitted"}, items
    assert [x["status"] for x in items].count("submitted") == 1, "the last month's second one waits"
