"""The workforce planner's page (排班规划: forecast vs actual, requirement vs roster, gap heat map, roster of the
day) and the supervisor's intraday page (实时监控: today's gap with suggestions and an HTMX what-if).

Forms post to the same service calls as the API; an error re-renders with its message and changes nothing.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Annotated, Any, get_args

import numpy as np
from fastapi import APIRouter, Form, Path, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import ValidationError

from telqc.api.deps import CtxDep, require
from telqc.contacts.read import Channel
from telqc.core.context import Ctx
from telqc.core.errors import DomainError
from telqc.core.rbac import Perm, Principal
from telqc.core.schemas import MAX_INT, Day
from telqc.web.render import form_error, render, viewer_of
from telqc.workforce import field_planning, planning, service
from telqc.workforce import schemas as s

router = APIRouter(include_in_schema=False)
NAV = [(Perm.workforce_manage, "/workforce", "ui.workforce_planner"),
       (Perm.workforce_read, "/workforce/intraday", "ui.workforce_intraday")]
Read = Annotated[Principal, require(Perm.workforce_read)]
Manage = Annotated[Principal, require(Perm.workforce_manage)]
CHANNEL_ZH = {"hotline": "热线", "app": "APP", "web": "网站", "wechat": "微信", "store": "营业厅", "social": "社交媒体"}
CHART_DAYS = 7


def _planner(request: Request, ctx: Ctx, forecast_id: int | None, channel: str, error: str | None = None,
             status_code: int = 200) -> Response:
    tz = viewer_of(request).tz
    forecasts = service.forecasts(ctx)
    f = next((x for x in forecasts if x.id == forecast_id), forecasts[0] if forecasts else None)
    chart: dict[str, Any] | None = None
    heat: dict[str, Any] | None = None
    roster, rows, shifts_shown = None, [], []
    if f is not None and channel in f.channels:
        ser = service.series(ctx, f.id, channel, f.start_date, min(f.days, CHART_DAYS))
        roster = planning.roster_for(ctx, f.id)
        n = len(ser.intervals)
        cov = np.zeros(n)
        per_skill: list[s.SkillCoverageOut] = []
        if roster is not None:
            view = planning.skill_view(ctx, roster)
            c = view[0].get(channel, np.zeros((roster.days, service.SLOTS)))
            per_skill = planning.skill_summary(ctx, roster, view)
            offset = (roster.start_date - f.start_date).days
            for d in range(roster.days):
                lo = (offset + d) * service.SLOTS
                if 0 <= lo < n:
                    cov[lo:lo + service.SLOTS] = c[d]
        labels = [f"{t.astimezone(tz):%m-%d %H:%M}" for t in ser.intervals]
        chart = {"labels": labels, "forecast": ser.contacts, "actual": ser.actual, "required": ser.scheduled,
                 "rostered": [int(x) for x in cov] if roster else None}
        if roster is not None:
            days = sorted({t.astimezone(tz).date() for t in ser.intervals})[:roster.days]
            gap = (cov - np.array(ser.scheduled)).reshape(-1, service.SLOTS)[:len(days)]
            heat = {"days": [f"{d:%m-%d}" for d in days], "slots": [f"{k // 2:02d}:{k % 2 * 30:02d}"
                                                                     for k in range(service.SLOTS)],
                    "cells": [[k, d, int(gap[d, k])] for d in range(len(days)) for k in range(service.SLOTS)]}
            first = roster.start_date
            names = {p.id: p.name for p in planning.staff(ctx)}
            tnames = {t.id: t.name for t in planning.templates(ctx)}
            shifts_shown = [{"who": names.get(x.staff_id, "—"), "template": tnames.get(x.template_id, "—"),
                             "start": _hm(x.start_min), "end": _hm(x.start_min + x.length_min),
                             "lunch": f"{_hm(x.lunch_start_min)}–{_hm(x.lunch_start_min + x.lunch_min)}"
                             if x.lunch_start_min is not None else "—",
                             "break": f"{_hm(x.break_start_min)}–{_hm(x.break_start_min + x.break_min)}"
                             if x.break_start_min is not None else "—"}
                            for x in planning.shifts(ctx, roster, first) if x.channel == channel]
        peak = int(np.argmax(ser.scheduled)) if ser.scheduled else 0
        rows = [{"label": "预测话务量（首日）", "value": f"{sum(ser.contacts[:service.SLOTS]):,.0f}"},
                {"label": "需求峰值（排班人数）", "value": f"{max(ser.scheduled, default=0)} 人 @ {labels[peak]}"
                 if labels else "—"}]
        rows += [{"label": f"排班覆盖 · {CHANNEL_ZH.get(k.skill, k.skill)}",
                  "value": f"{k.covered:,.0f} / {k.required:,.0f} 人·时段"
                           + (f"（{k.covered / k.required:.1%}，缺 {k.short:,.0f}）" if k.required else "")}
                 for k in per_skill]
    return render(request, "workforce/planner.html", status_code=status_code, error=error, forecasts=forecasts,
                  f=f, channel=channel, channels=CHANNEL_ZH, chart=chart, heat=heat, roster=roster, summary=rows,
                  shifts=shifts_shown, unplaced=planning.unplaced(ctx, roster) if roster else [],
                  rules=service.rules_view(ctx, channel), tz=tz, templates=planning.templates(ctx), hm=_hm,
                  known_events=service.events(ctx, service.local_today(ctx) - timedelta(days=90)),
                  event_kinds=get_args(s.EventKind))


def _required(**fields: str) -> None:
    """Refuse the first empty form field as pydantic would a missing one (the page reads it with its label)."""
    for name, value in fields.items():
        if not value.strip():
            raise ValidationError.from_exception_data("form", [{"type": "missing", "loc": (name,), "input": value}])


def _hm(minutes: int) -> str:
    """Local wall-clock time of minutes after the start day's midnight (past 24:00 on overnight shifts)."""
    return f"{minutes // 60 % 24:02d}:{minutes % 60:02d}"


