"""Bulk resolution when an incident is restored (操作流程 四.4: after the fix, every affected complaint is
answered and called back).

`incident.restored` (and each `incident.resolution_continued` it leads to) resolves the next `CHUNK` linked
orders through `orders.service.resolve_for_incident` — each order's notification and callback under their
unique keys — and marks those links resolved, in the relay handler's one transaction. A crash midway rolls
that chunk back whole; the chunks before stay done, and the redelivered event goes on from the first
unresolved link: every order is resolved, told and called back exactly once.
"""

from __future__ import annotations

from sqlalchemy import update

from telqc.core import events
from telqc.core.context import Ctx
from telqc.core.i18n import t
from telqc.incidents import repository as repo
from telqc.incidents.models import Incident, IncidentLink
from telqc.orders import service as orders

CHUNK = 500


def resolve_chunk(ctx: Ctx, incident_id: int, chunk: int = CHUNK) -> int:
    """Resolve the next chunk of the incident's unresolved links; answers how many links it settled."""
    i = ctx.session.get(Incident, incident_id)
    if i is None or i.restored_at is None:
        return 0
    todo = repo.unresolved_links(ctx.session, incident_id, chunk)
    if not todo:
        return 0
    message = t("incidents.sms.restored", "zh-CN", title=i.title, note="", eta="—", start="", end="")
    reason = f"network incident #{i.id} restored"
    orders.resolve_for_incident(ctx, [x.order_id for x in todo], reason, message, solution_code=None)
    now = ctx.now()
    ctx.session.execute(update(IncidentLink).where(IncidentLink.id.in_([x.id for x in todo]))
                        .values(resolved_at=now).execution_options(synchronize_session=False))
    if len(todo) == chunk:
        events.emit(ctx, "incident.resolution_continued", "incident", i.id, incident_id=i.id, at=now.isoformat())
    else:
        ctx.audit("incident.orders_resolved", "incident", i.id, at=now.isoformat())
    return len(todo)
