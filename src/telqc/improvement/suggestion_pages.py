"""The suggestions page (合理化建议): staff submit and follow their own; managers adopt or reject."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import HTMLResponse, Response

from telqc.api.deps import CtxDep, IdPath, require
from telqc.core.context import Ctx
from telqc.core.rbac import Perm, Principal
from telqc.core.schemas import MAX_INT
from telqc.improvement import schemas as s
from telqc.improvement import suggestions
from telqc.web.render import form_action, render

router = APIRouter(include_in_schema=False)
Suggest = Annotated[Principal, require(Perm.improvement_suggest)]
Manage = Annotated[Principal, require(Perm.improvement_manage)]


def _page(request: Request, ctx: Ctx, author: int | None = None, error: str | None = None,
          status_code: int = 200) -> Response:
    return render(request, "improvement/suggestions.html", status_code=status_code, error=error,
                  rows=suggestions.listing(ctx, author))


@router.get("/suggestions", response_class=HTMLResponse)
def page(request: Request, ctx: CtxDep, _: Suggest,
         author: Annotated[int | None, Query(ge=1, le=MAX_INT)] = None) -> Response:
    return _page(request, ctx, author)


@router.post("/suggestions")
def submit(request: Request, ctx: CtxDep, _: Suggest, title: Annotated[str, Form()],
           body: Annotated[str, Form()]) -> Response:
    return form_action(ctx, lambda: suggestions.submit(ctx, s.SuggestionIn.model_validate(
        {"title": title, "body": body})), lambda _r: "/suggestions",
        lambda m, st: _page(request, ctx, error=m, status_code=st))


@router.post("/suggestions/{suggestion_id}/decide")
def decide(request: Request, ctx: CtxDep, _: Manage, suggestion_id: IdPath, verdict: Annotated[str, Form()],
           decision: Annotated[str, Form()], plan_id: Annotated[str, Form()] = "") -> Response:
    return form_action(ctx, lambda: suggestions.decide(ctx, suggestion_id, s.SuggestionDecisionIn.model_validate(
        {"adopted": verdict == "adopted", "decision": decision, "plan_id": plan_id or None})),
        lambda _r: "/suggestions", lambda m, st: _page(request, ctx, error=m, status_code=st))
