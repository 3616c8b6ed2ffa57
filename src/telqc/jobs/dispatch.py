"""After a commit that emitted events: deliver them inline (embedded default) or wake a Celery worker."""

from __future__ import annotations

from sqlalchemy.orm import Session, sessionmaker

from telqc.core import events
from telqc.core.clock import Clock
from telqc.core.settings import Settings


def after_commit(factory: sessionmaker[Session], clock: Clock, settings: Settings) -> None:
    if settings.jobs_mode == "inline":
        events.drain(factory, clock, settings)
        for hook in events.drain_hooks():
            hook(factory, clock, settings)
        return
    from telqc.jobs.celery_app import relay_events

    relay_events.delay()
