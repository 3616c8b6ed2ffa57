"""抽检计划 pages: QA managers save sampling plans; inspectors and managers run a plan's last period now and
see every batch (who got how many samples, and why). The nightly job runs the same plans
(`telqc.inspection.tasks`); forms post to the same service calls as the API."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, Response

from telqc.api.deps import CtxDep, IdPath, require
from telqc.core import repository as core_repo
from telqc.core.context import Ctx
from telqc.core.rbac import ROLE_PERMISSIONS, Perm, Principal, Role
from telqc.inspection import sampling_plans, scorecards
from telqc.inspection import schemas as s
from telqc.web.render import form_action, render

router = APIRouter(include_in_schema=False)
View = Annotated[Principal, require(Perm.inspection_view)]
TARGETS = ("complaint", "long_call", "low_csat", "auto_hits", "new_agent")


def _inspectors(ctx: Ctx) -> list[tuple[int, str]]:
    return [(u.id, u.display_name) for u in core_repo.users(ctx.session)
            if u.is_active and Perm.inspection_score in ROLE_PERMISSIONS[Role(u.role)]]


def _page(request: Request, ctx: Ctx, principal: Principal, error: str | None = None, status_code: int = 200,
          form: dict[str, object] | None = None) -> Response:
    plans = sampling_plans.listing(ctx)
    batches = sampling_plans.batches(ctx, 30)
    people = {i for b in batches for i in map(int, b.by_inspector)} | {b.run_by for b in batches if b.run_by}
    people |= {i for p in plans for i in p.rules.get("inspectors", [])}
    return render(request, "inspection/sampling.html", status_code=status_code, error=error, plans=plans,
                  batches=batches, names=core_repo.display_names(ctx.session, people),
                  plan_names={p.id: p.name for p in plans}, inspectors=_inspectors(ctx),
                  cards=scorecards.listing(ctx), targets=TARGETS, form=form or {},
                  may_admin=principal.can(Perm.inspection_admin), may_run=principal.can(Perm.inspection_sample))


@router.get("/qa/sampling", response_class=HTMLResponse)
def sampling_page(request: Request, ctx: CtxDep, principal: View) -> Response:
    return _page(request, ctx, principal)


@router.post("/qa/sampling/plans")
def create_plan(request: Request, ctx: CtxDep, principal: Annotated[Principal, require(Perm.inspection_admin)],
                name: Annotated[str, Form()], period: Annotated[str, Form()] = "weekly",
                targets: Annotated[list[str] | None, Form()] = None, per_agent_week_min: Annotated[str, Form()] = "0",
                random_pct: Annotated[str, Form()] = "0", double_pct: Annotated[str, Form()] = "0",
                inspectors: Annotated[list[str] | None, Form()] = None,
                scorecard_id: Annotated[str, Form()] = "") -> Response:
    form: dict[str, object] = {
        "name": name, "period": period, "targets": targets or [], "per_agent_week_min": per_agent_week_min,
        "random_pct": random_pct, "double_pct": double_pct, "inspectors": inspectors or [],
        "scorecard_id": scorecard_id}

    def create() -> s.PlanOut:
        data = s.PlanIn.model_validate({**form, "scorecard_id": scorecard_id or None})
        return sampling_plans.create(ctx, data)

    return form_action(ctx, create, lambda _: "/qa/sampling#plans",
                       lambda m, st: _page(request, ctx, principal, m, st, form))


@router.post("/qa/sampling/plans/{plan_id}/run")
def run_plan(request: Request, ctx: CtxDep, principal: Annotated[Principal, require(Perm.inspection_sample)],
             plan_id: IdPath) -> Response:
    return form_action(ctx, lambda: sampling_plans.run(ctx, plan_id), lambda b: f"/qa/sampling#batch-{b.id}",
                       lambda m, st: _page(request, ctx, principal, m, st))


@router.post("/qa/sampling/plans/{plan_id}/active")
def set_active(request: Request, ctx: CtxDep, principal: Annotated[Principal, require(Perm.inspection_admin)],
               plan_id: IdPath, active: Annotated[str, Form()]) -> Response:
    return form_action(ctx, lambda: sampling_plans.set_active(ctx, plan_id, active == "1"),
                       lambda _: "/qa/sampling#plans", lambda m, st: _page(request, ctx, principal, m, st))
