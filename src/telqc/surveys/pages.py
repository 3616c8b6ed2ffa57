"""The public, mobile-friendly survey page (token in the URL) and the managers' invitation list."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import HTMLResponse, Response
from pydantic import ValidationError

from telqc.api.deps import CtxDep, require
from telqc.core.errors import DomainError
from telqc.core.i18n import t
from telqc.core.rbac import Perm, Principal
from telqc.core.schemas import MAX_INT
from telqc.customers import service as customers
from telqc.surveys import campaign_pages, service
from telqc.surveys import schemas as s
from telqc.web.render import render, validation_text, viewer_of

router = APIRouter(include_in_schema=False)
NAV = [(Perm.surveys_manage, "/surveys", "ui.surveys"),
       (Perm.surveys_manage, "/surveys/campaigns", "ui.survey_campaigns")]


def _int(v: str | None) -> int | None:
    return int(v) if v not in (None, "") and str(v).lstrip("-").isdecimal() else None


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
        return render(request, "surveys/answer.html", status_code=422, error=validation_text(e, ctx.lang),
                      done=False, token=token)
    except DomainError as e:
        ctx.uow.rollback()
        return render(request, "surveys/answer.html", status_code=e.status, error=e.message(ctx.lang), done=False,
                      token=token)
    return render(request, "surveys/answer.html", done=True, error=None)


PAGE = 50
ROUTERS = [router, campaign_pages.router]  # the satisfaction campaigns' pages (`telqc.surveys.campaign_pages`)


@router.get("/surveys", response_class=HTMLResponse)
def invitations_page(request: Request, ctx: CtxDep, _: Annotated[Principal, require(Perm.surveys_manage)],
                     status: Annotated[str | None, Query(pattern="^(sent|answered|expired)?$")] = None,
                     offset: Annotated[int, Query(ge=0, le=MAX_INT)] = 0) -> Response:
    """Invitations with their answers, 50 a page, linked to the order and the customer they are about."""
    rows, total = service.page(ctx, status or None, offset, PAGE)
    viewer = viewer_of(request)
    viewer.know_people(inv.agent_id for inv, _ in rows)
    names = customers.names(ctx, {inv.customer_id for inv, _ in rows}) if ctx.principal and ctx.principal.can(
        Perm.customers_read) else {}
    return render(request, "surveys/list.html", rows=rows, total=total, offset=offset, page=PAGE,
                  status=status or "", customer_names=names, viewer=viewer)
