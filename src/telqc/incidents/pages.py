"""Network-operations and supervisor pages: the incident board (a table by area with live counts), the
incident detail (timeline, linked orders, actions, network KPIs beside complaint counts), the planned-works
calendar and the KPI import; the agents' known-issue banner and the customer's progress fragment.

Forms post to page routes that call the same services as the API and redirect back (post/redirect/get); a
refused action re-renders the page with the reason.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Annotated, Any
from zoneinfo import ZoneInfo

from fastapi import APIRouter, File, Form, Path, Request, UploadFile
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import TypeAdapter, ValidationError
from sqlalchemy import select

from telqc.api.deps import CtxDep, IdPath, require
from telqc.core import repository as core_repo
from telqc.core.context import Ctx
from telqc.core.errors import DomainError, Invalid
from telqc.core.i18n import t
from telqc.core.models import Region
from telqc.core.rbac import Perm, Principal
from telqc.core.schemas import MAX_INT, SiteId
from telqc.incidents import api, config, kpis, network, planned, progress, review, service
from telqc.incidents import repository as repo
from telqc.incidents import schemas as s
from telqc.incidents.detect import CATEGORY_NAMES
from telqc.incidents.states import TRANSITIONS, IncidentState
from telqc.orders import service as orders
from telqc.web.render import render, validation_text

router = APIRouter(include_in_schema=False)
NAV = [(Perm.incidents_read, "/incidents", "ui.incidents")]
Read = Annotated[Principal, require(Perm.incidents_read)]
Manage = Annotated[Principal, require(Perm.incidents_manage)]
_SHANGHAI = ZoneInfo("Asia/Shanghai")  # the operator's zone, as `web.render.local_time` shows times


def region_names(ctx: Ctx) -> dict[str, str]:
    return {r.code: r.name for r in ctx.session.scalars(select(Region))}


def _districts(ctx: Ctx) -> list[Region]:
    p = service.principal(ctx)
    rows = ctx.session.scalars(select(Region).where(Region.level == "district").order_by(Region.code))
    return [r for r in rows if p.region_scope is None or r.code[:2] + "0000" in p.region_scope]


def _form_error(ctx: Ctx, e: ValidationError) -> str:
    return validation_text(e, ctx.lang)


def _area(ctx: Ctx, district_code: str) -> dict[str, str | None]:
    """A form's district with its city and province, for the input models. The code passes the text policy
    before it is looked up (a `ValidationError` naming the field); an unknown one leaves the province empty,
    which the model refuses."""
    code = s.DistrictForm.model_validate({"district_code": district_code}).district_code
    city, province = core_repo.city_and_province(ctx.session, code)
    return {"province_code": province or "", "city_code": city, "district_code": code}


def _local_input(value: str, field: str) -> datetime | None:
    """A datetime-local field is Beijing time; a value that is no time is the form's error, not a 500."""
    if not value:
        return None
    try:
        dt = datetime.fromisoformat(value)
    except ValueError:
        raise Invalid("incidents.error.bad_time", field=f"form.{field}", what=f"fld.{field}") from None
    return dt if dt.tzinfo else dt.replace(tzinfo=_SHANGHAI)


def _board(request: Request, ctx: Ctx, error: str | None = None, status_code: int = 200,
           fragment: bool = False) -> Response:
    rows = service.search(ctx)
    active = [i for i in rows if i.status in ("suspected", "confirmed", "restoring")]
    by_area: dict[str, list[Any]] = {}
    for i in active:
        by_area.setdefault(i.district_code or i.city_code or i.province_code, []).append(i)
    return render(request, "incidents/board_rows.html" if fragment else "incidents/board.html",
                  incidents=rows, active=active, by_area=by_area, names=region_names(ctx),
                  counts=repo.counts_by_status(ctx.session, service.principal(ctx)), error=error,
                  districts=_districts(ctx), kpi=kpis.compute(ctx, ctx.now() - timedelta(days=30), ctx.now()),
                  status_code=status_code)


@router.get("/incidents", response_class=HTMLResponse)
def board(request: Request, ctx: CtxDep, _: Read) -> Response:
    return _board(request, ctx)


@router.get("/incidents/board-rows", response_class=HTMLResponse)
def board_rows(request: Request, ctx: CtxDep, _: Read) -> Response:
    """The live part of the board, refreshed by HTMX every 15 s."""
    return _board(request, ctx, fragment=True)


