"""Rows written at commit (journal rows and audit rows) follow the transaction they belong to, savepoints included."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from telqc.core import audit, journal
from telqc.core.events import OutboxEvent

OUTBOX = OutboxEvent.__table__
ACTOR = audit.Actor(None, "test")


def _queue(s, clock, tag: str) -> None:  # type: ignore[no-untyped-def]
    """One journal row and one audit row, both named `tag`."""
    journal.add(s, OUTBOX, {"at": clock.now(), "type": tag, "entity_type": "thing", "entity_id": "1",
                            "payload": "{}", "published_at": None})
    audit.record(s, ACTOR, tag, "thing", 1, clock.now())


def _written(app) -> tuple[list[str], list[str]]:  # type: ignore[no-untyped-def]
    with app.state.sessionmaker() as s:
        events = list(s.scalars(select(OutboxEvent.type).where(OutboxEvent.type.like("j.%")).order_by(OutboxEvent.id)))
        actions = list(s.scalars(select(audit.AuditEntry.action).where(audit.AuditEntry.action.like("j.%"))
                                 .order_by(audit.AuditEntry.id)))
        assert audit.verify(s).ok
    return events, actions


def test_a_rolled_back_savepoint_drops_only_its_own_rows(app, clock) -> None:  # type: ignore[no-untyped-def]
    with app.state.sessionmaker() as s:
        _queue(s, clock, "j.before")
        try:
            with journal.savepoint(s):
                _queue(s, clock, "j.inside")
                raise RuntimeError("the savepoint's work is undone")
        except RuntimeError:
            pass
        with journal.savepoint(s):  # a released savepoint keeps its rows
            _queue(s, clock, "j.kept")
        _queue(s, clock, "j.after")
        s.commit()
    expected = ["j.before", "j.kept", "j.after"]
    assert _written(app) == (expected, expected)


def test_a_savepoint_opened_past_queued_rows_is_refused(app, clock) -> None:  # type: ignore[no-untyped-def]
    """Rolling such a savepoint back could take the queued rows along: `journal.savepoint` writes them first."""
    with app.state.sessionmaker() as s:
        _queue(s, clock, "j.queued")
        with pytest.raises(RuntimeError, match=r"journal\.savepoint"):
            s.begin_nested()


def test_a_rolled_back_transaction_writes_nothing_later(app, clock) -> None:  # type: ignore[no-untyped-def]
    with app.state.sessionmaker() as s:
        _queue(s, clock, "j.lost")
        s.rollback()
        _queue(s, clock, "j.next")
        s.commit()
    assert _written(app) == (["j.next"], ["j.next"])


def test_the_transaction_reads_its_queued_rows_unless_a_statement_leaves_them(app, clock) -> None:  # type: ignore[no-untyped-def]
    count = select(func.count()).select_from(OutboxEvent).where(OutboxEvent.type == "j.read")
    with app.state.sessionmaker() as s:
        journal.add(s, OUTBOX, {"at": clock.now(), "type": "j.read", "entity_type": "thing", "entity_id": "1",
                                "payload": "{}", "published_at": None})
        assert s.scalar(count.execution_options(**journal.LEAVES_QUEUE)) == 0
        assert [r["type"] for r in journal.queued(s, OUTBOX)] == ["j.read"]
        assert s.scalar(count) == 1  # a plain read writes the queue first, as autoflush would
        assert journal.queued(s, OUTBOX) == []
        s.commit()
    with app.state.sessionmaker() as s:
        assert s.scalar(count) == 1
