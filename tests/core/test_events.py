"""Outbox: events commit with the change, reach each handler once, and survive a failing handler."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi import FastAPI
from sqlalchemy import select

from telqc.core import events
from telqc.core.clock import FrozenClock
from telqc.core.context import Ctx
from telqc.core.settings import Settings
from telqc.core.uow import UnitOfWork


@pytest.fixture
def recorder() -> Iterator[list[tuple[str, int]]]:
    seen: list[tuple[str, int]] = []
    state = {"fail": True}

    def ok(ctx: Ctx, ev: events.Event) -> None:
        seen.append(("ok", ev.payload["n"]))
        ctx.audit("test.handled", "thing", ev.entity_id)

    def flaky(ctx: Ctx, ev: events.Event) -> None:
        if state["fail"]:
            state["fail"] = False
            raise RuntimeError("downstream unavailable")
        seen.append(("flaky", ev.payload["n"]))

    events.subscribe("test.*")(ok)
    events.subscribe("test.ping")(flaky)
    yield seen
    events._handlers[:] = [h for h in events._handlers if h[2] not in (ok, flaky)]


def _emit(app: FastAPI, clock: FrozenClock, settings: Settings, n: int, commit: bool = True) -> None:
    with app.state.sessionmaker() as s:
        uow = UnitOfWork(s)
        events.emit(Ctx(uow, clock, settings), "test.ping", "thing", n, n=n)
        if commit:
            uow.commit()
        else:
            s.rollback()


def test_exactly_once_and_retry_after_failure(app: FastAPI, clock: FrozenClock, settings: Settings,
                                              recorder: list[tuple[str, int]]) -> None:
    _emit(app, clock, settings, 1)
    _emit(app, clock, settings, 2, commit=False)  # rolled back: never delivered
    factory = app.state.sessionmaker
    with pytest.raises(RuntimeError):
        events.drain(factory, clock, settings)
    assert recorder == [("ok", 1)], "the healthy handler ran; the flaky one failed"
    assert events.drain(factory, clock, settings) == 1
    assert events.drain(factory, clock, settings) == 0
    assert sorted(recorder) == [("flaky", 1), ("ok", 1)], "each handler exactly once, even after the retry"
    with factory() as s:
        row = s.scalar(select(events.OutboxEvent))
        assert row is not None and row.published_at is not None
        assert len(s.scalars(select(events.EventDelivery)).all()) == 2
