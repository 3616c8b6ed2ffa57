"""The insight board (managers and supervisors) and an agent's retention tasks.

The board's charts get their data from a JSON block read by /static/insight.js (no inline script: CSP).
"""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Form, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import ValidationError
from sqlalchemy import func, select

from telqc.api.deps import CtxDep, IdPath, require
from telqc.core.context import Ctx
from telqc.core.errors import DomainError
from telqc.core.i18n import t, validation_message
from telqc.core.rbac import Perm, Principal
from telqc.customers.read import CUSTOMERS
from telqc.insight import campaigns, offers, retention, uplift
from telqc.insight import schemas as sch
from telqc.insight import scores as churn_scores
from telqc.web.render import render, validation_text

router = APIRouter(include_in_schema=False)
NAV = [(Perm.insight_read, "/insight", "ui.insight"), (Perm.insight_tasks, "/insight/tasks", "ui.insight_tasks")]
Read = Annotated[Principal, require(Perm.insight_read)]
Manage = Annotated[Principal, require(Perm.insight_manage)]
Tasks = Annotated[Principal, require(Perm.insight_tasks)]

TIERS = {k: t(f"tier.{k}") for k in ("vip", "gold", "silver", "regular")}
STAGES = {k: t(f"lifecycle.{k}") for k in ("new", "in_contract", "growing", "mature", "contract_expiring",
                                           "churn_risk", "lapsed")}
ACTIONS = retention.ACTION_LABELS
OUTCOMES = {"open": "待处理", "contacted": "已联系", "accepted": "接受优惠", "declined": "拒绝",
            "unreachable": "无法联系"}
CHANNELS = {"agent": "坐席推荐", "self_service": "自助渠道", "retention": "挽留活动"}


def _distribution(ctx: Ctx, col: str) -> dict[str, int]:
    c = CUSTOMERS.c[col]
    q = select(c, func.count()).group_by(c)
    scope = ctx.principal.region_scope if ctx.principal else None
    if scope is not None:
        q = q.where(CUSTOMERS.c.province_code.in_(scope))
    return {k: int(n) for k, n in ctx.session.execute(q)}


@router.get("/insight", response_class=HTMLResponse)
def board(request: Request, ctx: CtxDep, _: Read) -> Response:
    return _board(request, ctx)


def _board(request: Request, ctx: Ctx, error: str | None = None, status_code: int = 200, name: str = "") -> Response:
    tiers, stages = _distribution(ctx, "tier"), _distribution(ctx, "lifecycle")
    views = campaigns.campaigns(ctx)
    conv = offers.conversion(ctx)
    chart = {
        "tiers": {"labels": [TIERS[k] for k in TIERS], "values": [tiers.get(k, 0) for k in TIERS]},
        "stages": {"labels": [STAGES[k] for k in STAGES], "values": [stages.get(k, 0) for k in STAGES]},
        "uplift": {"labels": [v.campaign.name for v in views if v.effect],
                   "treated": [round(v.effect.treated_rate * 100, 1) for v in views if v.effect],
                   "control": [round(v.effect.control_rate * 100, 1) for v in views if v.effect]},
    }
    return render(request, "insight/board.html", status_code=status_code, chart=chart, views=views,
                  conversion=conv, tiers=TIERS, stages=STAGES, channels=CHANNELS, outcomes=OUTCOMES,
                  tier_counts=tiers, stage_counts=stages, error=error, campaign_name=name,
                  saved_months=uplift.SAVED_MONTHS, scored=churn_scores.summary(ctx))


@router.post("/insight/campaigns")
def run_campaign(request: Request, ctx: CtxDep, _: Manage, name: Annotated[str, Form()] = "") -> Response:
    """The board's form: the same draw as `telqc insight campaign run` (and the weekly job), with the stored
    churn scores; a name that is empty, too long or against the text policy (`CampaignIn`, as the API) is
    answered 422 naming the field, nothing drawn."""
    try:
        body = sch.CampaignIn.model_validate({"name": name})
    except ValidationError as e:
        msg = f"{t('insight.field.campaign_name', ctx.lang)}（name）：" + validation_message(e.errors()[0], ctx.lang)
        return _board(request, ctx, msg, 422, name)
    c = campaigns.run(ctx, body.name)
    return RedirectResponse(f"/insight#campaign-{c.id}", status_code=303)


@router.post("/insight/campaigns/{campaign_id}/measure")
def measure_campaign(ctx: CtxDep, _: Manage, campaign_id: IdPath) -> Response:
    c = campaigns.measure(ctx, campaign_id)
    return RedirectResponse(f"/insight#campaign-{c.id}", status_code=303)


def _tasks(request: Request, ctx: Ctx, error: str | None = None, status_code: int = 200) -> Response:
    return render(request, "insight/tasks.html", status_code=status_code, error=error,
                  tasks=campaigns.my_tasks(ctx), stages=STAGES, actions=ACTIONS, outcomes=OUTCOMES)


def _back(next_: str, fallback: str) -> str:
    """Only a path of this site (the customer 360 page the form was on)."""
    return next_ if next_.startswith("/") and not next_.startswith("//") else fallback


@router.get("/insight/tasks", response_class=HTMLResponse)
def my_tasks(request: Request, ctx: CtxDep, _: Tasks) -> Response:
    return _tasks(request, ctx)


@router.post("/insight/tasks/{task_id}/outcome")
def record_outcome(request: Request, ctx: CtxDep, _: Tasks, task_id: IdPath, outcome: Annotated[str, Form()],
                   note: Annotated[str, Form(max_length=500)] = "",
                   next: Annotated[str, Form(max_length=200)] = "") -> Response:
    try:  # `OutcomeIn`, as the API: the note under the text policy before the service stores it
        body = sch.OutcomeIn.model_validate({"outcome": outcome, "note": note.strip() or None})
        campaigns.record_outcome(ctx, task_id, body.outcome, body.note)
    except ValidationError as e:
        return _tasks(request, ctx, validation_text(e, ctx.lang), 422)
    except DomainError as e:
        ctx.uow.rollback()
        if e.status == 404:
            raise
        return _tasks(request, ctx, e.message(ctx.lang), e.status)
    return RedirectResponse(_back(next, "/insight/tasks"), status_code=303)


@router.post("/insight/customers/{customer_id}/offer")
def decide_recommendation(ctx: CtxDep, _: Tasks, customer_id: IdPath,
                          decision: Annotated[Literal["accepted", "declined"], Form()],
                          plan_code: Annotated[str, Form(min_length=1, max_length=20)]) -> Response:
    """The customer's answer to the plan the agent recommended on the 360 page: recorded as an agent offer and
    its decision (both audited), so it counts in the conversion KPI by channel and segment. The plan code goes
    through `OfferIn` (the text policy, as the API) before the service stores it: a 422 naming the field."""
    try:
        body = sch.OfferIn.model_validate({"customer_id": customer_id, "channel": "agent", "plan_code": plan_code})
    except ValidationError as e:
        raise RequestValidationError([{**err, "loc": ("body", *err["loc"])} for err in e.errors()]) from e
    o = offers.shown(ctx, body.customer_id, body.channel, body.plan_code)
    offers.decide(ctx, o.id, decision == "accepted")
    return RedirectResponse(f"/customers/{customer_id}?offer={decision}#plan-recommendation", status_code=303)
