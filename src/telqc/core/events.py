"""Domain events through a transactional outbox.

A service emits an event in the same transaction as the change; after commit the
relay hands each event to every subscribed handler exactly once (a delivery row is
written in the handler's own transaction, so a retried relay skips finished work).
Handlers live in ``telqc/<domain>/handlers.py`` and subscribe by type or ``prefix.*``.

``subscribe`` handlers are called once per event; ``subscribe_batch`` handlers once per relay
batch with every matching event as a list. Either way a handler's share of a batch is one
transaction: the relay first claims it by inserting its delivery rows (skipping events already
delivered), then calls the handler, then commits; a failure rolls back claims and effects
together, and a concurrent relay either waits for the claim and skips, or finds it gone. When a
per-event handler fails inside its batch, the relay redelivers that share one event per
transaction, so the events before the failing one land and the failing one stops the relay
(and is retried) exactly as if every event had its own transaction.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypeVar

from sqlalchemy import BigInteger, Index, Integer, String, Text, select, text, update
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped, Session, mapped_column, sessionmaker

from telqc.core.clock import Clock
from telqc.core.context import Ctx
from telqc.core.db import Base, UTCDateTime
from telqc.core.settings import Settings
from telqc.core.uow import UnitOfWork, transaction
from telqc.domains import modules

BigId = BigInteger().with_variant(Integer, "sqlite")
RELAY_LOCK = 7262001  # PostgreSQL advisory lock held by the relay while it delivers


class OutboxEvent(Base):
    __tablename__ = "outbox_events"
    __table_args__ = (Index("ix_outbox_unpublished", "published_at", "id"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime())
    type: Mapped[str] = mapped_column(String(60))
    entity_type: Mapped[str] = mapped_column(String(40))
    entity_id: Mapped[str] = mapped_column(String(64))
    payload: Mapped[str] = mapped_column(Text)
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


_OUTBOX = OutboxEvent.__table__


class EventDelivery(Base):
    __tablename__ = "event_deliveries"

    event_id: Mapped[int] = mapped_column(BigId, primary_key=True)
    handler: Mapped[str] = mapped_column(String(120), primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime())


@dataclass(frozen=True)
class Event:
    id: int
    at: datetime
    type: str
    entity_type: str
    entity_id: str
    payload: dict[str, Any]


Handler = Callable[[Ctx, Event], None]
BatchHandler = Callable[[Ctx, list[Event]], None]
DrainHook = Callable[["sessionmaker[Session]", Clock, Settings], object]
_handlers: list[tuple[str, str, Handler]] = []
_batch_handlers: list[tuple[tuple[str, ...], str, BatchHandler, bool]] = []
_after_drain: list[DrainHook] = []
_Hook = TypeVar("_Hook", bound=DrainHook)
_discovered = False


def subscribe(pattern: str) -> Callable[[Handler], Handler]:
    def register(fn: Handler) -> Handler:
        _handlers.append((pattern, f"{fn.__module__}.{fn.__qualname__}", fn))
        return fn

    return register


def subscribe_batch(*patterns: str, ledger: bool = True) -> Callable[[BatchHandler], BatchHandler]:
    """For handlers whose cost is per transaction rather than per event (e.g. rollup upserts).

    ``ledger=False``: the handler is safe to run again on the same events by itself (it only reacts to
    "something happened", as the notification sender does), so no delivery row is claimed per event."""
    def register(fn: BatchHandler) -> BatchHandler:
        _batch_handlers.append((patterns, f"{fn.__module__}.{fn.__qualname__}", fn, ledger))
        return fn

    return register


def after_drain(fn: _Hook) -> _Hook:
    """Work that follows delivery in-process (e.g. sending what handlers queued for outside systems)."""
    _after_drain.append(fn)
    return fn


def drain_hooks() -> list[DrainHook]:
    _discover()
    return list(_after_drain)


def _discover() -> None:
    global _discovered
    if not _discovered:
        _discovered = True
        list(modules("handlers"))


def _matches(pattern: str, event_type: str) -> bool:
    return pattern == event_type or pattern == "*" or (pattern.endswith(".*") and event_type.startswith(pattern[:-1]))


def handlers_for(event_type: str) -> list[tuple[str, Handler]]:
    _discover()
    return [(name, fn) for pattern, name, fn in _handlers if _matches(pattern, event_type)]


def event_handlers() -> list[tuple[str, str, Handler]]:
    _discover()
    return list(_handlers)


def batch_handlers() -> list[tuple[tuple[str, ...], str, BatchHandler, bool]]:
    _discover()
    return list(_batch_handlers)


def emit(ctx: Ctx, type: str, entity_type: str, entity_id: object, /, **payload: Any) -> None:
    """Add the event to the outbox in the caller's unit of work: it exists exactly when the change commits."""
    ctx.uow.add(_OUTBOX, {"at": ctx.now(), "type": type, "entity_type": entity_type, "entity_id": str(entity_id),
                          "published_at": None, "payload": json.dumps(payload, ensure_ascii=False, default=str)})


