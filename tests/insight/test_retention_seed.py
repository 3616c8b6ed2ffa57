"""The demo retention campaign: the demo agent gets a few tasks, outcomes and offers are there, and a second
seed changes nothing."""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.testclient import TestClient

from helpers import login
from telqc.core.clock import FrozenClock
from telqc.core.context import Ctx
from telqc.core.uow import UnitOfWork
from telqc.demo.evaluation_seed import load_demo_floor
from telqc.demo.reference import DEMO_PASSWORD, load_demo_users
from telqc.demo.retention_seed import seed_retention
from telqc.demo.seed import seed_customers


def seed(app: FastAPI, clock: FrozenClock, times: int) -> list[int]:
    """The demo users, floor and 2,000 customers, then the retention seed `times` times (its task counts)."""
    st = app.state
    with st.sessionmaker() as s:
        uow = UnitOfWork(s)
        ctx = Ctx(uow=uow, clock=clock, settings=st.settings)
        load_demo_users(ctx)
        load_demo_floor(ctx, DEMO_PASSWORD)
        seed_customers(s, 2000, 42, clock.now())
        out = [seed_retention(ctx) for _ in range(times)]
        uow.commit()
    return out


def test_demo_agent_has_retention_tasks_and_the_seed_is_idempotent(app: FastAPI, client: TestClient,
                                                                   clock: FrozenClock) -> None:
    first, second = seed(app, clock, 2)
    assert first > 0 and second == 0, "idempotent"
    tasks = client.get("/api/v1/insight/tasks", headers=login(client, "agent", DEMO_PASSWORD)).json()
    assert len(tasks) >= 2 and {t["status"] for t in tasks} >= {"contacted", "unreachable"}
    mgr = login(client, "manager", DEMO_PASSWORD)
    assert len(client.get("/api/v1/insight/campaigns", headers=mgr).json()) == 1
    assert client.get("/api/v1/insight/conversion", headers=mgr).json()


def test_demo_tasks_show_stored_scores_with_reasons(app: FastAPI, client: TestClient, clock: FrozenClock) -> None:
    seed(app, clock, 1)
    tasks = client.get("/api/v1/insight/tasks", headers=login(client, "agent", DEMO_PASSWORD)).json()
    scored = [t for t in tasks if t["churn"] is not None and t["churn_reasons"]]
    assert len(scored) >= 2, tasks[:3]
    assert all(t["model_version"].startswith("churn-logistic-") for t in scored)
    risky = [t for t in tasks if t["stage"] == "churn_risk"]
    assert all(t["churn"] >= 0.3 for t in risky), "the at-risk rule's min_churn applies to the stored scores"
