"""The demo order seed goes through the real services: consistent histories and an intact audit chain."""

from __future__ import annotations

import itertools

from fastapi import FastAPI
from sqlalchemy import func, select

from telqc.core import audit
from telqc.core.clock import FrozenClock
from telqc.core.context import Ctx
from telqc.core.uow import UnitOfWork
from telqc.demo import reference
from telqc.demo import seed as seeding
from telqc.demo.orders_seed import seed_orders
from telqc.orders.models import Order, OrderHistory


def test_demo_orders_seed(app: FastAPI, clock: FrozenClock) -> None:
    factory = app.state.sessionmaker
    with factory() as s:
        uow = UnitOfWork(s)
        ctx = Ctx(uow=uow, clock=clock, settings=app.state.settings)
        reference.load_demo_users(ctx)
        seeding.seed_customers(s, 60, 7, clock.now())
        uow.commit()
        made = seed_orders(ctx, count=40, days=7, seed=7)
        uow.commit()
        assert made >= 30
        assert s.scalar(select(func.count()).select_from(Order)) == made
        statuses = set(s.scalars(select(Order.status)))
        assert {"new", "closed"} <= statuses
        for o in s.scalars(select(Order)):
            chain = [(h.from_value, h.to_value) for h in s.scalars(
                select(OrderHistory).where(OrderHistory.order_id == o.id, OrderHistory.field == "status")
                .order_by(OrderHistory.id))]
            assert all(a[1] == b[0] for a, b in itertools.pairwise(chain)) and chain[-1][1] == o.status
        first = s.scalar(select(func.min(Order.customer_id)))
        story = {(o.category_code, o.status, o.is_repeat) for o in s.scalars(select(Order).where(
            Order.customer_id == first, Order.category_code == "complaint.billing"))}
        assert ("complaint.billing", "closed", False) in story and ("complaint.billing", "in_progress", True) in story
        assert audit.verify(s).ok
