"""The workforce demo through the service, for the API, CLI and browser tests."""

from __future__ import annotations

from fastapi import FastAPI
from sqlalchemy import select

from telqc.core import audit
from telqc.core.context import Ctx
from telqc.core.uow import UnitOfWork
from telqc.demo.workforce_seed import Seeded, seed_workforce


def seed(app: FastAPI, roster_days: int = 2) -> Seeded:
    with app.state.sessionmaker() as s:
        uow = UnitOfWork(s)
        out = seed_workforce(Ctx(uow=uow, clock=app.state.clock, settings=app.state.settings), history_days=42,
                             horizon_days=7, roster_days=roster_days)
        uow.commit()
    return out


def audited(app: FastAPI) -> list[str]:
    """Audit actions written so far, chained or still pending."""
    with app.state.sessionmaker() as s:
        return [*s.scalars(select(audit.AuditEntry.action)), *s.scalars(select(audit.PendingEntry.action))]
