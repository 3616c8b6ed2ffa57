"""Quality-inspection pages: inspector workbench, supervisor live alerts, the agent's own results.

Forms post back to the page that showed them and call the same services as the API; a
refused form re-renders with the message instead of losing what was typed.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import ValidationError
from starlette.concurrency import run_in_threadpool

from telqc.api.deps import CtxDep, IdPath, require
from telqc.core.context import Ctx
from telqc.core.errors import DomainError
from telqc.core.rbac import Perm, Principal
from telqc.inspection import appeals, sampling_pages, scoring, store_visit_pages
from telqc.inspection import repository as repo
from telqc.inspection import schemas as s
from telqc.inspection.carddef import Mode
from telqc.web.render import form_error, render

router = APIRouter(include_in_schema=False)
ROUTERS = [router, sampling_pages.router, store_visit_pages.router]  # 抽检计划, 营业厅检查与暗访

NAV = [
    (Perm.inspection_view, "/qa/workbench", "ui.qa_workbench"),
    (Perm.alerts_live, "/qa/live", "ui.qa_live"),
    (Perm.inspection_mine, "/qa/my", "ui.qa_mine"),
]

Score = Annotated[Principal, require(Perm.inspection_score)]
Mine = Annotated[Principal, require(Perm.inspection_mine)]


def highlight(text: str, spans: list[tuple[int, int, str]]) -> list[tuple[str, str | None]]:
    """Split a turn's text into (piece, rule id or None) so the template marks every hit span."""
    out: list[tuple[str, str | None]] = []
    pos = 0
    for start, end, rule in sorted(spans):
        if start < pos or end <= start:
            continue
        if start > pos:
            out.append((text[pos:start], None))
        out.append((text[start:end], rule))
        pos = end
    if pos < len(text):
        out.append((text[pos:], None))
    return out


def _inspection_view(ctx: Ctx, inspection_id: int) -> dict[str, Any]:
    d = scoring.detail(ctx, inspection_id)
    spans: dict[int, list[tuple[int, int, str]]] = {}
    flagged: dict[int, list[str]] = {}
    for h in d["hits"]:
        if h.turn_index is None:
            continue
        if h.span_end > h.span_start:
            spans.setdefault(h.turn_index, []).append((h.span_start, h.span_end, h.rule_id))
        else:
            flagged.setdefault(h.turn_index, []).append(h.rule_id)
    d["pieces"] = [highlight(str(t["text"]), spans.get(i, [])) for i, t in enumerate(d["turns"])]
    d["flagged"] = flagged
    d["item_names"] = {it.code: it.name for it in d["card"].items}  # hits and comments name the item, not its code
    d["Mode"] = Mode
    return d


@router.get("/qa/workbench", response_class=HTMLResponse)
def workbench(request: Request, ctx: CtxDep, p: Annotated[Principal, require(Perm.inspection_view)]) -> Response:
    """The inspector's queue and the appeals to rule; a supervisor sees the open appeals read-only."""
    queue = repo.queue(ctx.session, p.user_id) if p.can(Perm.inspection_score) else []
    open_appeals = appeals.to_rule(ctx)
    names = repo.users(ctx.session, [*(i.agent_id for i in queue if i.agent_id), *(a.agent_id for a in open_appeals)])
    return render(request, "inspection/workbench.html", queue=queue, appeals=open_appeals,
                  names={i: u.display_name for i, u in names.items()}, may_score=p.can(Perm.inspection_score))


@router.get("/qa/inspections/{inspection_id}", response_class=HTMLResponse)
def inspection_page(request: Request, ctx: CtxDep, inspection_id: IdPath, _: Score) -> Response:
    return render(request, "inspection/inspect.html", error=None, **_inspection_view(ctx, inspection_id))


def _items_from(form: Any) -> dict[str, float]:
    out = {}
    for key, value in form.multi_items():
        if key.startswith("item:") and str(value).strip() != "":
            try:
                out[key[5:]] = float(value)
            except ValueError:
                out[key[5:]] = -1.0  # refused by the service with the item's name
    return out


