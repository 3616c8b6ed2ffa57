"""营业厅检查与暗访 pages: visits in the viewer's regions with store and visitor names, the average by store as a
chart, the form that records a visit on the visit card (items in Chinese), and a new-store form for managers.
Forms call the same service as the API (`telqc.inspection.store_visits`)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import ValidationError
from starlette.concurrency import run_in_threadpool

from telqc.api.deps import CtxDep, require
from telqc.core import repository as core_repo
from telqc.core.context import Ctx
from telqc.core.errors import DomainError, Invalid
from telqc.core.rbac import Perm, Principal
from telqc.inspection import schemas as s
from telqc.inspection import store_visits
from telqc.web.render import form_action, form_error, render, viewer_of

router = APIRouter(include_in_schema=False)
View = Annotated[Principal, require(Perm.inspection_view)]
KINDS = ("store_inspection", "mystery_shopper")


def _page(request: Request, ctx: Ctx, principal: Principal, error: str | None = None, status_code: int = 200,
          form: dict[str, Any] | None = None) -> Response:
    stores = store_visits.stores(ctx)
    rows = store_visits.visits(ctx, limit=100)
    names = {x.id: x.name for x in stores}
    summary = store_visits.summary(ctx)
    chart = {"stores": [x.name for x in summary.by_store], "averages": [x.average for x in summary.by_store]}
    return render(request, "inspection/store_visits.html", status_code=status_code, error=error, stores=stores,
                  visits=rows, store_names=names, card=store_visits.CARD, kinds=KINDS, summary=summary,
                  chart=chart, people=core_repo.display_names(ctx.session, [v.visitor_id for v in rows]),
                  form=form or {}, may_score=principal.can(Perm.inspection_score),
                  may_admin=principal.can(Perm.inspection_admin))


@router.get("/qa/store-visits", response_class=HTMLResponse)
def visits_page(request: Request, ctx: CtxDep, principal: View) -> Response:
    return _page(request, ctx, principal)


def _visit_in(request: Request, form: dict[str, Any]) -> s.VisitIn:
    raw = str(form.get("visited_at") or "").strip()
    try:
        at = datetime.fromisoformat(raw)
    except ValueError:
        raise Invalid("qa.sv.future", field="body.visited_at") from None
    if at.tzinfo is None:
        at = at.replace(tzinfo=viewer_of(request).tz)
    items = {it.code: {"score": form.get(f"score_{it.code}") or None, "finding": form.get(f"finding_{it.code}", ""),
                       "fatal": form.get(f"fatal_{it.code}") == "1"}
             for it in store_visits.CARD if form.get(f"score_{it.code}") not in (None, "")}
    return s.VisitIn.model_validate({"store_id": form.get("store_id") or 0, "kind": form.get("kind"),
                                     "visited_at": at, "items": items})


@router.post("/qa/store-visits", response_class=HTMLResponse)
async def record_visit(request: Request, ctx: CtxDep,
                       principal: Annotated[Principal, require(Perm.inspection_score)]) -> Response:
    form = {k: str(v) for k, v in (await request.form()).items()}

    def work() -> Response:
        try:
            store_visits.record(ctx, _visit_in(request, form))
        except (ValidationError, DomainError) as e:
            if isinstance(e, DomainError) and e.status == 404:
                raise
            ctx.uow.rollback()
            return _page(request, ctx, principal, *form_error(e, ctx.lang), form)
        return RedirectResponse("/qa/store-visits#visits", status_code=303)

    return await run_in_threadpool(work)


@router.post("/qa/stores")
def create_store(request: Request, ctx: CtxDep, principal: Annotated[Principal, require(Perm.inspection_admin)],
                 name: Annotated[str, Form()], province_code: Annotated[str, Form()],
                 city_code: Annotated[str, Form()]) -> Response:
    data = {"name": name, "province_code": province_code, "city_code": city_code}
    return form_action(ctx, lambda: store_visits.create_store(ctx, s.StoreIn.model_validate(data)),
                       lambda _: "/qa/store-visits#stores", lambda m, st: _page(request, ctx, principal, m, st))