@router.get("/workforce", response_class=HTMLResponse)
def planner(request: Request, ctx: CtxDep, _: Read, forecast: Annotated[int | None, Query(ge=1, le=MAX_INT)] = None,
            channel: Annotated[Channel, Query()] = Channel.hotline) -> Response:
    return _planner(request, ctx, forecast, channel.value)


@router.post("/workforce/forecast", response_class=HTMLResponse)
def page_forecast(request: Request, ctx: CtxDep, _: Manage, days: Annotated[str, Form()] = "",
                  history_days: Annotated[str, Form()] = "", note: Annotated[str, Form()] = "") -> Response:
    """生成新预测. An empty 预测天数 or 历史天数 is refused with its label before anything runs: the form shows
    both filled in, so an empty one is a slip to point at, not a wish for the defaults."""
    try:
        _required(days=days, history_days=history_days)
        f = service.run_forecast(ctx, s.ForecastIn(days=days, history_days=history_days,  # type: ignore[arg-type]
                                                   note=note or None))
    except (DomainError, ValidationError) as e:
        ctx.uow.rollback()
        return _planner(request, ctx, None, "hotline", form_error(e, ctx.lang)[0], 422)
    return RedirectResponse(f"/workforce?forecast={f.id}", status_code=303)


@router.post("/workforce/events", response_class=HTMLResponse)
def page_add_event(request: Request, ctx: CtxDep, _: Manage, kind: Annotated[str, Form()],
                   title: Annotated[str, Form()], start_day: Annotated[str, Form()],
                   end_day: Annotated[str, Form()] = "", channel: Annotated[str, Form()] = "",
                   weight: Annotated[str, Form()] = "1") -> Response:
    """登记已知事件 from the planner page."""
    try:
        service.add_event(ctx, s.EventIn.model_validate({
            "kind": kind, "title": title, "start_day": start_day, "end_day": end_day or None,
            "channel": channel or None, "weight": weight}))
    except (DomainError, ValidationError) as e:
        ctx.uow.rollback()
        return _planner(request, ctx, None, "hotline", form_error(e, ctx.lang)[0], 422)
    return RedirectResponse("/workforce#known-events", status_code=303)


@router.post("/workforce/events/{event_id}/remove", response_class=HTMLResponse)
def page_remove_event(request: Request, ctx: CtxDep, _: Manage,
                      event_id: Annotated[int, Path(ge=1, le=MAX_INT)]) -> Response:
    try:
        service.remove_event(ctx, event_id)
    except DomainError as e:
        ctx.uow.rollback()
        return _planner(request, ctx, None, "hotline", form_error(e, ctx.lang)[0], e.status)
    return RedirectResponse("/workforce#known-events", status_code=303)


