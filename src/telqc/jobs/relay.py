"""One relay pass: chain the audit entries committed since the last pass, deliver the outbox, run the
after-drain work (sending what handlers queued for outside systems).

Called after a commit in the embedded default (`telqc.jobs.dispatch`), by the Celery relay task in
production (`telqc.jobs.celery_app`) and by ``telqc relay``.
"""

from __future__ import annotations

from sqlalchemy.orm import Session, sessionmaker

from telqc.core import audit, events
from telqc.core.audit_keys import keys_for
from telqc.core.clock import Clock
from telqc.core.settings import Settings

BATCH = 1000  # events per relay pass (one outbox read)


def relay_pass(factory: sessionmaker[Session], clock: Clock, settings: Settings, limit: int = BATCH) -> int:
    """Chain pending audit entries, then deliver up to `limit` events; returns how many were published."""
    with factory() as session:
        audit.chain_all(session, keys_for(settings))
    done = events.drain(factory, clock, settings, limit=limit)
    for hook in events.drain_hooks():
        hook(factory, clock, settings)
    return done


def relay_backlog(factory: sessionmaker[Session], clock: Clock, settings: Settings, limit: int = BATCH) -> int:
    """Passes until the outbox is empty (a backlog is worked off now, not `limit` events per wake-up)."""
    total = 0
    while True:
        done = relay_pass(factory, clock, settings, limit)
        total += done
        if done < limit:
            return total