OUTBOX_TABLE = _OUTBOX.name


def drain(factory: sessionmaker[Session], clock: Clock, settings: Settings, limit: int = 1000) -> int:
    """Deliver up to ``limit`` unpublished events in order; returns how many were published.

    Safe to run concurrently. Batch handlers get the whole batch first (one transaction each), then
    per-event handlers each event; events are marked published in bulk once every handler has them.
    """
    done = 0
    with factory() as session:
        lock = None
        if session.get_bind().dialect.name == "postgresql":
            # One relay at a time keeps per-entity order; others return at once. The lock lives on its own
            # connection: the session hands its connection back to the pool at every commit.
            lock = session.get_bind().engine.connect()
            if not lock.execute(text(f"SELECT pg_try_advisory_lock({RELAY_LOCK})")).scalar():
                lock.close()
                return 0
        try:
            rows = session.execute(
                select(OutboxEvent.id, OutboxEvent.at, OutboxEvent.type, OutboxEvent.entity_type,
                       OutboxEvent.entity_id, OutboxEvent.payload)
                .where(OutboxEvent.published_at.is_(None)).order_by(OutboxEvent.id).limit(limit)
            ).all()
            session.commit()
            batch = [Event(r[0], r[1], r[2], r[3], r[4], json.loads(r[5])) for r in rows]
            for patterns, name, bfn, ledger in batch_handlers():
                mine = [e for e in batch if any(_matches(p, e.type) for p in patterns)]
                if mine:
                    _deliver_batch(factory, clock, settings, mine, name, bfn, ledger)
            done = len(batch)  # events before this index are delivered to every handler
            failure: BaseException | None = None
            for pattern, name, fn in event_handlers():
                mine = [e for e in batch[:done] if _matches(pattern, e.type)]
                if not mine:
                    continue
                try:
                    _deliver_each(factory, clock, settings, mine, name, fn)
                except _HandlerFailed as exc:
                    done = next(i for i, e in enumerate(batch) if e.id == exc.event_id)
                    failure = exc.__cause__
            # what every handler has is published, even when a later event's handler failed
            _published(session, [e.id for e in batch[:done]], clock.now())
            session.commit()
            if failure is not None:
                raise failure
        finally:
            if lock is not None:
                lock.execute(text(f"SELECT pg_advisory_unlock({RELAY_LOCK})"))
                lock.close()
    return done


def hold_relay(session: Session) -> None:
    """Keep the relay out until this transaction ends (waiting for a pass under way to finish).

    For work that recomputes what handlers maintain (a rollup rebuild): an event delivered halfway
    through could be counted by both. SQLite transactions never overlap, so there is nothing to do.
    """
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text(f"SELECT pg_advisory_xact_lock({RELAY_LOCK})"))


def _pg_array(ids: list[int]) -> str:
    """An id list as one PostgreSQL array literal: the driver adapts a Python list element by element."""
    return "{" + ",".join(str(int(i)) for i in ids) + "}"


def _published(session: Session, ids: list[int], now: datetime) -> None:
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("UPDATE outbox_events SET published_at = :now WHERE id = ANY(CAST(:ids AS bigint[]))"),
                        {"ids": _pg_array(ids), "now": now})
        return
    for i in range(0, len(ids), 5000):
        session.execute(update(OutboxEvent).where(OutboxEvent.id.in_(ids[i:i + 5000])).values(published_at=now))


