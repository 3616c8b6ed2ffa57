"""Core periodic jobs (the domains' own are in ``telqc/<domain>/tasks.py``): the hourly audit anchor and the
hourly purge of ended login-throttle windows."""

from __future__ import annotations

from telqc.core import audit_anchor, login_throttle
from telqc.core.clock import SystemClock
from telqc.jobs.celery_app import ANCHOR_TASK, PURGE_LOGIN_FAILURES_TASK, celery, session_factory, settings


@celery.task(name=ANCHOR_TASK)
def anchor_audit_chain() -> str:
    """Anchor the audit chain's head outside the database (beat: every hour on the hour); returns the file."""
    path, _ = audit_anchor.anchor_now(session_factory(), settings, SystemClock())
    return str(path)


@celery.task(name=PURGE_LOGIN_FAILURES_TASK)
def purge_login_failures() -> int:
    """Delete login-throttle counters whose window has ended (beat: every hour at half past); returns how many."""
    with session_factory()() as session:
        n = login_throttle.purge(session, SystemClock().now(), settings.login_window_minutes)
        session.commit()
    return n
