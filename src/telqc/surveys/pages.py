"""The public, mobile-friendly survey page (token in the URL) and the managers' invitation list."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, Response
from pydantic import ValidationError

from telqc.api.deps import CtxDep, require
from telqc.core.errors import DomainError
from telqc.core.i18n import t
from telqc.core.rbac import Perm, Principal
from telqc.surveys import schemas as s
from telqc.surveys import service
from telqc.web.render import render

router = APIRouter(include_in_schema=False)
NAV = [(Perm.surveys_manage, "/surveys", "ui.surveys")]


def _int(v: str | None) -> int | None:
    return int(v) if v not in (None, "") and str(v).lstrip("-").isdigit() else None


@router.get("/s/{token}", response_class=HTMLResponse)
def survey_page(request: Request, ctx: CtxDep, token: str) -> Response:
    try:
        inv = service.open_link(ctx, token)
    except DomainError as e:
        return render(request, "surveys/answer.html", status_code=e.status, error=e.message(ctx.lang), done=False)
    problem = service.answerable(ctx, inv)
    return render(request, "surveys/answer.html", status_code=409 if problem else 200,
                  error=t(problem, ctx.lang) if problem else None, done=False, token=token)


@router.post("/s/{token}", response_class=HTMLResponse)
def survey_submit(
    request: Request, ctx: CtxDep, token: str,
    csat: Annotated[str | None, Form()] = None, nps: Annotated[str | None, Form()] = None,
    resolved: Annotated[str | None, Form()] = None, comment: Annotated[str | None, Form()] = None,
) -> Response:
    try:
        data = s.AnswerIn(csat=_int(csat), nps=_int(nps), comment=comment or None,
                          resolved={"yes": True, "no": False}.get(resolved or ""))
        service.answer(ctx, token, data)
    except ValidationError as e:
        return render(request, "surveys/answer.html", status_code=422, error=str(e.errors()[0]["loc"][0]),
                      done=False, token=token)
    except DomainError as e:
        ctx.uow.rollback()
        return render(request, "surveys/answer.html", status_code=e.status, error=e.message(ctx.lang), done=False,
                      token=token)
    return render(request, "surveys/answer.html", done=True, error=None)


@router.get("/surveys", response_class=HTMLResponse)
def invitations_page(request: Request, ctx: CtxDep, _: Annotated[Principal, require(Perm.surveys_manage)],
                     status: str | None = None) -> Response:
    rows = service.invitations(ctx, status if status in ("sent", "answered", "expired") else None, 200)
    return render(request, "surveys/list.html", rows=rows)
