"""Job bodies shared by the Celery task and the CLI: own session, own commit, then deliver events."""

from __future__ import annotations

from dataclasses import asdict
from datetime import datetime

from sqlalchemy.orm import Session, sessionmaker

from telqc.core import events
from telqc.core.clock import Clock
from telqc.core.context import Ctx
from telqc.core.db import unit_of_work
from telqc.core.settings import Settings
from telqc.jobs.dispatch import after_commit
from telqc.orders import notify
from telqc.orders.sweep import sweep_all


def run_sweep(factory: sessionmaker[Session], clock: Clock, settings: Settings,
              now: datetime | None = None) -> dict[str, int]:
    with unit_of_work(factory) as session:
        res = sweep_all(Ctx(session=session, clock=clock, settings=settings), now)
        emitted = events.pending_in(session)
    if emitted:
        after_commit(factory, clock, settings)
    notify.deliver_pending(factory, clock)
    return asdict(res)
