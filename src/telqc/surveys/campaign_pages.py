"""Satisfaction campaign pages: the managers' list and create form, the results page (ECharts bars per dimension
by province, the low items with a link that opens an improvement plan, the Excel report), and the customer's
public, mobile-first questionnaire ``/sq/{token}``.

Forms post to the same service calls as the API; an error re-renders the page with the message and changes
nothing."""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import HTMLResponse, Response
from pydantic import ValidationError

from telqc.api.deps import CtxDep, IdPath, require
from telqc.core import repository as core_repo
from telqc.core.context import Ctx
from telqc.core.errors import DomainError
from telqc.core.i18n import t
from telqc.core.rbac import Perm, Principal
from telqc.surveys import campaigns as service
from telqc.surveys import schemas as s
from telqc.surveys.campaign_results import DIMENSIONS
from telqc.web.render import form_action, form_error, render

router = APIRouter(include_in_schema=False)
Manage = Annotated[Principal, require(Perm.surveys_manage)]


def _error(e: ValidationError | DomainError, lang: str) -> tuple[str, int]:
    if isinstance(e, ValidationError):
        err = e.errors()[0]
        field = str(err["loc"][0]) if err["loc"] else ""
        if field in DIMENSIONS:
            return t("campaign.error.score", lang, dim=t(f"campaign.dim.{field}", lang)), 422
        if field == "comment":
            return t("campaign.error.comment", lang), 422
    return form_error(e, lang)


def _index(request: Request, ctx: Ctx, error: str | None = None, status_code: int = 200,
           values: dict[str, str] | None = None) -> Response:
    return render(request, "surveys/campaigns.html", status_code=status_code, error=error,
                  campaigns=service.listing(ctx), regions=core_repo.regions(ctx.session), values=values or {},
                  region_names={r.code: r.name for r in core_repo.regions(ctx.session)})


@router.get("/surveys/campaigns", response_class=HTMLResponse)
def campaigns_page(request: Request, ctx: CtxDep, _: Manage) -> Response:
    return _index(request, ctx)


@router.post("/surveys/campaigns")
def create_campaign(
    request: Request, ctx: CtxDep, _: Manage, name: Annotated[str, Form()], period_kind: Annotated[str, Form()],
    period_label: Annotated[str, Form()], sample_size: Annotated[str, Form()],
    strata: Annotated[list[str] | None, Form()] = None, min_per_stratum: Annotated[str, Form()] = "5",
    seed: Annotated[str, Form()] = "", validity_days: Annotated[str, Form()] = "14",
    province: Annotated[str, Form()] = "", min_cell_n: Annotated[str, Form()] = "30",
    low_mean: Annotated[str, Form()] = "4.0", low_share: Annotated[str, Form()] = "0.8",
) -> Response:
    values = {"name": name, "period_kind": period_kind, "period_label": period_label, "sample_size": sample_size,
              "min_per_stratum": min_per_stratum, "seed": seed, "validity_days": validity_days,
              "province": province, "min_cell_n": min_cell_n, "low_mean": low_mean, "low_share": low_share}
    return form_action(ctx, lambda: service.create(ctx, s.CampaignIn.model_validate(
        {**values, "strata": strata or [], "seed": seed or None, "province": province or None})),
        lambda c: f"/surveys/campaigns/{c.id}", lambda m, st: _index(request, ctx, m, st, values), _error)


@router.post("/surveys/campaigns/{campaign_id}/send")
def send_campaign(request: Request, ctx: CtxDep, _: Manage, campaign_id: IdPath) -> Response:
    return form_action(ctx, lambda: service.send(ctx, campaign_id), lambda c: f"/surveys/campaigns/{c.id}",
                       lambda m, st: _results(request, ctx, campaign_id, ("province",), m, st), _error)


@router.post("/surveys/campaigns/{campaign_id}/close")
def close_campaign(request: Request, ctx: CtxDep, _: Manage, campaign_id: IdPath) -> Response:
    return form_action(ctx, lambda: service.close(ctx, campaign_id), lambda c: f"/surveys/campaigns/{c.id}",
                       lambda m, st: _results(request, ctx, campaign_id, ("province",), m, st), _error)


def segment(ctx: Ctx, cut: str, value: str, names: dict[str, str]) -> str:
    if cut == "province":
        return names.get(value, value)
    return t("campaign.channel.none", ctx.lang) if value == "none" else t(f"{cut}.{value}", ctx.lang)