def _deliver(factory: sessionmaker[Session], clock: Clock, settings: Settings, event: Event,
             name: str, fn: Handler) -> None:
    uow = UnitOfWork(factory())
    try:
        if uow.session.get(EventDelivery, (event.id, name)) is not None:
            return
        fn(Ctx(uow=uow, clock=clock, settings=settings), event)
        uow.session.add(EventDelivery(event_id=event.id, handler=name, at=clock.now()))
        try:
            uow.commit()
        except IntegrityError:
            uow.rollback()  # another relay delivered it first
    finally:
        uow.close()


class _HandlerFailed(Exception):
    def __init__(self, event_id: int) -> None:
        super().__init__(event_id)
        self.event_id = event_id


def _deliver_each(factory: sessionmaker[Session], clock: Clock, settings: Settings, batch: list[Event],
                  name: str, fn: Handler) -> None:
    """A per-event handler's share of a batch in one transaction (one claim statement, one commit).

    Flushes after each event, so a handler sees what it did for the events before (as it would across
    commits). When event k fails, the transaction rolls back and events before k are delivered again
    in one transaction; then ``_HandlerFailed`` names k (the handler's error as its cause)."""
    end, error = len(batch), None
    while end:
        failed_at, err = _attempt(factory, clock, settings, batch[:end], name, fn)
        if err is None:
            break
        end, error = failed_at, err
    if error is not None:
        raise _HandlerFailed(batch[end].id) from error


def _attempt(factory: sessionmaker[Session], clock: Clock, settings: Settings, batch: list[Event],
             name: str, fn: Handler) -> tuple[int, Exception | None]:
    """(len(batch), None) when committed, else (index of the failing event, its error); 0 if the commit failed."""
    uow = UnitOfWork(factory())
    try:
        claimed = _claim(uow.session, [e.id for e in batch], name, clock.now())
        ctx = Ctx(uow=uow, clock=clock, settings=settings)
        for i, event in enumerate(batch):
            if event.id not in claimed:
                continue
            try:
                fn(ctx, event)
                uow.flush()  # the next event's call sees what this one wrote
            except Exception as exc:
                uow.rollback()
                return i, exc
        try:
            uow.commit()
        except Exception as exc:
            uow.rollback()
            return 0, exc
    finally:
        uow.close()
    return len(batch), None


def _deliver_batch(factory: sessionmaker[Session], clock: Clock, settings: Settings, batch: list[Event],
                   name: str, fn: BatchHandler, ledger: bool = True) -> None:
    """Claim, apply and commit in one transaction: all of the batch's effects, or none of them."""
    with transaction(factory) as uow:
        if ledger:
            claimed = _claim(uow.session, [e.id for e in batch], name, clock.now())
            todo = [e for e in batch if e.id in claimed]
        else:
            todo = batch
        if todo:
            fn(Ctx(uow=uow, clock=clock, settings=settings), todo)


def _claim(session: Session, ids: list[int], name: str, now: datetime) -> set[int]:
    """Insert the delivery rows first; returns the events this transaction now owns.

    ON CONFLICT DO NOTHING skips events delivered before; on PostgreSQL a claim held by a
    concurrent, uncommitted relay makes this insert wait for it, then skip (or take over if it
    rolled back). SQLite transactions start with BEGIN IMMEDIATE, so they never overlap.
    """
    table = EventDelivery.__table__
    if session.get_bind().dialect.name == "postgresql":  # one array parameter, whatever the batch size
        return set(session.scalars(text(
            "INSERT INTO event_deliveries (event_id, handler, at) SELECT unnest(CAST(:ids AS bigint[])), :name, :at "
            "ON CONFLICT DO NOTHING RETURNING event_id"), {"ids": _pg_array(ids), "name": name, "at": now}))
    out: set[int] = set()
    for i in range(0, len(ids), 5000):
        stmt = sqlite_insert(table).values([{"event_id": e, "handler": name, "at": now} for e in ids[i:i + 5000]])
        out.update(session.scalars(stmt.on_conflict_do_nothing().returning(table.c.event_id)))
    return out
