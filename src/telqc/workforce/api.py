"""Workforce routes under /api/v1/workforce: actuals, forecasts, queue rules, templates, staff, rosters,
the intraday gap and the what-if."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Header, Path, Query, Response

from telqc.api.deps import CtxDep, if_match_version, require, set_etag
from telqc.contacts.read import Channel
from telqc.core.rbac import Perm, Principal
from telqc.core.schemas import MAX_INT, Day
from telqc.workforce import field_planning, planning, service
from telqc.workforce import schemas as s

router = APIRouter(prefix="/api/v1/workforce", tags=["workforce"])
Read = Annotated[Principal, require(Perm.workforce_read)]
Manage = Annotated[Principal, require(Perm.workforce_manage)]
ForecastId = Annotated[int, Path(ge=1, le=MAX_INT)]
RosterId = Annotated[int, Path(ge=1, le=MAX_INT)]


@router.post("/actuals/refresh")
def refresh_actuals(ctx: CtxDep, _: Manage, body: s.RefreshIn) -> dict[str, int]:
    """Rebuild interval actuals from contacts for local days start..end (imported switch intervals are kept)."""
    return {"intervals": service.refresh_actuals(ctx, body.start, body.end)}


@router.get("/forecasts", response_model=list[s.ForecastOut])
def list_forecasts(ctx: CtxDep, _: Read) -> list[s.ForecastOut]:
    return [s.ForecastOut.model_validate(f) for f in service.forecasts(ctx)]


@router.post("/forecasts", response_model=s.ForecastOut, status_code=201)
def create_forecast(ctx: CtxDep, _: Manage, body: s.ForecastIn) -> s.ForecastOut:
    return s.ForecastOut.model_validate(service.run_forecast(ctx, body))


@router.get("/forecasts/{forecast_id}", response_model=s.ForecastOut)
def get_forecast(ctx: CtxDep, _: Read, forecast_id: ForecastId) -> s.ForecastOut:
    return s.ForecastOut.model_validate(service.get_forecast(ctx, forecast_id))


@router.get("/forecasts/{forecast_id}/series", response_model=s.SeriesOut)
def forecast_series(ctx: CtxDep, _: Read, forecast_id: ForecastId, channel: Annotated[Channel, Query()],
                    start: Annotated[Day | None, Query()] = None,
                    days: Annotated[int | None, Query(ge=1, le=62)] = None) -> s.SeriesOut:
    """Per interval: forecast contacts and AHT, the requirement under the queue's rules, and actuals so far."""
    return service.series(ctx, forecast_id, channel.value, start, days)


@router.get("/rules", response_model=list[s.RulesOut])
def list_rules(ctx: CtxDep, _: Read) -> list[s.RulesOut]:
    return [service.rules_view(ctx, c) for c in service.CHANNELS]


@router.put("/rules/{channel}", response_model=s.RulesOut)
def set_rules(ctx: CtxDep, _: Manage, channel: Channel, body: s.RulesIn, response: Response,
              if_match: Annotated[str | None, Header()] = None) -> s.RulesOut:
    out = service.set_rules(ctx, channel.value, body, if_match_version(if_match))
    set_etag(response, out.version)
    return out


@router.get("/templates", response_model=list[s.TemplateOut])
def list_templates(ctx: CtxDep, _: Read) -> list[s.TemplateOut]:
    return [s.TemplateOut.model_validate(t) for t in planning.templates(ctx)]


@router.post("/templates", response_model=s.TemplateOut, status_code=201)
def create_template(ctx: CtxDep, _: Manage, body: s.TemplateIn) -> s.TemplateOut:
    return s.TemplateOut.model_validate(planning.create_template(ctx, body))


@router.get("/staff", response_model=list[s.StaffOut])
def list_staff(ctx: CtxDep, _: Read) -> list[s.StaffOut]:
    return [s.StaffOut.model_validate(p) for p in planning.staff(ctx)]