@router.post("/incidents")
def declare(request: Request, ctx: CtxDep, _: Manage, title: Annotated[str, Form()],
            district_code: Annotated[str, Form()], severity: Annotated[str, Form()] = "general",
            cause: Annotated[str, Form()] = "", prepared_answer: Annotated[str, Form()] = "",
            estimated_restore_at: Annotated[str, Form()] = "", cells: Annotated[str, Form()] = "") -> Response:
    try:
        data = s.IncidentCreate.model_validate({
            "title": title, "severity": severity, **_area(ctx, district_code), "cause": cause or None,
            "prepared_answer": prepared_answer or None, "cells": re.split(r"[\s,，、]+", cells.strip()) if cells.strip()
            else [], "estimated_restore_at": _local_input(estimated_restore_at, "estimated_restore_at")})
        i = service.create(ctx, data)
    except ValidationError as e:
        ctx.uow.rollback()
        return _board(request, ctx, _form_error(ctx, e), 422)
    except DomainError as e:
        ctx.uow.rollback()
        return _board(request, ctx, e.message(ctx.lang), e.status)
    return RedirectResponse(f"/incidents/{i.id}", status_code=303)


def _chart(ctx: Ctx, district: str | None, since: datetime) -> dict[str, Any]:
    """Network KPI series and complaint counts per 10 minutes, on one time axis (epoch ms)."""
    if not district:
        return {"complaints": [], "metrics": {}}
    bucket = 600
    counts = repo.complaint_counts(ctx.session, district, since, bucket)
    metrics: dict[str, list[list[float]]] = {}
    for smp in repo.samples(ctx.session, district, since):
        metrics.setdefault(smp.metric, []).append([smp.at.timestamp() * 1000, smp.value])
    return {"complaints": [[k * bucket * 1000, n] for k, n in sorted(counts.items())], "metrics": metrics}


def _detail(request: Request, ctx: Ctx, incident_id: int, error: str | None = None,
            status_code: int = 200) -> Response:
    i = service.get(ctx, incident_id)
    d = api.detail(ctx, i)
    briefs = orders.briefs(ctx, [x.order_id for x in d.links][:500])
    people = core_repo.display_names(ctx.session, (h.actor_id for h in d.timeline))
    since = min(i.detected_at, ctx.now() - timedelta(hours=6)) - timedelta(hours=1)
    return render(request, "incidents/detail.html", i=d, briefs=briefs, names=region_names(ctx), people=people,
                  allowed=sorted(TRANSITIONS[IncidentState(i.status)]), chart=_chart(ctx, i.district_code, since),
                  review=review.of(ctx, i.id), error=error, status_code=status_code)


@router.get("/incidents/planned", response_class=HTMLResponse)
def planned_calendar(request: Request, ctx: CtxDep, _: Read) -> Response:
    return _planned(request, ctx)


def _planned(request: Request, ctx: Ctx, error: str | None = None, status_code: int = 200) -> Response:
    works = planned.calendar(ctx)
    days: dict[str, list[Any]] = {}
    for w in works:
        days.setdefault(w.start_at.astimezone(_SHANGHAI).strftime("%Y-%m-%d"), []).append(w)
    return render(request, "incidents/planned.html", days=days, names=region_names(ctx),
                  districts=_districts(ctx), error=error, status_code=status_code)


@router.post("/incidents/planned")
def planned_create(request: Request, ctx: CtxDep, _: Manage, title: Annotated[str, Form()],
                   district_code: Annotated[str, Form()], start_at: Annotated[str, Form()],
                   end_at: Annotated[str, Form()], description: Annotated[str, Form()] = "") -> Response:
    try:
        planned.create(ctx, s.PlannedWorkIn.model_validate({
            "title": title, "description": description, **_area(ctx, district_code),
            "start_at": _local_input(start_at, "start_at"), "end_at": _local_input(end_at, "end_at")}))
    except ValidationError as e:
        ctx.uow.rollback()
        return _planned(request, ctx, _form_error(ctx, e), 422)
    except DomainError as e:
        ctx.uow.rollback()
        return _planned(request, ctx, e.message(ctx.lang), e.status)
    return RedirectResponse("/incidents/planned", status_code=303)


@router.post("/incidents/samples")
def samples_import(request: Request, ctx: CtxDep, _: Manage, file: Annotated[UploadFile, File()]) -> Response:
    try:
        rows, rejected = network.parse(file.filename or "samples.csv", file.file.read(api.MAX_UPLOAD + 1))
        out = network.ingest(ctx, rows) if not rejected else s.ImportResult(accepted=0, rejected=rejected,
                                                                            alarms=0, incidents=[])
        if out.rejected:
            ctx.uow.rollback()
    except DomainError as e:
        ctx.uow.rollback()
        return _board(request, ctx, e.message(ctx.lang), e.status)
    return render(request, "incidents/imported.html", result=out, status_code=200 if not out.rejected else 422)


