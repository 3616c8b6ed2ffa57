"""Domain events through a transactional outbox.

A service emits an event in the same transaction as the change; after commit the
relay hands each event to every subscribed handler exactly once (a delivery row is
written in the handler's own transaction, so a retried relay skips finished work).
Handlers live in ``telqc/<domain>/handlers.py`` and subscribe by type or ``prefix.*``.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, Index, Integer, String, Text, select, text, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped, Session, mapped_column, sessionmaker

from telqc.core.clock import Clock
from telqc.core.context import Ctx
from telqc.core.db import Base, UTCDateTime
from telqc.core.settings import Settings

BigId = BigInteger().with_variant(Integer, "sqlite")
_EMITTED = "telqc_events_emitted"


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
DrainHook = Callable[["sessionmaker[Session]", Clock, Settings], object]
_handlers: list[tuple[str, str, Handler]] = []
_after_drain: list[DrainHook] = []
_discovered = False


def subscribe(pattern: str) -> Callable[[Handler], Handler]:
    def register(fn: Handler) -> Handler:
        _handlers.append((pattern, f"{fn.__module__}.{fn.__qualname__}", fn))
        return fn

    return register


def after_drain(fn: DrainHook) -> DrainHook:
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
        from telqc.domains import modules

        list(modules("handlers"))


def handlers_for(event_type: str) -> list[tuple[str, Handler]]:
    _discover()
    return [(name, fn) for pattern, name, fn in _handlers
            if pattern == event_type or (pattern.endswith(".*") and event_type.startswith(pattern[:-1]))
            or pattern == "*"]


def emit(ctx: Ctx, type: str, entity_type: str, entity_id: object, /, **payload: Any) -> None:
    ctx.session.add(OutboxEvent(at=ctx.now(), type=type, entity_type=entity_type, entity_id=str(entity_id),
                                payload=json.dumps(payload, ensure_ascii=False, default=str)))
    ctx.session.info[_EMITTED] = True


def pending_in(session: Session) -> bool:
    """Whether this session emitted events (call before commit; the flag is cleared)."""
    return bool(session.info.pop(_EMITTED, False))


def drain(factory: sessionmaker[Session], clock: Clock, settings: Settings, limit: int = 1000) -> int:
    """Deliver unpublished events in order; returns how many were published. Safe to run concurrently."""
    done = 0
    with factory() as session:
        lock = None
        if session.get_bind().dialect.name == "postgresql":
            # One relay at a time keeps per-entity order; others return at once. The lock lives on its own
            # connection: the session hands its connection back to the pool at every commit.
            lock = session.get_bind().connect()  # type: ignore[union-attr]
            if not lock.execute(text("SELECT pg_try_advisory_lock(7262001)")).scalar():
                lock.close()
                return 0
        try:
            rows = session.scalars(
                select(OutboxEvent).where(OutboxEvent.published_at.is_(None)).order_by(OutboxEvent.id).limit(limit)
            ).all()
            session.commit()
            for row in rows:
                event = Event(row.id, row.at, row.type, row.entity_type, row.entity_id, json.loads(row.payload))
                for name, fn in handlers_for(event.type):
                    _deliver(factory, clock, settings, event, name, fn)
                session.execute(update(OutboxEvent).where(OutboxEvent.id == row.id).values(published_at=clock.now()))
                session.commit()
                done += 1
        finally:
            if lock is not None:
                lock.execute(text("SELECT pg_advisory_unlock(7262001)"))
                lock.close()
    return done


def _deliver(factory: sessionmaker[Session], clock: Clock, settings: Settings, event: Event,
             name: str, fn: Handler) -> None:
    with factory() as session:
        if session.get(EventDelivery, (event.id, name)) is not None:
            return
        ctx = Ctx(session=session, clock=clock, settings=settings)
        fn(ctx, event)
        session.add(EventDelivery(event_id=event.id, handler=name, at=clock.now()))
        try:
            session.commit()
        except IntegrityError:
            session.rollback()  # another relay delivered it first
