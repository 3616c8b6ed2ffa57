"""Field-engineer and network-operations pages: my dispatches, one visit (progress and completion), the
repair block of the order page, and the complaint-driven network problems.

They call the services the API calls (`repairs`, `complaints`) and post/redirect/get like the order pages;
a refused form re-renders the page with the reason."""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated, Any
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import ValidationError

from telqc.api.deps import CtxDep, IdPath, require
from telqc.core import repository as core_repo
from telqc.core.context import Ctx
from telqc.core.errors import DomainError, NotFound
from telqc.core.rbac import Perm, Principal
from telqc.orders import complaints, repairs
from telqc.orders import repository as repo
from telqc.orders import schemas as s
from telqc.orders.models import Order
from telqc.web.render import render, validation_text

router = APIRouter(include_in_schema=False)
NAV = [(Perm.repair_work, "/repairs", "ui.repairs"), (Perm.network_work, "/network-problems", "ui.network_problems")]
Engineer = Annotated[Principal, require(Perm.repair_work)]
Netops = Annotated[Principal, require(Perm.network_work)]
_TZ = ZoneInfo("Asia/Shanghai")
ENGINEER_STEPS = ("accepted", "on_the_way", "on_site", "parts_needed", "not_fixed", "fixed")
NETWORK_STEPS = ("investigating", "fixing", "fixed", "not_reproducible")
_NP_STATUS = "^(open|investigating|fixing|fixed|not_reproducible)$"


def repair_view(ctx: Ctx, o: Order) -> dict[str, Any] | None:
    """The repair block of the order page: the visit, its engineer by name, and whom a dispatch may pick."""
    d = repairs.detail(ctx, o.id)
    if d is None:
        return None
    p = ctx.principal
    may_dispatch = p is not None and p.can(Perm.orders_assign) and o.status not in (
        "resolved", "callback", "closed", "cancelled")
    engineers = [(u.id, u.display_name) for u in repo.engineers(ctx.session, o.province_code)] if may_dispatch else []
    names = core_repo.display_names(ctx.session, [d.engineer_id])
    return {"d": d, "engineer": names.get(d.engineer_id or 0), "may_dispatch": may_dispatch, "engineers": engineers}


def _jobs(ctx: Ctx, day: str | None) -> list[tuple[Order, Any]]:
    jobs = repairs.my_jobs(ctx)
    if day != "today":
        return jobs
    start = ctx.now().astimezone(_TZ).replace(hour=0, minute=0, second=0, microsecond=0)
    end = start + timedelta(days=1)
    return [(o, d) for o, d in jobs if d.appointment_start and start <= d.appointment_start.astimezone(_TZ) < end]


@router.get("/repairs", response_class=HTMLResponse)
def my_repairs(request: Request, ctx: CtxDep, _: Engineer,
               day: Annotated[str | None, Query(pattern="^today$")] = None) -> Response:
    jobs = _jobs(ctx, day)
    regions = core_repo.region_names(ctx.session, [o.district_code for o, _ in jobs])
    return render(request, "orders/repairs.html", jobs=jobs, day=day, regions=regions)


def _repair_page(request: Request, ctx: Ctx, order_id: int, error: str | None = None,
                 status_code: int = 200) -> Response:
    job = next(((o, d) for o, d in repairs.my_jobs(ctx, open_only=False) if o.id == order_id), None)
    if job is None:
        raise NotFound(what="w.order")
    o, d = job
    updates = repo.repair_updates(ctx.session, o.id)
    return render(request, "orders/repair.html", o=o, d=d, updates=updates, steps=ENGINEER_STEPS, error=error,
                  status_code=status_code)


@router.get("/repairs/{order_id}", response_class=HTMLResponse)
def repair_page(request: Request, ctx: CtxDep, order_id: IdPath, _: Engineer) -> Response:
    return _repair_page(request, ctx, order_id)


@router.post("/repairs/{order_id}/updates")
def repair_update(request: Request, ctx: CtxDep, order_id: IdPath, _: Engineer, status: Annotated[str, Form()],
                  note: Annotated[str, Form()] = "") -> Response:
    try:
        repairs.engineer_update(ctx, order_id, s.EngineerUpdateIn.model_validate(
            {"status": status, "note": note.strip() or None}))
    except ValidationError as e:
        ctx.uow.rollback()
        return _repair_page(request, ctx, order_id, validation_text(e, ctx.lang), 422)
    except DomainError as e:
        ctx.uow.rollback()
        if e.status == 404:
            raise
        return _repair_page(request, ctx, order_id, e.message(ctx.lang), e.status)
    return RedirectResponse(f"/repairs/{order_id}", status_code=303)


@router.get("/network-problems", response_class=HTMLResponse)
def network_problems(request: Request, ctx: CtxDep, _: Netops,
                     status: Annotated[str | None, Query(pattern=_NP_STATUS)] = None) -> Response:
    problems = complaints.network_problems(ctx, status=status, limit=200)
    regions = core_repo.region_names(ctx.session, [x.province_code for x in problems] +
                                     [x.district_code for x in problems])
    people = core_repo.display_names(ctx.session, [x.assignee_id for x in problems])
    return render(request, "orders/network.html", problems=problems, status=status, regions=regions,
                  people=people, steps=NETWORK_STEPS, statuses=("open", *NETWORK_STEPS))


@router.post("/network-problems/{problem_id}/updates")
def network_update(request: Request, ctx: CtxDep, problem_id: IdPath, _: Netops, status: Annotated[str, Form()],
                   note: Annotated[str, Form()] = "") -> Response:
    try:
        complaints.update_network(ctx, problem_id, s.NetworkUpdateIn.model_validate(
            {"status": status, "note": note.strip() or None}))
    except ValidationError as e:
        ctx.uow.rollback()
        return _network_error(request, ctx, validation_text(e, ctx.lang), 422)
    except DomainError as e:
        ctx.uow.rollback()
        if e.status == 404:
            raise
        return _network_error(request, ctx, e.message(ctx.lang), e.status)
    return RedirectResponse("/network-problems", status_code=303)


def _network_error(request: Request, ctx: Ctx, error: str, status_code: int) -> Response:
    problems = complaints.network_problems(ctx, limit=200)
    regions = core_repo.region_names(ctx.session, [x.province_code for x in problems] +
                                     [x.district_code for x in problems])
    people = core_repo.display_names(ctx.session, [x.assignee_id for x in problems])
    return render(request, "orders/network.html", problems=problems, status=None, regions=regions, people=people,
                  steps=NETWORK_STEPS, statuses=("open", *NETWORK_STEPS), error=error, status_code=status_code)