_SITE: TypeAdapter[str] = TypeAdapter(SiteId)


def _site(value: str) -> str | None:
    try:
        return _SITE.validate_python(value) if value.strip() else None
    except ValidationError:
        return None


@router.get("/incidents/banner", response_class=HTMLResponse)
def banner(request: Request, ctx: CtxDep, _: Annotated[Principal, require(Perm.orders_write)],
           customer_id: str = "", site_id: str = "") -> Response:
    """该区域有进行中的网络故障: shown to the agent while an order is created or handled for the customer (on the
    site the agent typed, when it is a site id; a half-typed one is ignored, not an error in a fragment)."""
    found: list[Any] = []
    site = _site(site_id)
    if customer_id.isdecimal() and int(customer_id) <= MAX_INT:
        try:
            found = progress.active_for_customer(ctx, int(customer_id), site)
        except DomainError:
            found = []
    return render(request, "incidents/banner.html", incidents=found)


@router.get("/my/incident-progress/{order_id}", response_class=HTMLResponse)
def my_progress(request: Request, ctx: CtxDep, order_id: IdPath,
                _: Annotated[Principal, require(Perm.self_read)]) -> Response:
    return render(request, "incidents/my_progress.html", p=progress.for_order(ctx, order_id))


_ROLES = ("netops", "supervisor", "manager", "admin", "agent", "inspector", "engineer")


def _settings(request: Request, ctx: Ctx, error: str | None = None, status_code: int = 200,
              rules: list[dict[str, str]] | None = None) -> Response:
    """故障分级与规则: the severity scale and the mass-complaint rules in force, editable by national scope."""
    now = config.settings(ctx)
    shown = rules if rules is not None else [
        {k: "" if v is None else str(v) for k, v in r.model_dump().items()} for r in now.rules]
    blank = {"category": "", "area_type": "", "threshold": "", "window_min": "", "confirm_threshold": ""}
    p = service.principal(ctx)
    return render(request, "incidents/settings.html", levels=now.levels, rules=[*shown, blank, blank],
                  roles=_ROLES, categories=CATEGORY_NAMES, error=error, saved=request.query_params.get("saved"),
                  editable=p.can(Perm.incidents_manage) and p.region_scope is None, status_code=status_code)


@router.get("/incidents/settings", response_class=HTMLResponse)
def settings_page(request: Request, ctx: CtxDep, _: Read) -> Response:
    return _settings(request, ctx)


def _settings_refused(request: Request, ctx: Ctx, e: ValidationError | DomainError,
                      rules: list[dict[str, str]] | None = None) -> Response:
    ctx.uow.rollback()
    if isinstance(e, DomainError):
        return _settings(request, ctx, e.message(ctx.lang), e.status, rules)
    loc = e.errors()[0].get("loc", ())
    text = validation_text(e, ctx.lang)
    if rules is not None and len(loc) > 1 and loc[0] == "rules" and isinstance(loc[1], int):
        text = f"{t('inc.settings.rule_row', ctx.lang, n=loc[1] + 1)} · {text}"  # which row of the table
    return _settings(request, ctx, text, 422, rules)


@router.post("/incidents/settings/levels/{code}")
def settings_level(request: Request, ctx: CtxDep, _: Manage, code: Annotated[str, Path(max_length=20)],
                   response_min: Annotated[str, Form()], update_min: Annotated[str, Form()],
                   notify_roles: Annotated[list[str] | None, Form()] = None,
                   joint_test_required: Annotated[bool, Form()] = False) -> Response:
    try:
        config.set_level(ctx, code, s.LevelIn.model_validate({
            "response_min": response_min, "update_min": update_min, "notify_roles": notify_roles or [],
            "joint_test_required": joint_test_required}))
    except (ValidationError, DomainError) as e:
        return _settings_refused(request, ctx, e)
    return RedirectResponse("/incidents/settings?saved=levels", status_code=303)


