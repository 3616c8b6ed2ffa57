"""The unit of work: collected rows follow the transaction they belong to, savepoints included, and
nothing depends on whether or where the session was flushed."""

from __future__ import annotations

import pytest
from fastapi import FastAPI
from sqlalchemy import func, select

from telqc.core import audit
from telqc.core.audit import AuditEntry, PendingEntry
from telqc.core.clock import FrozenClock
from telqc.core.events import EventDelivery, OutboxEvent
from telqc.core.uow import UnitOfWork

OUTBOX = OutboxEvent.__table__
ACTOR = audit.Actor(None, "test")


def _collect(uow: UnitOfWork, clock: FrozenClock, tag: str) -> None:
    """One outbox row and one audit entry, both named `tag`."""
    uow.add(OUTBOX, {"at": clock.now(), "type": tag, "entity_type": "thing", "entity_id": "1", "payload": "{}",
                     "published_at": None})
    audit.record(uow, ACTOR, tag, "thing", 1, clock.now())


def _written(app: FastAPI) -> tuple[list[str], list[str]]:
    with app.state.sessionmaker() as s:
        audit.chain_all(s)
        events = list(s.scalars(select(OutboxEvent.type).where(OutboxEvent.type.like("u.%")).order_by(OutboxEvent.id)))
        actions = list(s.scalars(select(AuditEntry.action).where(AuditEntry.action.like("u.%"))
                                 .order_by(AuditEntry.id)))
        assert audit.verify(s).ok
    return events, actions


def test_a_rolled_back_savepoint_drops_only_its_own_rows(app: FastAPI, clock: FrozenClock) -> None:
    """Plain `begin_nested()`: inside it rows are written at once, so its rollback takes them along."""
    with app.state.sessionmaker() as s:
        uow = UnitOfWork(s)
        _collect(uow, clock, "u.before")
        try:
            with s.begin_nested():
                _collect(uow, clock, "u.inside")
                raise RuntimeError("the savepoint's work is undone")
        except RuntimeError:
            pass
        with s.begin_nested():  # a released savepoint keeps its rows
            _collect(uow, clock, "u.kept")
        _collect(uow, clock, "u.after")
        uow.commit()
    assert _written(app) == (["u.kept", "u.before", "u.after"], ["u.kept", "u.before", "u.after"])


def test_a_rolled_back_unit_writes_nothing_later(app: FastAPI, clock: FrozenClock) -> None:
    with app.state.sessionmaker() as s:
        uow = UnitOfWork(s)
        _collect(uow, clock, "u.lost")
        uow.rollback()
        _collect(uow, clock, "u.next")
        uow.commit()
    assert _written(app) == (["u.next"], ["u.next"])


def test_closing_without_commit_writes_nothing(app: FastAPI, clock: FrozenClock) -> None:
    with app.state.sessionmaker() as s:
        uow = UnitOfWork(s)
        _collect(uow, clock, "u.dropped")
        s.flush()  # a session flush writes ORM objects, never the collected rows
        uow.close()
    assert _written(app) == ([], [])


def test_collected_rows_are_written_by_commit_or_explicit_flush_only(app: FastAPI, clock: FrozenClock) -> None:
    count = select(func.count()).select_from(OutboxEvent).where(OutboxEvent.type == "u.read")
    with app.state.sessionmaker() as s:
        uow = UnitOfWork(s)
        uow.add(OUTBOX, {"at": clock.now(), "type": "u.read", "entity_type": "thing", "entity_id": "1",
                         "payload": "{}", "published_at": None})
        assert s.scalar(count) == 0, "a read does not write them"
        s.flush()
        assert s.scalar(count) == 0, "nor does a session flush"
        assert [r["type"] for r in uow.pending(OUTBOX)] == ["u.read"]
        assert uow.flush() == {"outbox_events"}
        assert s.scalar(count) == 1 and uow.pending(OUTBOX) == []
        assert uow.commit() == frozenset(), "nothing was left to write"
    with app.state.sessionmaker() as s:
        assert s.scalar(count) == 1


def test_commit_answers_the_tables_it_wrote(app: FastAPI, clock: FrozenClock) -> None:
    with app.state.sessionmaker() as s:
        uow = UnitOfWork(s)
        _collect(uow, clock, "u.tables")
        assert uow.commit() == {"outbox_events", "audit_pending"}


def test_flushing_rows_collected_before_a_savepoint_inside_it_is_refused(app: FastAPI, clock: FrozenClock) -> None:
    """Written inside, they would vanish with a rollback of the savepoint though they belong to the outer
    transaction: the error says to flush before opening it."""
    with app.state.sessionmaker() as s:
        uow = UnitOfWork(s)
        _collect(uow, clock, "u.outer")
        with s.begin_nested(), pytest.raises(RuntimeError, match="before begin_nested"):
            uow.flush()
        uow.commit()
    assert _written(app) == (["u.outer"], ["u.outer"])


def test_add_once_skips_a_repeated_unique_key(app: FastAPI, clock: FrozenClock) -> None:
    """Rows that must exist once however often their cause is replayed (notifications, hub deliveries)."""
    table = EventDelivery.__table__
    with app.state.sessionmaker() as s:
        uow = UnitOfWork(s)
        for _ in range(2):  # twice in one statement
            uow.add_once(table, {"event_id": 1, "handler": "u.once", "at": clock.now()})
        uow.commit()
        uow.add_once(table, {"event_id": 1, "handler": "u.once", "at": clock.now()})  # and again later
        uow.add_once(table, {"event_id": 2, "handler": "u.once", "at": clock.now()})
        uow.commit()
        rows = s.execute(select(table.c.event_id).where(table.c.handler == "u.once").order_by(table.c.event_id)).all()
        assert [r[0] for r in rows] == [1, 2]
        with pytest.raises(ValueError, match="not both"):
            uow.add(table, {"event_id": 3, "handler": "u.once", "at": clock.now()})
            uow.add_once(table, {"event_id": 4, "handler": "u.once", "at": clock.now()})


def test_entries_wait_in_pending_until_chained(app: FastAPI, clock: FrozenClock) -> None:
    with app.state.sessionmaker() as s:
        uow = UnitOfWork(s)
        audit.record(uow, ACTOR, "u.wait", "thing", 1, clock.now())
        uow.commit()
        assert s.scalar(select(func.count()).select_from(PendingEntry)) == 1
        assert s.scalar(select(func.count()).select_from(AuditEntry).where(AuditEntry.action == "u.wait")) == 0
        assert audit.chain(s) == 1
        s.commit()
        assert s.scalar(select(func.count()).select_from(PendingEntry)) == 0
        assert audit.chain(s) == 0
    assert _written(app) == ([], ["u.wait"])
