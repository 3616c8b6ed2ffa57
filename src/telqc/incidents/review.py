"""Post-incident review (复盘, 操作流程 四.4): timeline, cause, impact, actions and lessons, recorded once the
fix is verified; the impact is counted, not typed: customers told or linked, linked orders, and how many of
those broke their SLA. A requested improvement action is published as `incident.improvement_requested`
with the improvement plan (PDCA) it opens."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select

from telqc.core import events
from telqc.core.context import Ctx
from telqc.core.errors import Invalid
from telqc.core.i18n import t
from telqc.improvement import service as improvement
from telqc.improvement.schemas import PlanIn
from telqc.improvement.states import Source
from telqc.incidents import repository as repo
from telqc.incidents import schemas as s
from telqc.incidents import service
from telqc.incidents.models import Incident, IncidentNotice, IncidentReview
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
    service.change_state(ctx, i, IncidentState.REVIEWED, t("incidents.note.reviewed", "zh-CN"))
    ctx.audit("incident.reviewed", "incident", i.id, impact=r.impact, improvement=bool(data.improvement))
    if data.improvement:
        plan = _open_plan(ctx, i, data)
        r.improvement_plan_id = plan
        events.emit(ctx, "incident.improvement_requested", "incident", i.id, incident_id=i.id, plan_id=plan,
                    action=data.improvement, at=ctx.now().isoformat(), dims=service.dims(i))
    return r


def _open_plan(ctx: Ctx, i: Incident, data: s.ReviewIn) -> int:
    """The improvement plan (PDCA) the review asks for, on the mass-complaint KPI of the incident's province,
    its baseline the four weeks before the incident; owned by the reviewer unless another owner is named."""
    owner = data.improvement_owner_id or service.actor_id(ctx)
    if owner is None:
        raise Invalid("v.missing", field="body.improvement_owner_id")
    day = i.detected_at.date()
    plan = improvement.create(ctx, PlanIn(
        title=f"故障复盘：{i.title}"[:120], problem=f"{data.improvement}\n原因：{data.cause}"[:4000],
        source=Source.INCIDENT, source_ref=f"incident:{i.id}", kpi="mass_complaint",
        scope={"province": [i.province_code]}, owner_id=owner, baseline_start=day - timedelta(days=28),
        baseline_end=day - timedelta(days=1)))
    return plan.id


def of(ctx: Ctx, incident_id: int) -> IncidentReview | None:
    service.get(ctx, incident_id)
    return ctx.session.get(IncidentReview, incident_id)