@router.post("/incidents/settings/rules")
def settings_rules(request: Request, ctx: CtxDep, _: Manage,
                   category: Annotated[list[str] | None, Form()] = None,
                   area_type: Annotated[list[str] | None, Form()] = None,
                   threshold: Annotated[list[str] | None, Form()] = None,
                   window_min: Annotated[list[str] | None, Form()] = None,
                   confirm_threshold: Annotated[list[str] | None, Form()] = None) -> Response:
    """The whole table at once (as the API's PUT); a row left without numbers is dropped."""
    cols = {"category": category or [], "area_type": area_type or [], "threshold": threshold or [],
            "window_min": window_min or [], "confirm_threshold": confirm_threshold or []}
    n = max(len(v) for v in cols.values())
    rows = [{k: (v[i].strip() if i < len(v) else "") for k, v in cols.items()} for i in range(n)]
    kept = [r for r in rows if r["threshold"] or r["window_min"] or r["confirm_threshold"]]
    try:
        config.set_rules(ctx, s.RulesIn.model_validate({"rules": [
            {**r, "category": r["category"] or None, "area_type": r["area_type"] or None} for r in kept]}))
    except (ValidationError, DomainError) as e:
        return _settings_refused(request, ctx, e, kept)
    return RedirectResponse("/incidents/settings?saved=rules", status_code=303)


@router.get("/incidents/{incident_id}", response_class=HTMLResponse)
def detail(request: Request, ctx: CtxDep, incident_id: IdPath, _: Read) -> Response:
    return _detail(request, ctx, incident_id)


def _act(request: Request, ctx: Ctx, incident_id: int, action: Callable[[], object]) -> Response:
    try:
        action()
    except ValidationError as e:
        ctx.uow.rollback()
        return _detail(request, ctx, incident_id, _form_error(ctx, e), 422)
    except DomainError as e:
        ctx.uow.rollback()
        return _detail(request, ctx, incident_id, e.message(ctx.lang), e.status)
    return RedirectResponse(f"/incidents/{incident_id}", status_code=303)


@router.post("/incidents/{incident_id}/transition")
def page_transition(request: Request, ctx: CtxDep, incident_id: IdPath, _: Manage, to: Annotated[str, Form()],
                    note: Annotated[str, Form()] = "") -> Response:
    return _act(request, ctx, incident_id, lambda: service.transition(
        ctx, incident_id, s.TransitionIn.model_validate({"to": to, "note": note or None})))


@router.post("/incidents/{incident_id}/update")
def page_update(request: Request, ctx: CtxDep, incident_id: IdPath, _: Manage,
                severity: Annotated[str, Form()] = "", cause: Annotated[str, Form()] = "",
                prepared_answer: Annotated[str, Form()] = "", estimated_restore_at: Annotated[str, Form()] = "",
                note: Annotated[str, Form()] = "", broadcast: Annotated[bool, Form()] = False) -> Response:
    return _act(request, ctx, incident_id, lambda: service.update(ctx, incident_id, s.UpdateIn.model_validate({
        "severity": severity or None, "cause": cause or None, "prepared_answer": prepared_answer or None,
        "estimated_restore_at": _local_input(estimated_restore_at, "estimated_restore_at"), "note": note or None,
        "broadcast": broadcast})))


@router.post("/incidents/{incident_id}/joint-test")
def page_joint_test(request: Request, ctx: CtxDep, incident_id: IdPath, _: Manage,
                    record: Annotated[str, Form()]) -> Response:
    return _act(request, ctx, incident_id,
                lambda: service.record_joint_test(ctx, incident_id, s.JointTestIn(record=record)))


@router.post("/incidents/{incident_id}/links")
def page_link(request: Request, ctx: CtxDep, incident_id: IdPath, _: Manage,
              order_ids: Annotated[str, Form()] = "", all_open: Annotated[bool, Form()] = False) -> Response:
    ids = [int(x) for x in order_ids.replace("，", ",").split(",") if x.strip().isdecimal()]
    return _act(request, ctx, incident_id, lambda: service.link_orders(
        ctx, incident_id, s.LinkIn.model_validate({"order_ids": ids, "all_open_in_area": all_open})))


@router.post("/incidents/{incident_id}/review")
def page_review(request: Request, ctx: CtxDep, incident_id: IdPath, _: Manage, timeline: Annotated[str, Form()],
                cause: Annotated[str, Form()], actions: Annotated[str, Form()], lessons: Annotated[str, Form()],
                improvement: Annotated[str, Form()] = "") -> Response:
    return _act(request, ctx, incident_id, lambda: review.record(ctx, incident_id, s.ReviewIn.model_validate({
        "timeline": timeline, "cause": cause, "actions": actions, "lessons": lessons,
        "improvement": improvement or None})))
