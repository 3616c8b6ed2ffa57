"""The demo's order queue and customer voice read like a working floor's: today's orders are open, older ones
are resolved but for a few running late, and the CSAT / NPS tiles have answers behind them."""

from __future__ import annotations

from datetime import timedelta

from fastapi import FastAPI
from sqlalchemy import select

from telqc.core.clock import FrozenClock
from telqc.core.context import Ctx
from telqc.core.uow import UnitOfWork
from telqc.demo import reference
from telqc.demo import seed as seeding
from telqc.demo.orders_seed import seed_orders
from telqc.jobs.relay import relay_backlog
from telqc.metrics import service as metrics
from telqc.orders.models import Order
from telqc.surveys.models import SurveyInvitation, SurveyResponse

OPEN = ("new", "acknowledged", "in_progress", "pending", "reopened")


def _seeded(app: FastAPI, clock: FrozenClock) -> None:
    st = app.state
    with st.sessionmaker() as s:
        uow = UnitOfWork(s)
        ctx = Ctx(uow=uow, clock=clock, settings=st.settings)
        reference.load_demo_users(ctx)
        seeding.seed_customers(s, 300, 7, clock.now())
        seeding.seed_contacts(s, 21, 7, clock.now(), per_customer_daily=0.05)
        uow.commit()
        seed_orders(ctx, count=120, days=21, seed=7)
        uow.commit()
    relay_backlog(st.sessionmaker, clock, st.settings)


def test_new_orders_are_recent_and_old_ones_are_worked_off(app: FastAPI, clock: FrozenClock) -> None:
    _seeded(app, clock)
    now = clock.now()
    with app.state.sessionmaker() as s:
        orders = s.execute(select(Order.status, Order.created_at, Order.resolution_due)).all()
    new_ages = [now - o.created_at for o in orders if o.status == "new"]
    open_ages = [now - o.created_at for o in orders if o.status in OPEN]
    assert new_ages and max(new_ages) < timedelta(days=1), "a new order was created today, not weeks ago"
    assert open_ages and max(open_ages) < timedelta(days=7), "what is older than a week has been resolved"
    late = [o for o in orders if o.status in OPEN and o.resolution_due is not None and o.resolution_due < now]
    assert len(late) <= len(orders) // 10, "a few run late, not the queue"
    assert sum(o.status in ("resolved", "closed") for o in orders) > len(orders) // 2


def test_csat_and_nps_have_survey_answers_behind_them(app: FastAPI, clock: FrozenClock) -> None:
    _seeded(app, clock)
    st = app.state
    with st.sessionmaker() as s:
        answered = s.scalars(select(SurveyResponse)).all()
        triggers = {t for (t,) in s.execute(select(SurveyInvitation.trigger).join(
            SurveyResponse, SurveyResponse.invitation_id == SurveyInvitation.id))}
        ctx = Ctx(uow=UnitOfWork(s), clock=clock, settings=st.settings)
        today = metrics.local_today(ctx)
        view = metrics.view(ctx, metrics.Query(kpis=["csat", "nps"], start=today - timedelta(days=29), end=today))
    assert len(answered) >= 30 and triggers == {"order", "contact"}
    values = {k["name"]: k["value"] for k in view["kpis"]}
    assert 0.75 <= values["csat"] <= 0.97, values
    assert 0 < values["nps"] < 60, values