@router.post("/workforce/templates", response_class=HTMLResponse)
def page_template(request: Request, ctx: CtxDep, _: Manage, name: Annotated[str, Form()] = "",
                  length_min: Annotated[str, Form()] = "", earliest_start: Annotated[str, Form()] = "",
                  latest_start: Annotated[str, Form()] = "", lunch_min: Annotated[str, Form()] = "0",
                  lunch_earliest_min: Annotated[str, Form()] = "0", lunch_latest_min: Annotated[str, Form()] = "0",
                  break_min: Annotated[str, Form()] = "0", break_earliest_min: Annotated[str, Form()] = "0",
                  break_latest_min: Annotated[str, Form()] = "0") -> Response:
    """新增班次模板 (start window as HH:MM, the rest in minutes). A refused field is named by its label; an empty
    lunch or break field means none."""
    try:
        _required(name=name, length_min=length_min, earliest_start_min=earliest_start,
                  latest_start_min=latest_start)
        values = {"name": name.strip(), "length_min": length_min, "earliest_start_min": _minutes(earliest_start,
                                                                                                "earliest_start_min"),
                  "latest_start_min": _minutes(latest_start, "latest_start_min"),
                  "lunch_min": lunch_min or "0", "lunch_earliest_min": lunch_earliest_min or "0",
                  "lunch_latest_min": lunch_latest_min or "0", "break_min": break_min or "0",
                  "break_earliest_min": break_earliest_min or "0", "break_latest_min": break_latest_min or "0"}
        planning.create_template(ctx, s.TemplateIn.model_validate(values))
    except (DomainError, ValidationError) as e:
        ctx.uow.rollback()
        return _planner(request, ctx, None, "hotline", form_error(e, ctx.lang)[0], 422)
    return RedirectResponse("/workforce#templates", status_code=303)


def _minutes(hhmm: str, name: str) -> int:
    """"09:30" as minutes after midnight; anything else is refused under the field `name` (its label)."""
    hh, sep, mm = hhmm.strip().partition(":")
    if sep and hh.isdecimal() and mm.isdecimal() and len(mm) == 2 and int(mm) < 60:
        return int(hh) * 60 + int(mm)
    raise ValidationError.from_exception_data("form", [{"type": "time_parsing", "loc": (name,), "input": hhmm,
                                                        "ctx": {"error": "HH:MM"}}])


@router.post("/workforce/roster", response_class=HTMLResponse)
def page_roster(request: Request, ctx: CtxDep, _: Manage, forecast_id: Annotated[str, Form()],
                days: Annotated[str, Form()] = "") -> Response:
    """按此预测排班. An empty 排班天数 is refused with its label, as the forecast form's fields are: a roster is
    solved in the request (HiGHS, up to 50 s), not on a guess."""
    try:
        _required(days=days)
        r, _res = planning.build_roster(ctx, s.RosterIn(forecast_id=forecast_id, days=days))  # type: ignore[arg-type]
    except (DomainError, ValidationError) as e:
        ctx.uow.rollback()
        return _planner(request, ctx, None, "hotline", form_error(e, ctx.lang)[0], 422)
    return RedirectResponse(f"/workforce?forecast={r.forecast_id}", status_code=303)


@router.get("/workforce/field", response_class=HTMLResponse)
def field_page(request: Request, ctx: CtxDep, _: Read, days: Annotated[int, Query(ge=1, le=42)] = 7,
               province: Annotated[str | None, Query(max_length=12, pattern=r"^[0-9]{1,12}$")] = None) -> Response:
    """装维工程师需求: repair visits per area and the engineers the response limits need, against the staff, and the
    engineers' roster (duties per province and day) against that need."""
    return _field(request, ctx, days, province)


