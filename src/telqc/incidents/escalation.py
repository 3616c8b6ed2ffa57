"""Who is told of a confirmed incident (the grade's `notify_roles`; 操作流程 四.4: a major fault is reported at
once to the departments and leaders concerned, with an emergency mechanism): every active staff member of
those roles whose regions include the incident's province gets one internal message with the grade's
response and update intervals. Queued with the change that causes it (confirmation, or a raise in grade
while active), unique per incident × grade × user; sent claim-first like the customers' notices."""

from __future__ import annotations

import logging

from sqlalchemy import select
from sqlalchemy.orm import Session

from telqc.core.clock import Clock
from telqc.core.context import Ctx
from telqc.core.i18n import t
from telqc.core.models import Region, User
from telqc.core.sending import SendQueue
from telqc.incidents import config
from telqc.incidents.models import Incident, IncidentEscalation
from telqc.orders import notify

_QUEUE = SendQueue(IncidentEscalation, "incident escalation", logging.getLogger("telqc.incidents.sending"))


def escalate(ctx: Ctx, i: Incident) -> int:
    """Queue the grade's messages for `i`; answers how many are new (0 when everyone was told of this grade)."""
    lv = config.level(ctx, i.severity)
    if lv is None or not lv.notify_roles:
        return 0
    users = [u for u in ctx.session.scalars(select(User).where(User.role.in_(list(lv.notify_roles)),
                                                               User.is_active.is_(True)).order_by(User.id))
             if u.region_scope is None or i.province_code in u.region_scope]
    if not users:
        return 0
    place = ctx.session.get(Region, i.district_code or i.city_code or i.province_code)
    area = place.name if place else (i.district_code or i.province_code)
    words = {"grade": lv.name, "grade_en": lv.name_en, "title": i.title, "area": area,
             "minutes": lv.response_min, "update": lv.update_min}
    body = t("incidents.msg.escalated", "zh-CN", **words)  # staff read the zh-CN UI's language
    now = ctx.now()
    rows = [{"key": f"incident:{i.id}:escalated:{i.severity}:{u.id}", "incident_id": i.id, "user_id": u.id,
             "severity": i.severity, "body": body,
             "created_at": now, "attempts": 0} for u in users]
    return _QUEUE.add(ctx.session, rows)


def deliver(session: Session, clock: Clock, limit: int = 500) -> int:
    """Send unsent escalations in the caller's transaction; a failed send stays queued (its attempt counted)."""
    return _QUEUE.deliver(session, clock, _send, limit)


def _send(n: IncidentEscalation) -> None:
    notify.channel().send(notify.Message(n.key, "internal", f"user:{n.user_id}", "incident.escalated", n.body))
