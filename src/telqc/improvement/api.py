"""Improvement plan routes under /api/v1/improvement: the PDCA cycle, its actions and the effect measurement."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Query

from telqc.api.deps import CtxDep, require
from telqc.core.rbac import Perm, Principal
from telqc.core.schemas import MAX_INT
from telqc.improvement import schemas as s
from telqc.improvement import service, suggestions
from telqc.improvement.states import PlanState

router = APIRouter(prefix="/api/v1/improvement", tags=["improvement"])
Read = Annotated[Principal, require(Perm.improvement_read)]
Manage = Annotated[Principal, require(Perm.improvement_manage)]
Suggest = Annotated[Principal, require(Perm.improvement_suggest)]
PlanId = Annotated[int, Path(ge=1, le=MAX_INT)]
ActionId = Annotated[int, Path(ge=1, le=MAX_INT)]


@router.get("/plans", response_model=s.PlanPage)
def list_plans(ctx: CtxDep, _: Read, state: Annotated[list[PlanState] | None, Query()] = None,
               offset: Annotated[int, Query(ge=0, le=10**9)] = 0,
               limit: Annotated[int, Query(ge=1, le=200)] = 50) -> s.PlanPage:
    items, total = service.listing(ctx, [x.value for x in state] if state else None, offset, limit)
    return s.PlanPage(items=items, total=total, offset=offset, limit=limit)


@router.post("/plans", response_model=s.PlanOut, status_code=201)
def create_plan(ctx: CtxDep, _: Manage, body: s.PlanIn) -> s.PlanOut:
    return service.view(ctx, service.create(ctx, body))


@router.get("/plans/{plan_id}", response_model=s.PlanOut)
def get_plan(ctx: CtxDep, _: Read, plan_id: PlanId) -> s.PlanOut:
    return service.get(ctx, plan_id)


@router.get("/plans/{plan_id}/history")
def plan_history(ctx: CtxDep, _: Read, plan_id: PlanId) -> list[dict[str, Any]]:
    return service.history(ctx, plan_id)


@router.put("/plans/{plan_id}/analysis", response_model=s.PlanOut)
def analyse(ctx: CtxDep, _: Manage, plan_id: PlanId, body: s.AnalysisIn) -> s.PlanOut:
    return service.view(ctx, service.analyse(ctx, plan_id, body))


@router.post("/plans/{plan_id}/actions", response_model=s.ActionOut, status_code=201)
def add_action(ctx: CtxDep, _: Manage, plan_id: PlanId, body: s.ActionIn) -> s.ActionOut:
    return s.ActionOut.model_validate(service.add_action(ctx, plan_id, body))


@router.post("/actions/{action_id}/done", response_model=s.ActionOut)
def action_done(ctx: CtxDep, _: Manage, action_id: ActionId, body: s.ActionDoneIn) -> s.ActionOut:
    return s.ActionOut.model_validate(service.complete_action(ctx, action_id, body))


@router.post("/actions/{action_id}/cancel", response_model=s.ActionOut)
def action_cancel(ctx: CtxDep, _: Manage, action_id: ActionId, body: s.ActionDoneIn) -> s.ActionOut:
    return s.ActionOut.model_validate(service.complete_action(ctx, action_id, body, cancel=True))


@router.post("/plans/{plan_id}/transition", response_model=s.PlanOut)
def transition(ctx: CtxDep, _: Manage, plan_id: PlanId, body: s.TransitionIn) -> s.PlanOut:
    return service.view(ctx, service.transition(ctx, plan_id, body))


@router.post("/plans/{plan_id}/measure", response_model=s.PlanOut)
def measure(ctx: CtxDep, _: Manage, plan_id: PlanId, body: s.MeasureIn) -> s.PlanOut:
    """The KPI after the measures against the baseline: difference in differences with the comparison scope,
    else a two-proportion test (rates with known counts) or Mann–Whitney on daily values."""
    return service.view(ctx, service.measure(ctx, plan_id, body))


@router.post("/plans/{plan_id}/next", response_model=s.PlanOut, status_code=201)
def next_cycle(ctx: CtxDep, _: Manage, plan_id: PlanId, body: s.NextCycleIn) -> s.PlanOut:
    """Roll a standardised plan out to another scope, or start the next cycle of one being adjusted."""
    return service.view(ctx, service.next_cycle(ctx, plan_id, body))


@router.get("/suggestions", response_model=list[s.SuggestionOut])
def list_suggestions(ctx: CtxDep, _: Suggest) -> list[s.SuggestionOut]:
    """A manager's province's suggestions; anyone else's own."""
    return suggestions.listing(ctx)


@router.post("/suggestions", response_model=s.SuggestionOut, status_code=201)
def submit_suggestion(ctx: CtxDep, _: Suggest, body: s.SuggestionIn) -> s.SuggestionOut:
    return s.SuggestionOut.model_validate(suggestions.submit(ctx, body))


@router.post("/suggestions/{suggestion_id}/decide", response_model=s.SuggestionOut)
def decide_suggestion(ctx: CtxDep, _: Manage, suggestion_id: Annotated[int, Path(ge=1, le=MAX_INT)],
                      body: s.SuggestionDecisionIn) -> s.SuggestionOut:
    """Adopt (optionally into a plan) or reject; adopted ones count in the author's evaluation."""
    return s.SuggestionOut.model_validate(suggestions.decide(ctx, suggestion_id, body))
