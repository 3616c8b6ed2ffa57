"""The demo's evaluated months have data for every component: QA scores, CSAT, SLA compliance, complaint handling,
training and peer input are seeded across the quarter (through the services, on past clocks), not only in the last
weeks, so the evaluation page explains every Guangdong agent's result component by component."""

from __future__ import annotations

from datetime import timedelta

from fastapi import FastAPI
from sqlalchemy import select

from telqc.core.clock import FrozenClock
from telqc.core.context import Ctx
from telqc.core.uow import UnitOfWork
from telqc.demo import reference
from telqc.demo import seed as seeding
from telqc.demo.evaluation_seed import evaluated_months, load_demo_floor, seed_evaluations
from telqc.demo.inspection_seed import seed_inspection
from telqc.demo.orders_seed import seed_earlier_orders, seed_orders
from telqc.demo.quarter_seed import seed_training
from telqc.evaluation.models import EvaluationResult, EvaluationRun
from telqc.jobs.relay import relay_backlog
from telqc.metrics import service as metrics

DAYS = 92  # `telqc demo`'s history: the quarter the evaluations show
ORDER_DAYS = 21
EVERY_AGENT = ("qa_score", "sla_compliance", "timely_complaint_handling", "teamwork",
               "course_completion", "sim_call_score", "fcr", "aht", "offered")


def _seed(app: FastAPI, clock: FrozenClock) -> None:
    """The demo's steps that feed the evaluations, in `telqc seed`'s order, at the other demo tests' size."""
    st = app.state

    def ctx_of(s: object) -> Ctx:
        return Ctx(uow=UnitOfWork(s), clock=clock, settings=st.settings)  # type: ignore[arg-type]

    with st.sessionmaker() as s:
        ctx = ctx_of(s)
        reference.load_reference(ctx)
        reference.load_demo_users(ctx)
        load_demo_floor(ctx, reference.DEMO_PASSWORD)
        seeding.seed_customers(s, 300, 7, clock.now())
        seeding.seed_contacts(s, DAYS, 7, clock.now(), per_customer_daily=0.05)
        ctx.uow.commit()
        seed_orders(ctx, count=120, days=ORDER_DAYS, seed=7)
        seed_earlier_orders(ctx, evaluated_months(ctx, DAYS), clock.now() - timedelta(days=ORDER_DAYS), seed=7)
        ctx.uow.commit()
    relay_backlog(st.sessionmaker, clock, st.settings)
    with st.sessionmaker() as s:
        ctx = ctx_of(s)
        today = metrics.local_today(ctx)
        metrics.backfill(ctx, today - timedelta(days=DAYS), today)
        seed_training(ctx, DAYS)
        seed_inspection(ctx, evaluated_months(ctx, DAYS))
        ctx.uow.commit()
    relay_backlog(st.sessionmaker, clock, st.settings)
    with st.sessionmaker() as s:
        ctx = ctx_of(s)
        seed_evaluations(ctx, DAYS)
        ctx.uow.commit()


def test_every_component_of_the_last_evaluated_month_has_data(app: FastAPI, clock: FrozenClock) -> None:
    _seed(app, clock)
    with app.state.sessionmaker() as s:
        months = evaluated_months(Ctx(uow=UnitOfWork(s), clock=clock, settings=app.state.settings), DAYS)
        start, end = months[-1]
        run = s.scalars(select(EvaluationRun).where(EvaluationRun.province_code == "440000",
                                                    EvaluationRun.period_start == start,
                                                    EvaluationRun.period_end == end)).one()
        results = list(s.scalars(select(EvaluationResult).where(EvaluationResult.run_id == run.id)))
    keys = [c["key"] for c in run.scheme["components"]]
    with_data = {k: sum(any(p["key"] == k and p["raw"] is not None for p in r.parts) for r in results) for k in keys}
    assert len(results) == 8, "王晓燕 and the Guangdong floor"
    assert all(with_data.values()), f"components without data in {start}..{end}: {with_data}"
    assert all(with_data[k] == len(results) for k in EVERY_AGENT), f"{with_data}"
    assert with_data["csat"] >= len(results) // 2, with_data
