"""Periodic survey job: close expired links."""

from __future__ import annotations

from telqc.core.clock import SystemClock
from telqc.core.context import Ctx
from telqc.core.db import make_engine, make_sessionmaker, unit_of_work
from telqc.core.settings import get_settings
from telqc.surveys import service


def expire_invitations() -> int:
    """Run by the scheduler (hourly); safe to repeat."""
    settings = get_settings()
    factory = make_sessionmaker(make_engine(settings.effective_database_url))
    with unit_of_work(factory) as session:
        return service.expire_due(Ctx(session=session, clock=SystemClock(), settings=settings))
