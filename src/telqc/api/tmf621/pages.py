"""The hub's admin page: dead letters, read-only (a replay is ``POST …/hub/deadLetters/{id}/replay``)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, Response

from telqc.api.deps import CtxDep, require
from telqc.api.tmf621 import hub
from telqc.core.rbac import Perm, Principal
from telqc.core.schemas import MAX_INT
from telqc.web.render import render

router = APIRouter(include_in_schema=False)
NAV = [(Perm.hub_admin, "/admin/hub/dead-letters", "ui.hub_dead_letters")]


@router.get("/admin/hub/dead-letters", response_class=HTMLResponse)
def dead_letters_page(request: Request, ctx: CtxDep, _: Annotated[Principal, require(Perm.hub_admin)],
                      offset: Annotated[int, Query(ge=0, le=MAX_INT)] = 0) -> Response:
    rows, total = hub.dead_letters(ctx, offset, 100)
    return render(request, "tmf621/dead_letters.html", rows=rows, total=total)
