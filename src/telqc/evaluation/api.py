"""Evaluation routes under /api/v1/evaluation: runs, results (and their Excel), an agent's own, objections."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query
from fastapi.responses import Response

from telqc.api.deps import CtxDep, require
from telqc.core.rbac import Perm, Principal
from telqc.core.schemas import MAX_INT
from telqc.evaluation import export, schemes, service, teamwork
from telqc.evaluation import schemas as s

router = APIRouter(prefix="/api/v1/evaluation", tags=["evaluation"])
Manage = Annotated[Principal, require(Perm.evaluation_manage)]
Mine = Annotated[Principal, require(Perm.evaluation_mine)]
Schemes = Annotated[Principal, require(Perm.evaluation_schemes)]
Rate = Annotated[Principal, require(Perm.evaluation_rate)]
Id = Annotated[int, Path(ge=1, le=MAX_INT)]
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@router.get("/runs", response_model=list[s.RunOut])
def list_runs(ctx: CtxDep, _: Manage) -> list[s.RunOut]:
    return [s.RunOut.model_validate(r) for r in service.runs(ctx)]


@router.post("/runs", response_model=s.RunOut, status_code=201)
def create_run(ctx: CtxDep, _: Manage, body: s.RunIn) -> s.RunOut:
    """Evaluate every active agent (of the province, if given) over the period, from the KPI rollups."""
    made = service.run(ctx, body)
    _run, rows = service.results(ctx, made.id)
    return s.RunOut.model_validate(made).model_copy(update={"results": rows})


@router.get("/runs/{run_id}", response_model=s.RunOut)
def get_run(ctx: CtxDep, _: Manage, run_id: Id) -> s.RunOut:
    found, rows = service.results(ctx, run_id)
    return s.RunOut.model_validate(found).model_copy(update={"results": rows})


@router.get("/runs/{run_id}/export", response_class=Response)
def export_run(ctx: CtxDep, _: Manage, run_id: Id) -> Response:
    r, rows = service.results(ctx, run_id)
    return Response(export.workbook(r, rows), media_type=XLSX,
                    headers={"Content-Disposition": f'attachment; filename="evaluation-{r.id}.xlsx"'})


@router.get("/mine", response_model=list[s.ResultOut])
def my_results(ctx: CtxDep, _: Mine) -> list[s.ResultOut]:
    return [x for _, x in service.mine(ctx)]


@router.post("/results/{result_id}/objections", response_model=s.ObjectionOut, status_code=201)
def object_to(ctx: CtxDep, _: Mine, result_id: Id, body: s.ObjectionIn) -> s.ObjectionOut:
    return s.ObjectionOut.model_validate(service.object_to(ctx, result_id, body))


@router.get("/objections", response_model=list[s.ObjectionOut])
def list_objections(ctx: CtxDep, _: Manage,
                    status: Annotated[str | None, Query(pattern="^(open|upheld|rejected)$")] = "open",
                    ) -> list[s.ObjectionOut]:
    return service.objections(ctx, status)


@router.post("/objections/{objection_id}/decide", response_model=s.ObjectionOut)
def decide(ctx: CtxDep, _: Manage, objection_id: Id, body: s.DecisionIn) -> s.ObjectionOut:
    return s.ObjectionOut.model_validate(service.decide(ctx, objection_id, body))


@router.get("/schemes", response_model=list[s.SchemeOut])
def list_schemes(ctx: CtxDep, _: Manage) -> list[s.SchemeOut]:
    """The scheme in force for every role and period kind (the built-in one until a version is saved)."""
    return schemes.overview(ctx)


@router.post("/schemes", response_model=s.SchemeOut, status_code=201)
def save_scheme(ctx: CtxDep, _: Schemes, body: s.SchemeIn) -> s.SchemeOut:
    """A new version of the role's scheme for the period kind; runs from now on use it, earlier runs keep theirs."""
    return schemes.saved_out(schemes.save(ctx, body))


@router.post("/teamwork", response_model=s.TeamworkOut, status_code=201)
def rate_teamwork(ctx: CtxDep, _: Rate, body: s.TeamworkIn) -> s.TeamworkOut:
    """Rate a teammate's (as a team lead, a member of one's team; as a manager, a person of one's regions)
    teamwork in a month, 1–5."""
    return s.TeamworkOut.model_validate(teamwork.rate(ctx, body))