@router.post("/staff", response_model=s.StaffOut, status_code=201)
def create_staff(ctx: CtxDep, _: Manage, body: s.StaffIn) -> s.StaffOut:
    return s.StaffOut.model_validate(planning.create_staff(ctx, body))


@router.post("/rosters", response_model=s.RosterOut, status_code=201)
def build_roster(ctx: CtxDep, _: Manage, body: s.RosterIn) -> s.RosterOut:
    """Roster the active staff against the forecast's requirement (HiGHS; under 60 s for 200 people × 2 weeks)."""
    r, _result = planning.build_roster(ctx, body)
    return planning.roster_view(ctx, r)


@router.get("/rosters/{roster_id}", response_model=s.RosterOut)
def get_roster(ctx: CtxDep, _: Read, roster_id: RosterId) -> s.RosterOut:
    return planning.roster_view(ctx, planning.get_roster(ctx, roster_id))


@router.get("/rosters/{roster_id}/shifts", response_model=list[s.ShiftOut])
def roster_shifts(ctx: CtxDep, _: Read, roster_id: RosterId,
                  day: Annotated[Day | None, Query()] = None) -> list[s.ShiftOut]:
    r = planning.get_roster(ctx, roster_id)
    return [s.ShiftOut.model_validate(x) for x in planning.shifts(ctx, r, day)]


@router.get("/field", response_model=s.FieldOut)
def field_requirement(ctx: CtxDep, _: Read, days: Annotated[int, Query(ge=1, le=42)] = 7) -> s.FieldOut:
    """Repair visits per city × area type and the field engineers they need, against those on staff."""
    return service.field_requirement(ctx, days)


@router.post("/engineer-rosters", response_model=s.EngineerRosterOut, status_code=201)
def build_engineer_roster(ctx: CtxDep, _: Manage, body: s.EngineerRosterIn) -> s.EngineerRosterOut:
    """Roster the field engineers (early / late duties per province, one on call at night) against the engineers
    the repair visits need."""
    r, _result = field_planning.build(ctx, body)
    return field_planning.view(ctx, r)


@router.get("/engineer-rosters/{roster_id}", response_model=s.EngineerRosterOut)
def get_engineer_roster(ctx: CtxDep, _: Read, roster_id: RosterId) -> s.EngineerRosterOut:
    return field_planning.view(ctx, field_planning.get(ctx, roster_id))


@router.get("/events", response_model=list[s.EventOut])
def list_events(ctx: CtxDep, _: Read, start: Annotated[Day | None, Query(alias="from")] = None) -> list[s.EventOut]:
    """Known events (forecast regressors), those ending on or after `from` when given."""
    return [s.EventOut.model_validate(e) for e in service.events(ctx, start)]


@router.post("/events", response_model=s.EventOut, status_code=201)
def add_event(ctx: CtxDep, _: Manage, body: s.EventIn) -> s.EventOut:
    return s.EventOut.model_validate(service.add_event(ctx, body))


@router.delete("/events/{event_id}", status_code=204)
def remove_event(ctx: CtxDep, _: Manage, event_id: Annotated[int, Path(ge=1, le=MAX_INT)]) -> Response:
    service.remove_event(ctx, event_id)
    return Response(status_code=204)


@router.get("/intraday", response_model=s.IntradayOut)
def intraday(ctx: CtxDep, _: Read, channel: Annotated[Channel, Query()] = Channel.hotline,
             day: Annotated[Day | None, Query()] = None) -> s.IntradayOut:
    """Today so far against plan, the rest of the day re-forecast, heads needed vs rostered, suggestions."""
    return planning.intraday(ctx, channel.value, day if isinstance(day, date) else None)


@router.post("/what-if", response_model=s.WhatIfOut)
def what_if(ctx: CtxDep, _: Read, body: s.WhatIfIn) -> s.WhatIfOut:
    """Agents needed and the service level at a head count for a changed volume, AHT, target or shrinkage."""
    return planning.what_if(ctx, body)
