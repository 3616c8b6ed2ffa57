"""Evaluation pages: supervisors run evaluations and decide objections; agents read and object to their own."""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, Response

from telqc.api.deps import CtxDep, IdPath, require
from telqc.core import repository as core_repo
from telqc.core.context import Ctx
from telqc.core.rbac import Perm, Principal
from telqc.evaluation import evidence as proof
from telqc.evaluation import schemas as s
from telqc.evaluation import scheme_pages, schemes, service, teamwork
from telqc.metrics import service as metrics
from telqc.web.render import form_action, render

router = APIRouter(include_in_schema=False)
ROUTERS = [router, scheme_pages.router]  # 考评方案 and a component's evidence (`telqc.evaluation.scheme_pages`)
NAV = [(Perm.evaluation_manage, "/evaluation", "ui.evaluation"), (Perm.evaluation_mine, "/evaluation/mine",
                                                                  "ui.evaluation_mine"),
       (Perm.evaluation_schemes, "/evaluation/schemes", "ui.evaluation_schemes")]
Manage = Annotated[Principal, require(Perm.evaluation_manage)]
Mine = Annotated[Principal, require(Perm.evaluation_mine)]
Rate = Annotated[Principal, require(Perm.evaluation_rate)]


# components computed from work orders: the drill lists the orders themselves
ORDER_KPIS = {"sla_compliance", "timely_complaint_handling"}


def evidence(principal: Principal, run: Any, x: s.ResultOut, key: str) -> str | None:
    """Where a component's number comes from, for a reader who may open it: the calls behind the QA score and the
    survey answers behind CSAT (the result's own evidence page, for its reader: the supervisor or the agent), the
    agent's work orders behind an order KPI (``metrics:read``), the exam, course and simulated-call results
    (``training:manage``, or the agent's own training page), the adopted suggestions (the suggestions page).
    Teamwork has no link: who rated whom is not shown. The contact KPIs (FCR, AHT, volume) get none either: the
    KPI breakdown cannot cut one agent inside a province scope (不支持该维度组合：agent,province)."""
    own = x.agent_id == principal.user_id
    if key in proof.KINDS:
        return f"/evaluation/results/{x.id}/evidence/{key}"
    if key in ("exam_score", "course_completion", "sim_call_score"):
        anchor = {"exam_score": "results", "course_completion": "assignments", "sim_call_score": "simulations"}[key]
        if own and principal.can(Perm.training_mine):
            return f"/training/mine#my-{'exams' if key == 'exam_score' else anchor}"
        return f"/training#{anchor}" if principal.can(Perm.training_manage) else None
    if key == "suggestions_adopted" and principal.can(Perm.improvement_suggest):
        return "/suggestions" if own else f"/suggestions?author={x.agent_id}"
    if key in ORDER_KPIS and principal.can(Perm.metrics_read):
        span = urlencode({"agent": x.agent_id, "from": run.period_start.isoformat(),
                          "to": run.period_end.isoformat()})
        return f"/metrics/orders?kpi={key}&{span}"
    return None


def _teamwork(ctx: Ctx) -> dict[str, Any]:
    """The teamwork form's parts: whom the caller may rate, what they gave (by name), the current month."""
    people = teamwork.rateable(ctx)
    given = teamwork.mine(ctx)
    names = core_repo.display_names(ctx.session, [g.ratee_id for g in given])
    return {"teammates": people, "given": given, "names": names,
            "this_month": f"{metrics.local_today(ctx):%Y-%m}"}


def _index(request: Request, ctx: Ctx, error: str | None = None, status_code: int = 200) -> Response:
    today = metrics.local_today(ctx)
    first = today.replace(day=1)
    last_month_end = first - timedelta(days=1)
    names = metrics.region_names(ctx.session)
    return render(request, "evaluation/index.html", status_code=status_code, error=error, runs=service.runs(ctx),
                  objections=service.objections(ctx), regions=core_repo.regions(ctx.session), region_names=names,
                  default_start=last_month_end.replace(day=1), default_end=last_month_end,
                  default_name=f"{last_month_end.year}年{last_month_end.month}月坐席考评", roles=schemes.ROLES,
                  **_teamwork(ctx))


