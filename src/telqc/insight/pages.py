"""The insight board (managers and supervisors) and an agent's retention tasks.

The board's charts get their data from a JSON block read by /static/insight.js (no inline script: CSP).
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy import func, select

from telqc.api.deps import CtxDep, IdPath, require
from telqc.core.context import Ctx
from telqc.core.errors import DomainError
from telqc.core.i18n import t
from telqc.core.rbac import Perm, Principal
from telqc.customers.read import CUSTOMERS
from telqc.insight import campaigns, offers, retention
from telqc.web.render import render

router = APIRouter(include_in_schema=False)
NAV = [(Perm.insight_read, "/insight", "ui.insight"), (Perm.insight_tasks, "/insight/tasks", "ui.insight_tasks")]
Read = Annotated[Principal, require(Perm.insight_read)]
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
    return render(request, "insight/board.html", chart=chart, views=views, conversion=conv, tiers=TIERS,
                  stages=STAGES, channels=CHANNELS, outcomes=OUTCOMES, tier_counts=tiers, stage_counts=stages)


def _tasks(request: Request, ctx: Ctx, error: str | None = None, status_code: int = 200) -> Response:
    return render(request, "insight/tasks.html", status_code=status_code, error=error,
                  tasks=campaigns.my_tasks(ctx), stages=STAGES, actions=ACTIONS, outcomes=OUTCOMES)


@router.get("/insight/tasks", response_class=HTMLResponse)
def my_tasks(request: Request, ctx: CtxDep, _: Tasks) -> Response:
    return _tasks(request, ctx)


@router.post("/insight/tasks/{task_id}/outcome")
def record_outcome(request: Request, ctx: CtxDep, _: Tasks, task_id: IdPath, outcome: Annotated[str, Form()],
                   note: Annotated[str, Form(max_length=500)] = "") -> Response:
    try:
        campaigns.record_outcome(ctx, task_id, outcome, note.strip() or None)
    except DomainError as e:
        ctx.uow.rollback()
        if e.status == 404:
            raise
        return _tasks(request, ctx, e.message(ctx.lang), e.status)
    return RedirectResponse("/insight/tasks", status_code=303)
