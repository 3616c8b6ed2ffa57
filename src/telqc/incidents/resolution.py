"""Bulk resolution when an incident is restored (操作流程 四.4: after the fix, every affected complaint is
answered and called back).

After every relay pass (`handlers.resolve_restored`, an after-drain hook: the restore's own event wakes the
relay), each restored incident with unresolved links is worked off `CHUNK` links per transaction: the
orders are resolved through `orders.service.resolve_for_incident` (each order's notification and callback
under their unique keys) and the links marked resolved in the same transaction. A crash midway rolls that
one chunk back; the chunks before stay done and the next pass goes on from the first unresolved link
(locked, so two relays never take the same chunk): every order is resolved, told and called back exactly
once.
"""

from __future__ import annotations

from sqlalchemy import select, update
from sqlalchemy.orm import Session, sessionmaker

from telqc.core.clock import Clock
from telqc.core.context import Ctx
from telqc.core.i18n import t
from telqc.core.settings import Settings
from telqc.core.uow import transaction
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
    if len(todo) < chunk:
        ctx.audit("incident.orders_resolved", "incident", i.id, at=now.isoformat())
    return len(todo)


_PENDING = (select(IncidentLink.incident_id).join(Incident, Incident.id == IncidentLink.incident_id)
            .where(IncidentLink.resolved_at.is_(None), Incident.restored_at.is_not(None)).limit(1))


def work_off(factory: sessionmaker[Session], clock: Clock, settings: Settings, chunk: int = CHUNK) -> int:
    """Every restored incident's unresolved links, one chunk per transaction; answers how many it settled.
    The common case (nothing to do) is one indexed query."""
    done = 0
    while True:
        with factory() as session:
            incident_id = session.scalar(_PENDING)
        if incident_id is None:
            return done
        with transaction(factory) as uow:
            n = resolve_chunk(Ctx(uow=uow, clock=clock, settings=settings), incident_id, chunk)
        if n == 0:  # another relay holds or took the rest
            return done
        done += n
