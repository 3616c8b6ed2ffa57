"""The demo seed trains knowledge search's learned component once, so the demo's search fuses it in."""

from __future__ import annotations

from fastapi import FastAPI

from telqc.core.clock import FrozenClock
from telqc.core.context import Ctx
from telqc.core.uow import UnitOfWork
from telqc.demo.kb_seed import load_kb, train_kb
from telqc.demo.reference import load_demo_users
from telqc.knowledge import learning, searcher


def test_after_seeding_the_searcher_has_a_learned_model(app: FastAPI, clock: FrozenClock) -> None:
    st = app.state
    assert learning.current_model(st.settings.data_dir) is None
    with st.sessionmaker() as s:
        ctx = Ctx(uow=UnitOfWork(s), clock=clock, settings=st.settings)
        load_demo_users(ctx)
        load_kb(ctx)
        info = train_kb(ctx)
        ctx.uow.commit()
    model = learning.current_model(st.settings.data_dir)
    assert model is not None and model.trained
    assert info["articles"] > 10 and len(model.similarities("宽带 光猫 红灯")) > 0
    with st.sessionmaker() as s:
        ctx = Ctx(uow=UnitOfWork(s), clock=clock, settings=st.settings)
        hits = searcher.search(ctx, "家里网断了 光猫亮红灯").hits
    assert hits and all(h.score > 0 for h in hits)