def _comments_from(form: Any) -> list[dict[str, Any]]:
    text = str(form.get("comment") or "").strip()
    if not text:
        return []
    at = str(form.get("comment_at") or "0").strip()
    seconds = float(at) if at.replace(".", "", 1).isdecimal() else 0.0
    return [{"at_ms": int(seconds * 1000), "text": text, "item": form.get("comment_item") or None}]


@router.post("/qa/inspections/{inspection_id}/score", response_class=HTMLResponse)
async def score_submit(request: Request, ctx: CtxDep, inspection_id: IdPath, _: Score) -> Response:
    form = await request.form()

    def work() -> Response:
        try:
            data = s.ScoreIn.model_validate({"items": _items_from(form), "comments": _comments_from(form)})
            scoring.score(ctx, inspection_id, data)
        except (DomainError, ValueError) as e:
            ctx.uow.rollback()
            msg = form_error(e, ctx.lang)[0] if isinstance(e, DomainError | ValidationError) else str(e)
            return render(request, "inspection/inspect.html", status_code=422, error=msg,
                          **_inspection_view(ctx, inspection_id))
        return RedirectResponse("/qa/workbench", status_code=303)

    return await run_in_threadpool(work)


@router.post("/qa/appeals/{appeal_id}/ruling", response_class=HTMLResponse)
async def ruling_submit(request: Request, ctx: CtxDep, appeal_id: IdPath, _: Score) -> Response:
    form = await request.form()

    def work() -> Response:
        appeal = appeals.get(ctx, appeal_id)
        try:
            decision = str(form.get("decision") or "")
            items = _items_from(form) if decision == "overturned" else None
            data = s.RulingIn.model_validate({"decision": decision, "ruling": str(form.get("ruling") or ""),
                                              "items": items})
            appeals.rule(ctx, appeal_id, data)
        except (DomainError, ValueError) as e:
            ctx.uow.rollback()
            msg = form_error(e, ctx.lang)[0] if isinstance(e, DomainError | ValidationError) else str(e)
            return render(request, "inspection/inspect.html", status_code=422, error=msg,
                          **_inspection_view(ctx, appeal.inspection_id))
        return RedirectResponse("/qa/workbench", status_code=303)

    return await run_in_threadpool(work)


@router.get("/qa/live", response_class=HTMLResponse)
def live_page(request: Request, _: Annotated[Principal, require(Perm.alerts_live)]) -> Response:
    return render(request, "inspection/live.html")


def _mine(ctx: Ctx, p: Principal) -> list[tuple[Any, Any]]:
    rows = repo.for_agent(ctx.session, p, p.user_id)
    return [(appeals.present(ctx, r), repo.appeal_of(ctx.session, r.id)) for r in rows]


@router.get("/qa/my", response_class=HTMLResponse)
def my_page(request: Request, ctx: CtxDep, p: Mine) -> Response:
    return render(request, "inspection/my.html", rows=_mine(ctx, p), error=None, now=ctx.now())


@router.post("/qa/my/{inspection_id}/appeal", response_class=HTMLResponse)
async def appeal_submit(request: Request, ctx: CtxDep, inspection_id: IdPath, p: Mine) -> Response:
    form = await request.form()

    def work() -> Response:
        try:
            appeals.file(ctx, inspection_id, s.AppealIn(reason=str(form.get("reason") or "")))
        except (DomainError, ValueError) as e:
            ctx.uow.rollback()
            msg = form_error(e, ctx.lang)[0] if isinstance(e, DomainError | ValidationError) else str(e)
            return render(request, "inspection/my.html", status_code=422, rows=_mine(ctx, p), error=msg,
                          now=ctx.now())
        return RedirectResponse("/qa/my", status_code=303)

    return await run_in_threadpool(work)
