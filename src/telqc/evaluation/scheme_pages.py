"""Evaluation pages beside the runs: the quality manager's schemes (考评方案) and a component's evidence.

The scheme page shows the scheme in force for each role and period kind and saves a new version from a form of
every component (weight 0 leaves it out); the evidence page lists the calls or survey answers a result's
component was computed from, for whoever may read that result.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from starlette.concurrency import run_in_threadpool

from telqc.api.deps import CtxDep, IdPath, require
from telqc.core import repository as core_repo
from telqc.core.context import Ctx
from telqc.core.rbac import Perm, Principal
from telqc.evaluation import evidence as proof
from telqc.evaluation import schemas as s
from telqc.evaluation import schemes, service
from telqc.metrics import registry
from telqc.web.render import form_action, render

router = APIRouter(include_in_schema=False)
Manage = Annotated[Principal, require(Perm.evaluation_manage)]
Schemes = Annotated[Principal, require(Perm.evaluation_schemes)]
Signed = Annotated[Principal, require(None)]


def component_name(key: str) -> str:
    kpi = registry.get(key)
    return kpi.zh if kpi else schemes.EXTERNAL[key].zh if key in schemes.EXTERNAL else key


def _page(request: Request, ctx: Ctx, error: str | None = None, status_code: int = 200) -> Response:
    found = schemes.overview(ctx)
    forms = []
    for sc in found:
        by_key = {c["key"]: c for c in sc.components}
        rows = [{"key": k, "name": component_name(k), "weight": by_key.get(k, {}).get("weight", 0),
                 "normalise": by_key.get(k, {}).get("normalise", "percentile" if k == "offered" else "target"),
                 "target": by_key.get(k, {}).get("target")} for k in schemes.CHOICES]
        grades = {g["name"]: g["min_score"] for g in sc.grades}
        cap = next((g["cap"] for g in sc.gates if g["key"] == schemes.GATE_KEY), None)
        forms.append({"scheme": sc, "rows": rows, "grades": grades, "cap": cap})
    return render(request, "evaluation/schemes.html", status_code=status_code, error=error, forms=forms,
                  label=component_name, show=service.show)


@router.get("/evaluation/schemes", response_class=HTMLResponse)
def schemes_page(request: Request, ctx: CtxDep, _: Manage) -> Response:
    return _page(request, ctx)


def _scheme_in(form: Any) -> dict[str, Any]:
    """The form's fields as the API's body: one weight, method and optional target per component."""
    comps = []
    for key in schemes.CHOICES:
        weight = str(form.get(f"w:{key}") or "0").strip() or "0"
        target = str(form.get(f"t:{key}") or "").strip()
        comps.append({"key": key, "weight": weight, "normalise": str(form.get(f"n:{key}") or "target"),
                      "target": target or None})
    cap = str(form.get("fatal_cap") or "").strip()
    return {"role": str(form.get("role") or ""), "period_kind": str(form.get("period_kind") or ""),
            "name": str(form.get("name") or ""), "components": comps, "fatal_cap": cap or None,
            **{f"grade_{g}": str(form.get(f"grade_{g}") or "") for g in ("a", "b", "c")}}


@router.post("/evaluation/schemes")
async def save_scheme(request: Request, ctx: CtxDep, _: Schemes) -> Response:
    form = await request.form()
    return await run_in_threadpool(lambda: form_action(
        ctx, lambda: schemes.save(ctx, s.SchemeIn.model_validate(_scheme_in(form))),
        lambda _r: "/evaluation/schemes", lambda m, st: _page(request, ctx, m, st)))


@router.get("/evaluation/results/{result_id}/evidence/{key}", response_class=HTMLResponse)
def evidence_page(request: Request, ctx: CtxDep, p: Signed, result_id: IdPath, key: str) -> Response:
    run, result, kind, found = proof.rows(ctx, result_id, key)
    agent = core_repo.display_names(ctx.session, [result.agent_id]).get(result.agent_id, "")
    return render(request, "evaluation/evidence.html", run=run, result=result, kind=kind, rows=found, agent=agent,
                  key=key, component=component_name(key), may_inspect=p.can(Perm.inspection_score),
                  own=result.agent_id == p.user_id, may_orders=p.can(Perm.orders_read))
