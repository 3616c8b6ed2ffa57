"""Incident KPIs over a period: incidents by severity, time to detect (first complaint or alarm → incident
opened), time to restore (detected → restored), customers affected (told or linked), and complaints avoided
by advance notice (customers told of a planned work who did not complain inside its window: the proxy the
source documents' prevention before cutovers asks to watch). Computed from the incidents' own tables, in the
caller's data scope."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel
from sqlalchemy import distinct, func, select, union

from telqc.core.context import Ctx
from telqc.incidents.models import Incident, IncidentLink, IncidentNotice, PlannedWork
from telqc.incidents.service import principal


class IncidentKpis(BaseModel):
    start: datetime
    end: datetime
    by_severity: dict[str, int]
    time_to_detect_s: float | None
    time_to_restore_s: float | None
    customers_affected: int
    complaints_avoided: int


def compute(ctx: Ctx, start: datetime, end: datetime) -> IncidentKpis:
    p = principal(ctx)
    s = ctx.session
    scope = [Incident.created_at >= start, Incident.created_at < end]
    if p.region_scope is not None:
        scope.append(Incident.province_code.in_(p.region_scope))
    rows = list(s.scalars(select(Incident).where(*scope, Incident.status != "dismissed")))
    by_sev: dict[str, int] = {}
    for i in rows:
        by_sev[i.severity] = by_sev.get(i.severity, 0) + 1
    detect = [(i.created_at - i.detected_at).total_seconds() for i in rows if i.kind != "manual"]
    restore = [(i.restored_at - i.detected_at).total_seconds() for i in rows if i.restored_at]
    ids = [i.id for i in rows]
    affected = 0
    if ids:
        told = select(IncidentNotice.customer_id).where(IncidentNotice.incident_id.in_(ids))
        linked = select(IncidentLink.customer_id).where(IncidentLink.incident_id.in_(ids))
        affected = int(s.scalar(select(func.count()).select_from(union(told, linked).subquery())) or 0)
    wscope = [PlannedWork.start_at >= start, PlannedWork.start_at < end, PlannedWork.status != "cancelled"]
    if p.region_scope is not None:
        wscope.append(PlannedWork.province_code.in_(p.region_scope))
    works = list(s.scalars(select(PlannedWork.id).where(*wscope)))
    avoided = 0
    if works:
        told_w = int(s.scalar(select(func.count(distinct(IncidentNotice.customer_id)))
                              .where(IncidentNotice.planned_work_id.in_(works))) or 0)
        complained = int(s.scalar(select(func.count(distinct(IncidentLink.customer_id)))
                                  .where(IncidentLink.planned_work_id.in_(works))) or 0)
        avoided = max(0, told_w - complained)
    return IncidentKpis(start=start, end=end, by_severity=by_sev,
                        time_to_detect_s=sum(detect) / len(detect) if detect else None,
                        time_to_restore_s=sum(restore) / len(restore) if restore else None,
                        customers_affected=affected, complaints_avoided=avoided)
