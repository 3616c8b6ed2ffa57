"""Knowledge pages: the agent's search-and-suggest panel, also embedded in the order page."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, Response

from telqc.api.deps import CtxDep, require
from telqc.core.rbac import Perm, Principal
from telqc.knowledge import searcher, solutions
from telqc.knowledge.schemas import RecommendIn
from telqc.web.render import render

router = APIRouter(include_in_schema=False)
NAV = [(Perm.kb_read, "/kb", "ui.kb")]


@router.get("/kb", response_class=HTMLResponse)
def kb_page(request: Request, _: Annotated[Principal, require(Perm.kb_read)]) -> Response:
    return render(request, "knowledge/kb.html")


@router.get("/kb/panel", response_class=HTMLResponse)
def kb_panel(
    request: Request, ctx: CtxDep, _: Annotated[Principal, require(Perm.kb_read)],
    q: Annotated[str, Query(max_length=4000)] = "", category: str | None = None,
    description: Annotated[str, Query(max_length=4000)] = "",
) -> Response:
    """Suggestions for what the agent has typed so far: matching articles and the best-known fixes.

    The new-order form sends its field as it is named (``description``); the order page's box sends ``q``."""
    text = (q or description).strip()
    if len(text) < 2:
        return render(request, "knowledge/panel.html", articles=[], solutions=[], suggestion=None, q=text)
    found = searcher.search(ctx, text, category=category or None, limit=5)
    fixes = solutions.suggest(ctx, RecommendIn(description=text, category=category or None)).solutions
    return render(request, "knowledge/panel.html", articles=found.hits, solutions=fixes,
                  suggestion=found.suggestion, q=text)
