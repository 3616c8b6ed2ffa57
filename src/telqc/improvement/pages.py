"""The managers' improvement board and plan pages: the whole PDCA cycle from the browser.

Forms post to the same service calls as the API; an error re-renders the page with the message (never a
permission code or a stack trace) and changes nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import ValidationError

from telqc.api.deps import CtxDep, IdPath, require
from telqc.core import repository as core_repo
from telqc.core.context import Ctx
from telqc.core.errors import DomainError
from telqc.core.rbac import ROLE_PERMISSIONS, Perm, Principal, Role
from telqc.improvement import schemas as s
from telqc.improvement import service, suggestion_pages
from telqc.improvement.states import TRANSITIONS, PlanState, RootCause, Source
from telqc.metrics import hotspots, registry
from telqc.metrics import service as metrics
from telqc.orders import service as orders
from telqc.web.render import render, validation_text

router = APIRouter(include_in_schema=False)
ROUTERS = [router, suggestion_pages.router]  # 合理化建议 (`telqc.improvement.suggestion_pages`)
NAV = [(Perm.improvement_read, "/improvement", "ui.improvement"),
       (Perm.improvement_suggest, "/suggestions", "ui.suggestions")]
Read = Annotated[Principal, require(Perm.improvement_read)]
Manage = Annotated[Principal, require(Perm.improvement_manage)]
BOARD_COLUMNS = (PlanState.PLANNING, PlanState.DOING, PlanState.CHECKING, PlanState.STANDARDISED,
                 PlanState.ADJUSTING)


def kpi_value(name: str, value: float | None) -> str:
    """A KPI value as people read it: ratios in percent, durations in hours and minutes."""
    kpi = registry.get(name)
    if value is None or kpi is None:
        return "—"
    if kpi.unit == "ratio":
        return f"{value * 100:.1f}%"
    if kpi.unit == "seconds":
        minutes = round(value / 60)
        return f"{minutes // 60}小时{minutes % 60}分钟" if minutes >= 60 else f"{max(minutes, 0)}分钟"
    return f"{value:,.2f}"


def kpi_delta(name: str, value: float | None) -> str:
    """A change of a KPI: ratios in percentage points, durations in minutes."""
    kpi = registry.get(name)
    if value is None or kpi is None:
        return "—"
    if kpi.unit == "ratio":
        return f"{value * 100:+.1f} 个百分点"
    if kpi.unit == "seconds":
        return f"{value / 60:+.1f} 分钟"
    return f"{value:+.3g}"


def p_text(p: float | None) -> str:
    return "—" if p is None else "< 0.001" if p < 0.001 else f"{p:.3f}"


def _kpis() -> list[registry.KPI]:
    return [k for k in registry.KPIS if k.direction in ("higher", "lower")]


def _owners(ctx: Ctx) -> list[tuple[int, str]]:
    may = {r.value for r, perms in ROLE_PERMISSIONS.items() if Perm.improvement_manage in perms} | {Role.admin.value}
    return [(u.id, u.display_name) for u in core_repo.users(ctx.session) if u.is_active and u.role in may]


def _scope_text(ctx: Ctx, scope: dict[str, list[str]] | None) -> str:
    if scope is None:
        return ""
    names = metrics.region_names(ctx.session)
    parts = []
    for dim, values in scope.items():
        shown = [names.get(v, v) for v in values] if dim in ("province", "city") else values
        parts.append("、".join(shown))
    return "；".join(parts) or "全部范围"


def _below_target(ctx: Ctx) -> list[dict[str, Any]]:
    today = metrics.local_today(ctx)
    names = [k.name for k in _kpis() if k.target is not None]
    tiles = metrics.view(ctx, metrics.Query(kpis=names, start=today - timedelta(days=30),
                                            end=today - timedelta(days=1)))["kpis"]
    return [t for t in tiles if t["status"] in ("red", "amber")]


HOTSPOT_DAYS = 14  # the board's hotspots: the last two weeks against the two weeks before
HOTSPOT_DIMS = ("category", "city")
SCOPE_REF = r"^(category|city):[A-Za-z0-9_.\-]{1,60}$"  # a hotspot's group: the plan's scope beyond the province


def _hotspots(ctx: Ctx) -> list[dict[str, Any]]:
    """Complaint hotspots (a significant rise of the complaint rate, `telqc.metrics.hotspots`), each with the link
    that opens a plan on the complaint rate scoped to it (管理规范手册 4.3.4: the problem found opens its measures)."""
    today = metrics.local_today(ctx)
    start, end = today - timedelta(days=HOTSPOT_DAYS), today - timedelta(days=1)
    regions = metrics.region_names(ctx.session)
    categories = orders.category_names(ctx)
    out = []
    for r in hotspots.rises(ctx, start, end, HOTSPOT_DIMS)[:8]:
        name = categories.get(r.value, r.value) if r.dimension == "category" else regions.get(r.value, r.value)
        province = r.value[:2] + "0000" if r.dimension == "city" else ""
        problem = (f"{name}投诉率近{HOTSPOT_DAYS}天升至每万户 {r.current_rate:.2f}（此前 {r.previous_rate:.2f}，"
                   f"显著上升 p={r.p_value:.3g}），{start}至{end}")
        query = {"kpi": "complaint_rate", "source": "hotspot", "ref": f"{r.dimension}:{r.value}",
                 "title": f"降低{name}投诉率", "problem": problem, "province": province}
        out.append({"dimension": r.dimension, "value": r.value, "name": name, "previous": r.previous_rate,
                    "current": r.current_rate, "p_value": r.p_value,
                    "href": "/improvement/new?" + urlencode({k: v for k, v in query.items() if v})})
    return out


@router.get("/improvement", response_class=HTMLResponse)
def board(request: Request, ctx: CtxDep, _: Read) -> Response:
    plans, _total = service.listing(ctx, [c.value for c in BOARD_COLUMNS], 0, 200)
    columns = {c.value: [p for p in plans if p.state == c] for c in BOARD_COLUMNS}
    return render(request, "improvement/board.html", columns=columns, overdue=service.overdue_actions(ctx),
                  below=_below_target(ctx), hotspots=_hotspots(ctx), kpi_value=kpi_value,
                  scope_text=lambda sc: _scope_text(ctx, sc),
                  kpi_names={k.name: k.zh for k in registry.KPIS})


def _form(request: Request, ctx: Ctx, values: dict[str, Any], error: str | None = None,
          status_code: int = 200) -> Response:
    return render(request, "improvement/new.html", status_code=status_code, error=error, values=values,
                  kpis=_kpis(), owners=_owners(ctx), regions=core_repo.regions(ctx.session),
                  sources=[x for x in Source if x not in (Source.ROLLOUT, Source.ADJUSTMENT)])


@router.get("/improvement/new", response_class=HTMLResponse)
def new_plan(request: Request, ctx: CtxDep, principal: Manage, kpi: Annotated[str | None, Query()] = None,
             source: Annotated[str | None, Query()] = None,
             title: Annotated[str | None, Query(max_length=200)] = None,
             problem: Annotated[str | None, Query(max_length=2000)] = None,
             province: Annotated[str | None, Query(max_length=12)] = None,
             ref: Annotated[str | None, Query(pattern=SCOPE_REF)] = None) -> Response:
    """The new-plan form, prefilled from where it was opened (a KPI tile, a survey's low item: title, problem
    and province come with the link; the caller's single province otherwise)."""
    today = metrics.local_today(ctx)
    k = registry.get(kpi or "")
    scope: tuple[str, ...] = principal.region_scope or ()
    if province and scope and province not in scope:
        province = None  # a link cannot widen the caller's scope; the form shows their own
    return _form(request, ctx, {
        "kpi": k.name if k else "", "source": source if source in {x.value for x in Source} else "manual",
        "title": title or (f"提升{k.zh}" if k else ""), "problem": problem or "",
        "target": "" if k is None or k.target is None else k.target,
        "province": province or (scope[0] if len(scope) == 1 else ""), "comparison": "", "source_ref": ref or "",
        "owner_id": principal.user_id, "baseline_start": (today - timedelta(days=28)).isoformat(),
        "baseline_end": (today - timedelta(days=1)).isoformat()})


@router.post("/improvement/new")
def create_plan(request: Request, ctx: CtxDep, _: Manage, title: Annotated[str, Form()],
                problem: Annotated[str, Form()], kpi: Annotated[str, Form()], owner_id: Annotated[str, Form()],
                baseline_start: Annotated[str, Form()], baseline_end: Annotated[str, Form()],
                source: Annotated[str, Form()] = "manual", target: Annotated[str, Form()] = "",
                province: Annotated[str, Form()] = "", comparison: Annotated[str, Form()] = "",
                source_ref: Annotated[str, Form(pattern=SCOPE_REF)] = "") -> Response:
    """A plan from the form; a hotspot's link adds its group (``category:…`` or ``city:…``) to the scope."""
    values = {"title": title, "problem": problem, "kpi": kpi, "owner_id": owner_id, "source": source,
              "target": target, "province": province, "comparison": comparison, "baseline_start": baseline_start,
              "baseline_end": baseline_end, "source_ref": source_ref}
    scope: dict[str, list[str]] = {"province": [province]} if province else {}
    if source_ref:
        dim, _sep, value = source_ref.partition(":")
        scope[dim] = [value]
    try:
        data = s.PlanIn.model_validate({
            "title": title, "problem": problem, "kpi": kpi, "owner_id": owner_id, "source": source,
            "source_ref": source_ref or None, "target": target or None, "scope": scope,
            "comparison": {"province": [comparison]} if comparison else None,
            "baseline_start": baseline_start, "baseline_end": baseline_end})
        p = service.create(ctx, data)
    except ValidationError as e:
        ctx.uow.rollback()
        return _form(request, ctx, values, validation_text(e, ctx.lang), 422)
    except DomainError as e:
        ctx.uow.rollback()
        return _form(request, ctx, values, e.message(ctx.lang), e.status)
    return RedirectResponse(f"/improvement/{p.id}", status_code=303)


def _detail(request: Request, ctx: Ctx, plan_id: int, error: str | None = None, status_code: int = 200) -> Response:
    plan = service.get(ctx, plan_id)
    moves = sorted(TRANSITIONS[PlanState(plan.state)], key=list(PlanState).index)
    today = metrics.local_today(ctx)
    length = (plan.baseline_end - plan.baseline_start).days
    after_start = plan.after_start or max(plan.baseline_end + timedelta(days=1), today - timedelta(days=length + 1))
    after_end = plan.after_end or today - timedelta(days=1)
    chart = None
    if plan.effect and plan.effect.get("series"):
        chart = {"baseline_end": plan.baseline_end.isoformat(), "after_start": (plan.after_start or today).isoformat(),
                 "treated": plan.effect["series"].get("treated", {}),
                 "comparison": plan.effect["series"].get("comparison"), "unit": getattr(registry.get(plan.kpi),
                                                                                         "unit", "")}
    return render(request, "improvement/plan.html", status_code=status_code, error=error, p=plan, moves=moves,
                  history=service.history(ctx, plan_id), children=service.children(ctx, plan_id),
                  causes=list(RootCause), owners=_owners(ctx), regions=core_repo.regions(ctx.session),
                  kpi=registry.get(plan.kpi), kpi_value=kpi_value, kpi_delta=kpi_delta, p_text=p_text,
                  scope_text=lambda sc: _scope_text(ctx, sc),
                  after_start=after_start, after_end=after_end, chart=chart,
                  next_start=(today - timedelta(days=28)).isoformat(), next_end=(today - timedelta(days=1)).isoformat(),
                  today=today)


@router.get("/improvement/{plan_id}", response_class=HTMLResponse)
def plan_page(request: Request, ctx: CtxDep, _: Read, plan_id: IdPath) -> Response:
    return _detail(request, ctx, plan_id)


def _act(request: Request, ctx: Ctx, plan_id: int, action: Callable[[], object],
         then: Callable[[object], int] | None = None) -> Response:
    try:
        result = action()
    except ValidationError as e:
        ctx.uow.rollback()
        return _detail(request, ctx, plan_id, validation_text(e, ctx.lang), 422)
    except DomainError as e:
        ctx.uow.rollback()
        if e.status == 404:
            raise
        return _detail(request, ctx, plan_id, e.message(ctx.lang), e.status)
    return RedirectResponse(f"/improvement/{then(result) if then else plan_id}", status_code=303)


@router.post("/improvement/{plan_id}/analysis")
def page_analysis(request: Request, ctx: CtxDep, _: Manage, plan_id: IdPath, root_cause: Annotated[str, Form()],
                  why: Annotated[str, Form()] = "", fishbone: Annotated[str, Form()] = "") -> Response:
    factors = [x.strip() for x in fishbone.replace("，", ",").replace("\n", ",").split(",") if x.strip()]
    return _act(request, ctx, plan_id, lambda: service.analyse(ctx, plan_id, s.AnalysisIn.model_validate({
        "root_cause": root_cause, "why": [w for w in why.splitlines() if w.strip()],
        "fishbone": {root_cause: factors} if factors else {}})))


@router.post("/improvement/{plan_id}/actions")
def page_add_action(request: Request, ctx: CtxDep, _: Manage, plan_id: IdPath, title: Annotated[str, Form()],
                    owner_id: Annotated[str, Form()], due_on: Annotated[str, Form()]) -> Response:
    return _act(request, ctx, plan_id, lambda: service.add_action(ctx, plan_id, s.ActionIn.model_validate(
        {"title": title, "owner_id": owner_id, "due_on": due_on})))


@router.post("/improvement/{plan_id}/actions/{action_id}/done")
def page_action_done(request: Request, ctx: CtxDep, _: Manage, plan_id: IdPath, action_id: IdPath,
                     note: Annotated[str, Form()] = "") -> Response:
    return _act(request, ctx, plan_id, lambda: service.complete_action(
        ctx, action_id, s.ActionDoneIn(note=note or None)))


@router.post("/improvement/{plan_id}/transition")
def page_transition(request: Request, ctx: CtxDep, _: Manage, plan_id: IdPath, to: Annotated[str, Form()],
                    note: Annotated[str, Form()] = "") -> Response:
    return _act(request, ctx, plan_id, lambda: service.transition(ctx, plan_id, s.TransitionIn.model_validate(
        {"to": to, "note": note or None})))


@router.post("/improvement/{plan_id}/measure")
def page_measure(request: Request, ctx: CtxDep, _: Manage, plan_id: IdPath, after_start: Annotated[str, Form()],
                 after_end: Annotated[str, Form()]) -> Response:
    return _act(request, ctx, plan_id, lambda: service.measure(ctx, plan_id, s.MeasureIn.model_validate(
        {"after_start": after_start, "after_end": after_end})))


@router.post("/improvement/{plan_id}/next")
def page_next(request: Request, ctx: CtxDep, _: Manage, plan_id: IdPath, baseline_start: Annotated[str, Form()],
              baseline_end: Annotated[str, Form()], province: Annotated[str, Form()] = "",
              comparison: Annotated[str, Form()] = "", note: Annotated[str, Form()] = "") -> Response:
    def run() -> object:
        return service.next_cycle(ctx, plan_id, s.NextCycleIn.model_validate({
            "scope": {"province": [province]} if province else None,
            "comparison": {"province": [comparison]} if comparison else None,
            "baseline_start": baseline_start, "baseline_end": baseline_end, "note": note or None}))
    return _act(request, ctx, plan_id, run, then=lambda child: getattr(child, "id", plan_id))
