"""Core periodic jobs (the domains' own are in ``telqc/<domain>/tasks.py``): the hourly audit anchor."""

from __future__ import annotations

from telqc.core import audit_anchor
from telqc.core.clock import SystemClock
from telqc.jobs.celery_app import ANCHOR_TASK, celery, session_factory, settings


@celery.task(name=ANCHOR_TASK)
def anchor_audit_chain() -> str:
    """Anchor the audit chain's head outside the database (beat: every hour on the hour); returns the file."""
    path, _ = audit_anchor.anchor_now(session_factory(), settings, SystemClock())
    return str(path)