def plan_link(ctx: Ctx, campaign: s.CampaignOut, cell: s.CellOut, names: dict[str, str]) -> str:
    """The improvement form prefilled for one low item: its dimension and segment in the title and problem, its
    province as the plan's scope when the item is a province (手册 8.3.3: low items get improvement measures)."""
    cut, value = next(iter(cell.key.items()))
    where = segment(ctx, cut, value, names)
    dim = t(f"campaign.dim.{cell.dimension}", ctx.lang)
    share = f"{(cell.weighted_satisfied or 0) * 100:.1f}%"
    params = {"kpi": "csat", "source": "survey", "title": f"提升{where}{dim}满意度",
              "problem": f"满意度调查「{campaign.name}」：{where}的{dim}加权均分 {cell.weighted_mean or 0:.2f}，"
                         f"满意占比 {share}（{cell.n} 份答卷）"}
    if cut == "province":
        params["province"] = value
    return f"/improvement/new?{urlencode(params)}"


def _chart(ctx: Ctx, campaign_id: int, names: dict[str, str]) -> dict[str, Any]:
    """Per dimension: provinces with enough answers, their raw and weighted means (the bars)."""
    found = service.results(ctx, campaign_id, ["province"])
    by_province = found.cells
    out: dict[str, Any] = {"dims": [], "low_mean": found.campaign.low_mean}
    for dim in DIMENSIONS:
        cells = [c for c in by_province if c.dimension == dim and c.sufficient]
        out["dims"].append({"id": dim, "name": t(f"campaign.dim.{dim}", ctx.lang),
                            "provinces": [names.get(c.key["province"], c.key["province"]) for c in cells],
                            "raw": [round(c.mean or 0, 3) for c in cells],
                            "weighted": [round(c.weighted_mean or 0, 3) for c in cells]})
    return out


def _results(request: Request, ctx: Ctx, campaign_id: int, by: tuple[str, ...], error: str | None = None,
             status_code: int = 200) -> Response:
    data = service.results(ctx, campaign_id, by)
    names = {r.code: r.name for r in core_repo.regions(ctx.session)}
    return render(request, "surveys/campaign.html", status_code=status_code, error=error, r=data, by=by,
                  dims=DIMENSIONS, chart=_chart(ctx, campaign_id, names) if data.answered else None,
                  segment=lambda cut, v: segment(ctx, cut, v, names),
                  plan_link=lambda x: plan_link(ctx, data.campaign, x, names),
                  comments=service.comments(ctx, campaign_id)[:50], region_names=names)


@router.get("/surveys/campaigns/{campaign_id}", response_class=HTMLResponse)
def results_page(request: Request, ctx: CtxDep, _: Manage, campaign_id: IdPath,
                 by: Annotated[s.Cut, Query()] = "province") -> Response:
    return _results(request, ctx, campaign_id, (by,))


def _questionnaire(request: Request, token: str | None, *, error: str | None = None, done: bool = False,
                   status_code: int = 200, values: dict[str, str] | None = None) -> Response:
    return render(request, "surveys/questionnaire.html", status_code=status_code, error=error, done=done,
                  token=token, dims=DIMENSIONS, values=values or {})


@router.get("/sq/{token}", response_class=HTMLResponse)
def questionnaire(request: Request, ctx: CtxDep, token: str) -> Response:
    try:
        inv = service.open_link(ctx, token)
    except DomainError as e:
        return _questionnaire(request, None, error=e.message(ctx.lang), status_code=e.status)
    problem = service.answerable(ctx, inv)
    if problem:
        return _questionnaire(request, None, error=t(problem, ctx.lang), status_code=409)
    return _questionnaire(request, token)


@router.post("/sq/{token}", response_class=HTMLResponse)
def questionnaire_submit(
    request: Request, ctx: CtxDep, token: str, attitude: Annotated[str, Form()] = "",
    efficiency: Annotated[str, Form()] = "", quality: Annotated[str, Form()] = "",
    etiquette: Annotated[str, Form()] = "", comment: Annotated[str, Form()] = "",
) -> Response:
    values = {"attitude": attitude, "efficiency": efficiency, "quality": quality, "etiquette": etiquette,
              "comment": comment}
    try:
        data = s.CampaignAnswerIn.model_validate({k: v or None for k, v in values.items()})
        service.answer(ctx, token, data)
    except (ValidationError, DomainError) as e:
        ctx.uow.rollback()
        message, status = _error(e, ctx.lang)
        keep = isinstance(e, ValidationError)
        return _questionnaire(request, token if keep else None, error=message, status_code=status, values=values)
    return _questionnaire(request, None, done=True)
