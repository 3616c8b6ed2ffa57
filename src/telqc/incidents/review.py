"""Post-incident review (复盘, 操作流程 四.4): timeline, cause, impact, actions and lessons, recorded once the
fix is verified; the impact is counted, not typed: customers told or linked, linked orders, and how many of
those broke their SLA. A requested improvement action is published as `incident.improvement_requested`
for the improvement plans (PDCA) to take up."""

from __future__ import annotations

from sqlalchemy import func, select

from telqc.core import events
from telqc.core.context import Ctx
from telqc.core.errors import Invalid
from telqc.incidents import repository as repo
from telqc.incidents import schemas as s
from telqc.incidents import service
from telqc.incidents.models import IncidentNotice, IncidentReview
from telqc.incidents.states import IncidentState
from telqc.orders import service as orders


def impact(ctx: Ctx, incident_id: int) -> dict[str, int]:
    linked = repo.links(ctx.session, incident_id)
    briefs = orders.briefs(ctx, [x.order_id for x in linked])
    told = set(ctx.session.scalars(select(IncidentNotice.customer_id).where(
        IncidentNotice.incident_id == incident_id).distinct()))
    notices = int(ctx.session.scalar(select(func.count()).select_from(IncidentNotice).where(
        IncidentNotice.incident_id == incident_id)) or 0)
    return {"customers": len(told | {x.customer_id for x in linked}), "orders": len(linked),
            "sla_breaches": sum(1 for b in briefs if b.sla_status == "breached"), "notices": notices}


def record(ctx: Ctx, incident_id: int, data: s.ReviewIn, if_match: int | None = None) -> IncidentReview:
    i = service.get_for_update(ctx, incident_id, if_match)
    if i.status != IncidentState.VERIFIED.value:
        raise Invalid("incidents.error.review_state", field="path.incident_id")
    r = IncidentReview(incident_id=i.id, timeline=data.timeline, cause=data.cause, impact=impact(ctx, i.id),
                       actions=data.actions, lessons=data.lessons, improvement=data.improvement,
                       created_by=service.actor_id(ctx), created_at=ctx.now())
    ctx.session.add(r)
    if not i.cause:
        i.cause = data.cause
    service.change_state(ctx, i, IncidentState.REVIEWED, "review recorded")
    ctx.audit("incident.reviewed", "incident", i.id, impact=r.impact, improvement=bool(data.improvement))
    if data.improvement:
        events.emit(ctx, "incident.improvement_requested", "incident", i.id, incident_id=i.id,
                    action=data.improvement, at=ctx.now().isoformat(), dims=service.dims(i))
    return r


def of(ctx: Ctx, incident_id: int) -> IncidentReview | None:
    service.get(ctx, incident_id)
    return ctx.session.get(IncidentReview, incident_id)
