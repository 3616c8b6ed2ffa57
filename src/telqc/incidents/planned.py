"""Planned works (割接 / 维护窗口, 服务体系建设 三.1: prevention before cutovers and network changes):
registered ahead by netops, announced to the area's customers at once, and explaining the complaints that
arrive inside the window (`detect` links them here and leaves them out of the mass-complaint count)."""

from __future__ import annotations

from datetime import timedelta

from telqc.core import events
from telqc.core.context import Ctx
from telqc.core.errors import Invalid, NotFound
from telqc.incidents import broadcast
from telqc.incidents import repository as repo
from telqc.incidents import schemas as s
from telqc.incidents.models import PlannedWork
from telqc.incidents.service import actor_id, iso, principal


def create(ctx: Ctx, data: s.PlannedWorkIn) -> PlannedWork:
    if not principal(ctx).sees_region(data.province_code):
        raise Invalid("error.not_found", field="body.province_code", what="w.region")
    now = ctx.now()
    if data.end_at <= now:
        raise Invalid("incidents.error.window_past", field="body.end_at")
    w = PlannedWork(title=data.title, description=data.description, province_code=data.province_code,
                    city_code=data.city_code, district_code=data.district_code, categories=data.categories,
                    services=list(data.services), start_at=data.start_at, end_at=data.end_at, status="scheduled",
                    created_by=actor_id(ctx), created_at=now, linked_count=0)
    ctx.session.add(w)
    ctx.session.flush()
    told = broadcast.announce(ctx, w, "planned", 0)
    w.notice_sent_at = now
    ctx.session.flush()
    ctx.audit("planned_work.scheduled", "planned_work", w.id, start=iso(w.start_at), end=iso(w.end_at),
              district=w.district_code, customers=told)
    events.emit(ctx, "incident.planned_work_scheduled", "planned_work", w.id, planned_work_id=w.id,
                start_at=iso(w.start_at), end_at=iso(w.end_at), customers=told, province_code=w.province_code)
    return w


def cancel(ctx: Ctx, work_id: int) -> PlannedWork:
    w = ctx.session.get(PlannedWork, work_id, with_for_update=True)
    if w is None or not principal(ctx).sees_region(w.province_code):
        raise NotFound(what="w.planned_work")
    if w.status != "scheduled":
        raise Invalid("incidents.error.final", field="path.work_id")
    w.status = "cancelled"
    ctx.session.flush()
    ctx.audit("planned_work.cancelled", "planned_work", w.id)
    return w


def calendar(ctx: Ctx) -> list[PlannedWork]:
    return repo.planned_works(ctx.session, principal(ctx), ctx.now() - timedelta(days=7))
