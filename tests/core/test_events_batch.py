"""Batch delivery: a batch handler gets each event exactly once, all of a batch's effects or none of them."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field

import pytest
from fastapi import FastAPI
from sqlalchemy import func, select

from telqc.core import audit, events
from telqc.core.audit import AuditEntry
from telqc.core.context import Ctx
from telqc.core.uow import UnitOfWork

HANDLER = f"{__name__}.applied"


@dataclass
class Batches:
    calls: list[list[int]] = field(default_factory=list)   # event ids of every call that committed or not
    fail_at: int | None = None                               # raise on this event's position in the batch
    pause: float = 0.0                                       # hold the transaction open (to overlap relays)
    entered: threading.Event = field(default_factory=threading.Event)


@pytest.fixture
def batches() -> Iterator[Batches]:
    b = Batches()

    def applied(ctx: Ctx, batch: list[events.Event]) -> None:
        b.calls.append([e.id for e in batch])
        for i, e in enumerate(batch):
            if b.fail_at == i:
                raise RuntimeError("downstream unavailable")
            ctx.audit("test.batch", "thing", e.entity_id)
        b.entered.set()
        time.sleep(b.pause)

    applied.__qualname__ = "applied"
    events.subscribe_batch("tb.*")(applied)
    yield b
    events._batch_handlers[:] = [h for h in events._batch_handlers if h[2] is not applied]


def _emit(app: FastAPI, n: int) -> None:
    st = app.state
    with st.sessionmaker() as s:
        uow = UnitOfWork(s)
        for i in range(n):
            events.emit(Ctx(uow, st.clock, st.settings), "tb.ping", "thing", i, n=i)
        uow.commit()


def _counts(app: FastAPI) -> tuple[int, int, int]:
    """(effects applied, delivery rows, events published)"""
    with app.state.sessionmaker() as s:
        audit.chain_all(s)  # the handler's audit entries, committed with its effects, join the chain
        applied = s.scalar(select(func.count()).select_from(AuditEntry).where(AuditEntry.action == "test.batch"))
        delivered = s.scalar(select(func.count()).select_from(events.EventDelivery)
                             .where(events.EventDelivery.handler == HANDLER))
        published = s.scalar(select(func.count()).select_from(events.OutboxEvent)
                             .where(events.OutboxEvent.published_at.is_not(None)))
    return int(applied or 0), int(delivered or 0), int(published or 0)


def test_failure_mid_batch_applies_nothing_and_the_batch_is_retried(app: FastAPI, batches: Batches) -> None:
    _emit(app, 5)
    st = app.state
    batches.fail_at = 2
    with pytest.raises(RuntimeError):
        events.drain(st.sessionmaker, st.clock, st.settings)
    assert _counts(app) == (0, 0, 0), "two events were handled before the failure: both rolled back"
    batches.fail_at = None
    assert events.drain(st.sessionmaker, st.clock, st.settings) == 5
    assert events.drain(st.sessionmaker, st.clock, st.settings) == 0
    assert _counts(app) == (5, 5, 5)
    assert len(batches.calls) == 2 and batches.calls[1] == batches.calls[0], "the whole batch, retried in one call"


def test_relay_batches_follow_the_limit_in_order(app: FastAPI, batches: Batches) -> None:
    _emit(app, 7)
    st = app.state
    while events.drain(st.sessionmaker, st.clock, st.settings, limit=3):
        pass
    assert [len(c) for c in batches.calls] == [3, 3, 1]
    ids = [i for c in batches.calls for i in c]
    assert ids == sorted(ids) and len(set(ids)) == 7
    assert _counts(app) == (7, 7, 7)


def test_per_event_failure_does_not_redeliver_the_batch(app: FastAPI, batches: Batches) -> None:
    state = {"fail": True}

    def flaky(ctx: Ctx, ev: events.Event) -> None:
        if ev.payload["n"] == 1 and state["fail"]:
            state["fail"] = False
            raise RuntimeError("mail server down")

    events.subscribe("tb.ping")(flaky)
    try:
        _emit(app, 3)
        st = app.state
        with pytest.raises(RuntimeError):
            events.drain(st.sessionmaker, st.clock, st.settings)
        assert _counts(app) == (3, 3, 1), "the batch handler committed; only the event before the failure is published"
        assert events.drain(st.sessionmaker, st.clock, st.settings) == 2
        assert _counts(app) == (3, 3, 3)
        assert [len(c) for c in batches.calls] == [3], "the retried events were already delivered to the batch handler"
    finally:
        events._handlers[:] = [h for h in events._handlers if h[2] is not flaky]


def test_concurrent_relays_do_not_double_apply(app: FastAPI, batches: Batches) -> None:
    _emit(app, 20)
    st = app.state
    batches.pause = 0.3
    errors: list[BaseException] = []

    def relay() -> None:
        try:
            while events.drain(st.sessionmaker, st.clock, st.settings, limit=8):
                pass
        except BaseException as e:  # surfaced below
            errors.append(e)

    threads = [threading.Thread(target=relay) for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert not errors
    assert _counts(app) == (20, 20, 20)
    ids = [i for c in batches.calls for i in c]
    assert sorted(ids) == sorted(set(ids)), "no event reached the handler twice"


def test_a_claim_held_by_another_transaction_is_waited_for_then_skipped(app: FastAPI, batches: Batches) -> None:
    """Two deliveries of the same batch at once (below the relay's lock): the second applies nothing."""
    _emit(app, 4)
    st = app.state
    with st.sessionmaker() as s:
        rows = s.scalars(select(events.OutboxEvent).order_by(events.OutboxEvent.id)).all()
        batch = [events.Event(r.id, r.at, r.type, r.entity_type, r.entity_id, {}) for r in rows]
    fn = events._batch_handlers[-1][2]
    batches.pause = 0.5
    first = threading.Thread(target=events._deliver_batch, args=(st.sessionmaker, st.clock, st.settings, batch,
                                                                 HANDLER, fn))
    first.start()
    assert batches.entered.wait(30), "the first delivery holds its claim"
    events._deliver_batch(st.sessionmaker, st.clock, st.settings, batch, HANDLER, fn)
    first.join(30)
    assert _counts(app)[:2] == (4, 4)
    assert batches.calls == [[e.id for e in batch]], "the second delivery found every event claimed"


def test_hold_relay_keeps_the_relay_out_until_the_transaction_ends(app: FastAPI, batches: Batches) -> None:
    """What a rollup rebuild takes: no event is delivered while it recomputes."""
    st = app.state
    if st.settings.effective_database_url.startswith("sqlite"):
        pytest.skip("SQLite transactions never overlap: there is no relay to keep out")
    _emit(app, 2)
    with st.sessionmaker() as s:
        events.hold_relay(s)
        assert events.drain(st.sessionmaker, st.clock, st.settings) == 0
        s.rollback()
    assert events.drain(st.sessionmaker, st.clock, st.settings) == 2
    assert _counts(app) == (2, 2, 2)


def test_per_event_handler_share_is_one_transaction_that_sees_its_own_work(app: FastAPI) -> None:
    """A `subscribe` handler is still called once per event, but its share of a batch commits once, and each call
    sees what the calls before it wrote (as it would across separate commits)."""
    from sqlalchemy import event

    seen: list[int] = []

    def counting(ctx: Ctx, ev: events.Event) -> None:
        seen.append(int(ctx.session.scalar(select(func.count()).select_from(events.OutboxEvent)
                                           .where(events.OutboxEvent.type == "tc.seen")) or 0))
        events.emit(ctx, "tc.seen", "thing", ev.entity_id)

    events.subscribe("tb.ping")(counting)
    commits: list[int] = []
    st = app.state
    listener = lambda s: commits.append(1)  # noqa: E731
    try:
        _emit(app, 5)
        event.listen(st.sessionmaker, "after_commit", listener)
        assert events.drain(st.sessionmaker, st.clock, st.settings) == 5
        assert seen == [0, 1, 2, 3, 4]
        # read outbox, per-event handler share, mark published: three commits for five events
        assert len(commits) == 3
        assert events.drain(st.sessionmaker, st.clock, st.settings) == 5, "the five follow-up events"
        assert seen == [0, 1, 2, 3, 4], "nothing delivered twice"
    finally:
        event.remove(st.sessionmaker, "after_commit", listener)
        events._handlers[:] = [h for h in events._handlers if h[2] is not counting]
