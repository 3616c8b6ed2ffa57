"""Telling affected customers (服务体系建设 三.2: mass complaints handled fast; 操作流程 四.4: live updates to
affected customers): when an incident is confirmed, at each progress update, when it is restored, and ahead
of a planned work.

Exactly once: each notice row has a unique key (target, kind, occurrence, customer) written with the change
that causes it, and `deliver` claims unsent rows with a conditional UPDATE before sending them through the
notification channel the orders use (SMS gateway or its fake), with the key as idempotency key.
Frequency limit: progress updates are refused more often than the grade's update interval (`service.update`).
At each update interval: when netops have posted nothing for a whole interval of the grade, `due_updates`
(after every relay pass, beat's 5 s relay the floor) tells the customers that the repair goes on, with the
estimate; its occurrence is the interval's number since confirmation, so each interval is told once.
"""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from telqc.core.clock import Clock
from telqc.core.context import Ctx
from telqc.core.i18n import t
from telqc.core.sending import SendQueue
from telqc.incidents import area
from telqc.incidents import repository as repo
from telqc.incidents.models import Incident, IncidentHistory, IncidentLink, IncidentNotice, PlannedWork, SeverityLevel
from telqc.orders import notify

_QUEUE = SendQueue(IncidentNotice, "incident notice", logging.getLogger("telqc.incidents.sending"))
_TZ = ZoneInfo("Asia/Shanghai")


def recipients(ctx: Ctx, target: Incident | PlannedWork) -> list[int]:
    """Customers of the area (`area`: on its sites when it lists some) who take an affected service (all of the
    area when none is named), and those whose orders are linked (whatever their address or plans: they told
    us it affects them)."""
    where = area.of(target, target.cells if isinstance(target, Incident) else ())
    ids = set(repo.customers_in(ctx.session, where, target.services or ()))
    col = IncidentLink.incident_id if isinstance(target, Incident) else IncidentLink.planned_work_id
    ids.update(ctx.session.scalars(select(IncidentLink.customer_id).where(col == target.id)))
    return sorted(ids)


def announce(ctx: Ctx, target: Incident | PlannedWork, kind: str, occurrence: int | str,
             note: str | None = None) -> int:
    """Queue one notice per affected customer; answers how many are new."""
    is_incident = isinstance(target, Incident)
    prefix = "incident" if is_incident else "planned"
    eta = getattr(target, "estimated_restore_at", None)
    body = t(f"incidents.sms.{kind}", "zh-CN", title=target.title, note=note or "",
             eta=_fmt(eta), start=_fmt(getattr(target, "start_at", None)), end=_fmt(getattr(target, "end_at", None)))
    now = ctx.now()
    rows = [{"key": f"{prefix}:{target.id}:{kind}:{occurrence}:{c}", "customer_id": c, "kind": kind, "body": body,
             "incident_id": target.id if is_incident else None,
             "planned_work_id": None if is_incident else target.id, "created_at": now, "attempts": 0}
            for c in recipients(ctx, target)]
    return _QUEUE.add(ctx.session, rows)


def _fmt(dt: Any) -> str:
    """Customers read Beijing time."""
    return "—" if dt is None else str(dt.astimezone(_TZ).strftime("%m-%d %H:%M"))


def deliver(session: Session, clock: Clock, limit: int = 2000) -> int:
    """Send unsent notices in the caller's transaction; a failed send stays queued (its attempt counted)."""
    return _QUEUE.deliver(session, clock, _send, limit)


def _send(n: IncidentNotice) -> None:
    notify.channel().send(notify.Message(n.key, "sms", f"customer:{n.customer_id}", f"incident.{n.kind}", n.body))


_ACTIVE_NEWS = ("confirmed", "restoring")


def due_updates(ctx: Ctx) -> int:
    """Queue the interval's progress notice of every active incident whose grade's update interval passed with
    no news; answers how many incidents it told about. The interval counts from the last news (confirmation
    or netops' broadcast) and is recorded on the timeline (`auto_update`, its number), so each is told once
    and netops' own broadcasts stay theirs to make (the frequency limit counts netops' news only)."""
    now = ctx.now()
    rows = ctx.session.execute(
        select(Incident, SeverityLevel.update_min).join(SeverityLevel, SeverityLevel.code == Incident.severity)
        .where(Incident.status.in_(_ACTIVE_NEWS), Incident.confirmed_at.is_not(None))
        .order_by(Incident.id).with_for_update(of=Incident, skip_locked=True)).all()
    told = 0
    for i, minutes in rows:
        gap = timedelta(minutes=minutes)
        last = i.last_update_at or i.confirmed_at
        if last is None or now - last < gap:
            continue
        occurrence = f"{int(last.timestamp())}i{(now - last) // gap}"
        if ctx.session.scalar(select(IncidentHistory.id).where(
                IncidentHistory.incident_id == i.id, IncidentHistory.field == "auto_update",
                IncidentHistory.to_value == occurrence)) is not None:
            continue
        note = t("incidents.note.auto_update", "zh-CN")
        announce(ctx, i, "update", occurrence, note)
        ctx.session.add(IncidentHistory(incident_id=i.id, at=now, actor_id=None, field="auto_update",
                                        from_value=None, to_value=occurrence, note=note, public=True))
        ctx.audit("incident.auto_update", "incident", i.id, interval_min=minutes)
        told += 1
    ctx.session.flush()
    return told
