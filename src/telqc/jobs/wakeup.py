"""The relay flag in Redis: "a relay task is queued and has not started yet".

Set by the commit that queues the task (`telqc.jobs.dispatch`), cleared by the task before it reads the
outbox (`telqc.jobs.celery_app`); it expires by itself should a worker die holding it.
"""

from __future__ import annotations

import logging
from typing import Any

import redis

from telqc.core.settings import Settings

log = logging.getLogger("telqc.jobs")
RELAY_QUEUED_KEY = "telqc:relay:queued"
RELAY_FLAG_SECONDS = 30

_clients: dict[str, Any] = {}


def flag_store(settings: Settings) -> Any | None:
    """Redis of the Celery broker (None for any other broker: then every commit queues a task)."""
    url = settings.celery_broker_url
    if not url.startswith(("redis://", "rediss://", "unix://")):
        return None
    client = _clients.get(url)
    if client is None:
        client = _clients[url] = redis.Redis.from_url(url, socket_timeout=2.0)
    return client


def set_relay_flag(settings: Settings) -> bool:
    """True if this call set the flag (then a task must be queued); False if one is queued already."""
    store = flag_store(settings)
    if store is None:
        return True
    try:
        return bool(store.set(RELAY_QUEUED_KEY, b"1", nx=True, ex=RELAY_FLAG_SECONDS))
    except Exception:
        log.warning("relay flag unavailable; queueing a relay task anyway", exc_info=True)
        return True


def clear_relay_flag(settings: Settings) -> None:
    """Called by the relay task before it reads the outbox: commits from now on need a new task."""
    store = flag_store(settings)
    if store is not None:
        try:
            store.delete(RELAY_QUEUED_KEY)
        except Exception:
            log.warning("could not clear the relay flag; it expires in %s s", RELAY_FLAG_SECONDS, exc_info=True)
