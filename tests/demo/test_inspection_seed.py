"""The demo's quality inspection: last week's calls sampled by a saved plan, so the inspector has a queue."""

from __future__ import annotations

import io
from collections.abc import Callable
from datetime import timedelta
from typing import TypeVar

from fastapi import FastAPI
from fastapi.testclient import TestClient
from openpyxl import load_workbook

from helpers import login, page_login
from telqc.core.clock import FrozenClock
from telqc.core.context import Ctx
from telqc.core.uow import UnitOfWork
from telqc.demo.evaluation_seed import load_demo_floor
from telqc.demo.inspection_seed import CALLS_PER_AGENT, seed_inspection, seed_store_visits
from telqc.demo.reference import load_demo_users

T = TypeVar("T")


def test_the_inspector_has_a_queue_and_the_week_is_sampled_once(app: FastAPI, client: TestClient,
                                                                 clock: FrozenClock) -> None:
    st = app.state
    with st.sessionmaker() as s:
        uow = UnitOfWork(s)
        ctx = Ctx(uow=uow, clock=clock, settings=st.settings)
        load_demo_users(ctx)
        load_demo_floor(ctx, "telqc-demo")
        sampled = seed_inspection(ctx)
        uow.commit()
    assert sampled >= 8, "at least one call of each of the eight Guangdong agents"
    h = login(client, "inspector", "telqc-demo")
    queue = client.get("/api/v1/qa/queue", headers=h).json()
    assert queue and len(queue) == sampled - sampled // 3, "a third already scored"
    assert {i["reason"] for i in queue} >= {"targeted:complaint", "targeted:auto_hits"}
    batches = client.get("/api/v1/qa/sampling-batches", headers=h).json()
    assert len(batches) == 1 and batches[0]["created"] == sampled
    assert sampled < 8 * CALLS_PER_AGENT, "a sample, not every call"
    page_login(client, "inspector", "telqc-demo")
    page = client.get("/qa/sampling").text
    assert "每周常规抽检" in page and "赵敏" in page
    assert client.post(f"/api/v1/qa/sampling-plans/{batches[0]['plan_id']}/run", headers=h).status_code == 409
    with st.sessionmaker() as s:
        uow = UnitOfWork(s)
        assert seed_inspection(Ctx(uow=uow, clock=clock, settings=st.settings)) == 0, "a second seed adds nothing"
        uow.commit()


def _in_session(app: FastAPI, clock: FrozenClock, step: Callable[[Ctx], T]) -> T:
    with app.state.sessionmaker() as s:
        uow = UnitOfWork(s)
        out = step(Ctx(uow=uow, clock=clock, settings=app.state.settings))
        uow.commit()
    return out


def test_store_visits_are_seeded_once_and_reach_the_quality_report(app: FastAPI, client: TestClient,
                                                                   clock: FrozenClock) -> None:
    _in_session(app, clock, load_demo_users)
    assert _in_session(app, clock, seed_store_visits) == 12, "three stores, four weekly visits"
    assert _in_session(app, clock, seed_store_visits) == 0, "a second seed adds nothing"
    h = login(client, "manager", "telqc-demo")
    summary = client.get("/api/v1/qa/store-visits/summary", headers=h).json()
    assert summary["visits"] == 12 and summary["by_store"][0]["name"] == "梅州梅江营业厅", "worst store first"
    day = (clock.now() - timedelta(days=2)).date().isoformat()
    r = client.get("/api/v1/metrics/reports/weekly", params={"day": day, "format": "xlsx"}, headers=h)
    assert r.status_code == 200, r.text
    sheet = load_workbook(io.BytesIO(r.content))["营业厅检查"]
    names = {sheet.cell(row=i, column=1).value for i in range(2, sheet.max_row + 1)}
    assert "梅州梅江营业厅" in names and "等候时长" in names, "stores by name and the item that lost most"
