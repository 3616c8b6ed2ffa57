"""The demo's improvement plans, measured on the demo's own contacts: one credited, one not."""

from __future__ import annotations

from datetime import timedelta

from fastapi import FastAPI
from fastapi.testclient import TestClient

from helpers import login
from telqc.core.clock import FrozenClock
from telqc.core.context import Ctx
from telqc.core.uow import UnitOfWork
from telqc.demo.improvement_seed import MIN_DAYS, seed_improvement
from telqc.demo.reference import load_demo_users
from telqc.demo.seed import seed_contacts, seed_customers
from telqc.metrics import service as metrics


def test_the_guangdong_plan_is_effective_and_the_zhejiang_one_is_not(app: FastAPI, client: TestClient,
                                                                      clock: FrozenClock) -> None:
    st = app.state
    with st.sessionmaker() as s:
        uow = UnitOfWork(s)
        ctx = Ctx(uow=uow, clock=clock, settings=st.settings)
        load_demo_users(ctx)
        seed_customers(s, 600, 42, clock.now())
        seed_contacts(s, MIN_DAYS, 42, clock.now(), per_customer_daily=0.15)
        today = metrics.local_today(ctx)
        metrics.backfill(ctx, today - timedelta(days=MIN_DAYS), today)
        assert seed_improvement(ctx, MIN_DAYS) == 3
        uow.commit()
    h = login(client, "manager", "telqc-demo")
    plans = {p["title"]: p for p in client.get("/api/v1/improvement/plans", headers=h).json()["items"]}
    good, flat = plans["广东晚高峰接通提速"], plans["浙江平均处理时长压降"]
    assert (good["state"], good["verdict"], good["effect"]["method"]) == ("standardised", "effective", "did")
    assert good["effect"]["ci_low"] > 0, "waits halved: the 15-second answer rate rose, net of Zhejiang"
    assert (flat["state"], flat["verdict"]) == ("adjusting", "not_shown")
    doing = plans["投诉回访满意率提升"]
    assert doing["state"] == "doing" and [a["overdue"] for a in doing["actions"]] == [True, False]
    assert seed_improvement(ctx, MIN_DAYS - 1) == 0, "too little history for a baseline and an after period"