def _field(request: Request, ctx: Ctx, days: int, province: str | None, error: str | None = None,
           status_code: int = 200) -> Response:
    out = service.field_requirement(ctx, days)
    chart = {"provinces": [p.province for p in out.provinces], "needed": [p.scheduled_peak for p in out.provinces],
             "staff": [p.engineers for p in out.provinces]}
    roster = field_planning.latest(ctx)
    duties, table, coverage, shown = [], [], None, None
    if roster is not None:
        view = field_planning.view(ctx, roster)
        duties = view.duties
        table = field_planning.duty_table(roster, duties)
        codes = sorted(roster.need)
        shown = province if province in codes else (codes[0] if codes else None)
        if shown is not None:
            tz = viewer_of(request).tz
            first = service.day_start(roster.start_date, service.zone(ctx))
            series = field_planning.chart(roster, duties, shown)
            coverage = {"labels": [f"{(first + timedelta(minutes=30 * k)).astimezone(tz):%m-%d %H:%M}"
                                   for k in range(len(series["required"]))], **series,
                        "province": next((x.province for x in duties if x.province_code == shown), shown)}
    names = {x.province_code: x.province for x in duties}
    return render(request, "workforce/field.html", status_code=status_code, field=out, chart=chart, roster=roster,
                  duty_rows=table, coverage=coverage, shown=shown, error=error,
                  roster_provinces=[(p, names.get(p, p)) for p in sorted(roster.need)] if roster else [])


@router.post("/workforce/field/roster", response_class=HTMLResponse)
def page_engineer_roster(request: Request, ctx: CtxDep, _: Manage, days: Annotated[str, Form()] = "") -> Response:
    """生成工程师排班 from the engineers' page; an empty 天数 is refused by its label, as on the planner."""
    try:
        _required(days=days)
        field_planning.build(ctx, s.EngineerRosterIn.model_validate({"days": days}))
    except (DomainError, ValidationError) as e:
        ctx.uow.rollback()
        return _field(request, ctx, 7, None, form_error(e, ctx.lang)[0], 422)
    return RedirectResponse("/workforce/field#engineer-roster", status_code=303)


@router.get("/workforce/intraday", response_class=HTMLResponse)
def intraday_page(request: Request, ctx: CtxDep, _: Read, channel: Annotated[Channel, Query()] = Channel.hotline,
                  day: Annotated[Day | None, Query()] = None) -> Response:
    tz = viewer_of(request).tz
    view = planning.intraday(ctx, channel.value, day if isinstance(day, date) else None)
    now = ctx.now()
    rows = [{"time": f"{r.interval.astimezone(tz):%H:%M}", "forecast": r.forecast, "reforecast": r.reforecast,
             "actual": r.actual, "needed": r.needed, "rostered": r.rostered, "gap": r.gap,
             "now": r.interval <= now < r.interval + timedelta(minutes=30)} for r in view.rows]
    upcoming = [r for r in view.rows if r.actual is None]
    nxt = upcoming[0] if upcoming else None
    rules = service.rules_view(ctx, channel.value)
    return render(request, "workforce/intraday.html", view=view, rows=rows, channel=channel.value,
                  channels=CHANNEL_ZH, rules=rules,
                  form={"calls": f"{nxt.reforecast:.0f}" if nxt else "100", "aht_s": "330",
                        "agents": str(max(nxt.rostered, 0)) if nxt else "", "shrinkage": f"{rules.shrinkage:.2f}",
                        "service_level_target": f"{rules.service_level_target:.2f}"})


@router.post("/workforce/intraday/what-if", response_class=HTMLResponse)
def what_if_fragment(request: Request, ctx: CtxDep, _: Read, channel: Annotated[str, Form()] = "hotline",
                     calls: Annotated[str, Form()] = "", aht_s: Annotated[str, Form()] = "",
                     agents: Annotated[str, Form()] = "", shrinkage: Annotated[str, Form()] = "",
                     service_level_target: Annotated[str, Form()] = "") -> Response:
    """The what-if panel's answer (an HTMX fragment): nothing is stored."""
    try:
        data = s.WhatIfIn.model_validate({k: v for k, v in {
            "channel": channel, "calls": calls, "aht_s": aht_s, "agents": agents, "shrinkage": shrinkage,
            "service_level_target": service_level_target}.items() if v != ""})
        out, error = planning.what_if(ctx, data), None
    except (DomainError, ValidationError) as e:
        out, error = None, form_error(e, ctx.lang)[0]
    return render(request, "workforce/what_if.html", status_code=200 if out else 422, out=out, error=error)
