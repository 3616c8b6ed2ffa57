"""Claim-first sending of a message table: orders' notifications, incidents' notices and escalations.

A row is written with the change that causes it, unique by its key; `SendQueue.deliver` claims the unsent rows
with one conditional UPDATE before sending them (the caller's `send`: the orders' notification channel, SMS
gateway or its fake, with the key as idempotency key), so a concurrent relay blocks on those rows and then
finds them sent. A failed send is released again (its attempt still counted) and stays queued. The statements
are built once per table: the relay runs `deliver` after every order and incident event.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from sqlalchemy import bindparam, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from telqc.core.clock import Clock

CHUNK = 2000


class SendQueue:
    """The insert and claim statements of one message table (a model with key, sent_at and attempts).

    `what` names a row in the failure log of the owning domain's logger `log`."""

    def __init__(self, model: Any, what: str, log: logging.Logger) -> None:
        self.what, self.log = what, log
        table = model.__table__
        self._insert = {name: ins(table).on_conflict_do_nothing(index_elements=["key"]).returning(table.c.id)
                        for name, ins in (("postgresql", pg_insert), ("sqlite", sqlite_insert))}
        self._unsent = select(model).where(model.sent_at.is_(None)).order_by(model.id).limit(bindparam("limit"))
        self._claim = (update(model).where(model.id.in_(bindparam("ids", expanding=True)), model.sent_at.is_(None))
                       .values(sent_at=bindparam("now"), attempts=model.attempts + 1)
                       .returning(model.id).execution_options(synchronize_session=False))
        self._release = (update(model).where(model.id.in_(bindparam("ids", expanding=True)))
                         .values(sent_at=None).execution_options(synchronize_session=False))

    def add(self, session: Session, rows: Sequence[Mapping[str, Any]]) -> int:
        """Queue `rows` (a key already queued is skipped); answers how many are new."""
        session.flush()
        stmt = self._insert[session.get_bind().dialect.name]
        return sum(len(session.connection().execute(stmt, list(rows[i:i + CHUNK])).all())
                   for i in range(0, len(rows), CHUNK))

    def deliver(self, session: Session, clock: Clock, send: Callable[[Any], None], limit: int) -> int:
        """Send unsent rows in the caller's transaction (the caller commits); answers how many were sent.

        `send(row)` raises on failure, and the row is released to stay queued."""
        rows = list(session.scalars(self._unsent, {"limit": limit}))
        if not rows:
            return 0
        claimed = set(session.scalars(self._claim, {"ids": [n.id for n in rows], "now": clock.now()}))
        failed = []
        for n in rows:
            if n.id not in claimed:
                continue
            try:
                send(n)
            except Exception:
                self.log.exception("%s %s failed; it stays queued", self.what, n.id)
                failed.append(n.id)
        if failed:
            session.execute(self._release, {"ids": failed})
        return len(claimed) - len(failed)