@router.get("/evaluation", response_class=HTMLResponse)
def index(request: Request, ctx: CtxDep, _: Manage) -> Response:
    return _index(request, ctx)


@router.post("/evaluation/runs")
def create_run(request: Request, ctx: CtxDep, _: Manage, name: Annotated[str, Form()],
               period_start: Annotated[str, Form()], period_end: Annotated[str, Form()],
               province: Annotated[str, Form()] = "", role: Annotated[str, Form()] = "agent") -> Response:
    return form_action(ctx, lambda: service.run(ctx, s.RunIn.model_validate(
        {"name": name, "period_start": period_start, "period_end": period_end, "province": province or None,
         "role": role})),
        lambda r: f"/evaluation/runs/{getattr(r, 'id', '')}", lambda m, st: _index(request, ctx, m, st))


@router.get("/evaluation/runs/{run_id}", response_class=HTMLResponse)
def run_page(request: Request, ctx: CtxDep, _: Manage, run_id: IdPath) -> Response:
    run, rows = service.results(ctx, run_id)
    teams: dict[str, list[s.ResultOut]] = {}
    for x in rows:
        teams.setdefault(x.team or "", []).append(x)
    return render(request, "evaluation/run.html", run=run, teams=teams, evidence=evidence,
                  province=metrics.region_names(ctx.session).get(run.province_code or "", ""))


@router.post("/evaluation/objections/{objection_id}/decide")
def decide(request: Request, ctx: CtxDep, _: Manage, objection_id: IdPath, verdict: Annotated[str, Form()],
           decision: Annotated[str, Form()], adjusted_total: Annotated[str, Form()] = "") -> Response:
    return form_action(ctx, lambda: service.decide(ctx, objection_id, s.DecisionIn.model_validate({
        "upheld": verdict == "upheld", "decision": decision, "adjusted_total": adjusted_total or None})),
        lambda _o: "/evaluation", lambda m, st: _index(request, ctx, m, st))


def _mine(request: Request, ctx: Ctx, error: str | None = None, status_code: int = 200) -> Response:
    # a team lead rates on the evaluation page, as a supervisor; here only a teammate's (peer) rating
    assert ctx.principal is not None
    peer = teamwork.rater_kind(ctx.principal) == "peer"
    parts = _teamwork(ctx) if peer else {"teammates": [], "given": [], "names": {}, "this_month": ""}
    return render(request, "evaluation/mine.html", status_code=status_code, error=error, results=service.mine(ctx),
                  evidence=evidence, **parts)


@router.get("/evaluation/mine", response_class=HTMLResponse)
def mine(request: Request, ctx: CtxDep, _: Mine) -> Response:
    return _mine(request, ctx)


@router.post("/evaluation/mine/{result_id}/object")
def object_to(request: Request, ctx: CtxDep, _: Mine, result_id: IdPath, reason: Annotated[str, Form()]) -> Response:
    return form_action(ctx, lambda: service.object_to(ctx, result_id, s.ObjectionIn.model_validate(
        {"reason": reason})), lambda _o: "/evaluation/mine", lambda m, st: _mine(request, ctx, m, st))


@router.post("/evaluation/teamwork")
def rate_teamwork(request: Request, ctx: CtxDep, me: Rate, ratee_id: Annotated[str, Form()],
                  month: Annotated[str, Form()], score: Annotated[str, Form()],
                  comment: Annotated[str, Form()] = "") -> Response:
    """The form of the page the rater uses: a teammate's on 我的考评, a team lead's or manager's on 坐席考评."""
    peer = teamwork.rater_kind(me) == "peer"
    back = "/evaluation/mine" if peer else "/evaluation"
    return form_action(ctx, lambda: teamwork.rate(ctx, s.TeamworkIn.model_validate(
        {"ratee_id": ratee_id, "month": month, "score": score, "comment": comment})),
        lambda _r: f"{back}#teamwork",
        lambda m, st: (_mine if peer else _index)(request, ctx, m, st))
