"""Work-order routes under /api/v1: orders, repairs for engineers, network problems for netops, and
/me/orders for customers.  Writes that change an order return its ETag and honour If-Match (412 if stale);
they answer the full order detail, or only the order with ``Prefer: return=minimal``; an illegal
transition answers 409 with the `allowed` next states.  Categories, business calendars and SLA policies are
configured here too (orders:admin); PUT answers 201 when it created the calendar or policy."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Header, Path, Query, Request, Response

from telqc.api.deps import CtxDep, IdPath, IdQuery, OffsetQuery, if_match_version, require, run_and_commit, set_etag
from telqc.core.rbac import Perm, Principal
from telqc.core.schemas import Moment
from telqc.orders import (
    commitments,
    complaints,
    config,
    config_admin,
    escalations,
    repairs,
    selfservice,
    service,
    timeline,
)
from telqc.orders import repository as repo
from telqc.orders import schemas as s

router = APIRouter(prefix="/api/v1", tags=["orders"])

Read = Annotated[Principal, require(Perm.orders_read)]
Write = Annotated[Principal, require(Perm.orders_write)]
Admin = Annotated[Principal, require(Perm.orders_admin)]
IfMatch = Annotated[str | None, Header()]


def _etag(response: Response, version: int) -> None:
    set_etag(response, version)


_if_match = if_match_version


Prefer = Annotated[str | None, Header(description="`return=minimal` (RFC 7240): answer the order without "
                                                    "timeline, callbacks and links (OrderOut)")]


def _minimal(prefer: str | None) -> bool:
    return prefer is not None and any(p.strip().replace(" ", "").lower() == "return=minimal"
                                      for p in prefer.replace(";", ",").split(","))


def _detail(ctx: CtxDep, o: Any, status_code: int = 200, prefer: str | None = None) -> Response:
    """The order as JSON with its ETag: the full OrderDetail, or with ``Prefer: return=minimal`` the order's
    own fields (what an integration firing updates needs, without re-reading the timeline).

    Serialized here because FastAPI would validate the returned model against `response_model` once more
    (in one more worker-thread hop); the declared model still documents the full answer."""
    minimal = _minimal(prefer)
    body = timeline.to_out(ctx, [o])[0] if minimal else timeline.detail(ctx, o)
    out = Response(body.model_dump_json(), status_code=status_code, media_type="application/json")
    if minimal:
        out.headers["Preference-Applied"] = "return=minimal"
    _etag(out, o.version)
    return out


@router.get("/orders", response_model=s.OrderPage)
def list_orders(
    ctx: CtxDep, _: Read,
    type: Annotated[str | None, Query(pattern="^(consultation|business|repair|complaint)$")] = None,
    status: Annotated[list[str] | None, Query()] = None,
    priority: Annotated[str | None, Query(pattern="^P[1-4]$")] = None,
    category: Annotated[str | None, Query(max_length=40)] = None,
    customer_id: IdQuery = None, handler_id: IdQuery = None, owner_id: IdQuery = None,
    province_code: Annotated[str | None, Query(max_length=12)] = None,
    sla_status: Annotated[str | None, Query(pattern="^(ok|warning|breached)$")] = None,
    open_only: bool = False, created_from: Moment | None = None, created_to: Moment | None = None,
    offset: OffsetQuery = 0, limit: Annotated[int, Query(ge=1, le=200)] = 50,
) -> s.OrderPage:
    f = repo.OrderFilter(type=type, status=status, priority=priority, category=category, customer_id=customer_id,
                         handler_id=handler_id, owner_id=owner_id, province_code=province_code,
                         sla_status=sla_status, open_only=open_only, created_from=created_from,
                         created_to=created_to)
    rows, total = service.search(ctx, f, offset, limit)
    return s.OrderPage(items=timeline.to_out(ctx, rows), total=total, offset=offset, limit=limit)


# The four routes every order's life goes through are `async` and run their work and the commit in one worker
# thread (`run_and_commit`); the others are plain `def` routes, committed by `CtxDep` when they return.

@router.post("/orders", response_model=s.OrderDetail, status_code=201)
async def create_order(request: Request, ctx: CtxDep, body: s.OrderCreate, _: Write,
                       prefer: Prefer = None) -> Response:
    return await run_and_commit(request, ctx, lambda: _detail(ctx, service.create(ctx, body), 201, prefer))


@router.get("/orders/{order_id}", response_model=s.OrderDetail)
async def get_order(request: Request, ctx: CtxDep, order_id: IdPath, _: Read) -> Response:
    return await run_and_commit(request, ctx, lambda: _detail(ctx, service.get(ctx, order_id)))


@router.post("/orders/{order_id}/assign", response_model=s.OrderDetail)
async def assign_order(request: Request, ctx: CtxDep, order_id: IdPath, body: s.AssignIn,
                       _: Annotated[Principal, require(Perm.orders_assign)], if_match: IfMatch = None,
                       prefer: Prefer = None) -> Response:
    return await run_and_commit(request, ctx, lambda: _detail(
        ctx, service.assign(ctx, order_id, body, _if_match(if_match)), prefer=prefer))


@router.post("/orders/{order_id}/transition", response_model=s.OrderDetail)
async def transition_order(request: Request, ctx: CtxDep, order_id: IdPath, body: s.TransitionIn, _: Write,
                           if_match: IfMatch = None, prefer: Prefer = None) -> Response:
    return await run_and_commit(request, ctx, lambda: _detail(
        ctx, service.transition(ctx, order_id, body, _if_match(if_match)), prefer=prefer))


@router.post("/orders/{order_id}/notes", response_model=s.TimelineItem, status_code=201)
def add_note(ctx: CtxDep, order_id: IdPath, body: s.NoteIn, _: Write) -> s.TimelineItem:
    n = service.add_note(ctx, order_id, body)
    return s.TimelineItem(at=n.at, kind="note", text=n.body, public=n.public, actor_id=n.author_id)


@router.post("/orders/{order_id}/transfer", response_model=s.OrderDetail)
def transfer_order(ctx: CtxDep, order_id: IdPath, body: s.TransferIn, _: Write,
                   if_match: IfMatch = None, prefer: Prefer = None) -> Response:
    return _detail(ctx, service.transfer(ctx, order_id, body, _if_match(if_match)), prefer=prefer)


@router.post("/orders/{order_id}/escalate", response_model=s.OrderDetail)
def escalate_order(ctx: CtxDep, order_id: IdPath, body: s.EscalateIn,
                   _: Annotated[Principal, require(Perm.orders_escalate)], if_match: IfMatch = None,
                   prefer: Prefer = None) -> Response:
    return _detail(ctx, escalations.escalate(ctx, order_id, body, _if_match(if_match)), prefer=prefer)


@router.post("/orders/{order_id}/callback", response_model=s.OrderDetail)
def record_callback(ctx: CtxDep, order_id: IdPath, body: s.CallbackIn,
                    _: Annotated[Principal, require(Perm.surveys_manage)], if_match: IfMatch = None,
                    prefer: Prefer = None) -> Response:
    return _detail(ctx, complaints.record_callback(ctx, order_id, body, _if_match(if_match)), prefer=prefer)


@router.post("/orders/{order_id}/network-problem", response_model=s.NetworkProblemOut, status_code=201)
def hand_to_network(ctx: CtxDep, order_id: IdPath, _: Write) -> s.NetworkProblemOut:
    return s.NetworkProblemOut.model_validate(complaints.hand_to_network(ctx, order_id))


@router.post("/orders/{order_id}/dispatch", response_model=s.RepairOut)
def dispatch_repair(ctx: CtxDep, order_id: IdPath, body: s.DispatchIn,
                    _: Annotated[Principal, require(Perm.orders_assign)], if_match: IfMatch = None) -> s.RepairOut:
    return s.RepairOut.model_validate(repairs.dispatch(ctx, order_id, body, _if_match(if_match)))


# ----- field engineers ----------------------------------------------------------------


@router.get("/repairs/mine", response_model=list[s.CustomerOrderOut])
def my_repairs(ctx: CtxDep, _: Annotated[Principal, require(Perm.repair_work)]) -> list[s.CustomerOrderOut]:
    return [timeline.for_customer(ctx, o, with_timeline=False) for o, _d in repairs.my_jobs(ctx)]


@router.post("/repairs/{order_id}/updates", response_model=s.RepairOut)
def engineer_update(ctx: CtxDep, order_id: IdPath, body: s.EngineerUpdateIn,
                    _: Annotated[Principal, require(Perm.repair_work)], if_match: IfMatch = None) -> s.RepairOut:
    return s.RepairOut.model_validate(repairs.engineer_update(ctx, order_id, body, _if_match(if_match)))


# ----- network operations ---------------------------------------------------------------


@router.get("/network-problems", response_model=list[s.NetworkProblemOut])
def list_network_problems(
    ctx: CtxDep, _: Annotated[Principal, require(Perm.network_work)],
    status: Annotated[str | None, Query(pattern="^(open|investigating|fixing|fixed|not_reproducible)$")] = None,
) -> list[s.NetworkProblemOut]:
    return [s.NetworkProblemOut.model_validate(n) for n in complaints.network_problems(ctx, status)]


@router.post("/network-problems/{problem_id}/updates", response_model=s.NetworkProblemOut)
def update_network_problem(ctx: CtxDep, problem_id: IdPath, body: s.NetworkUpdateIn, response: Response,
                           _: Annotated[Principal, require(Perm.network_work)],
                           if_match: IfMatch = None) -> s.NetworkProblemOut:
    np = complaints.update_network(ctx, problem_id, body, _if_match(if_match))
    _etag(response, np.version)
    return s.NetworkProblemOut.model_validate(np)


# ----- customers ------------------------------------------------------------------------------


@router.get("/me/orders", response_model=list[s.CustomerOrderOut])
def my_orders(ctx: CtxDep, _: Annotated[Principal, require(Perm.self_read)]) -> list[s.CustomerOrderOut]:
    return timeline.my_orders(ctx)


@router.post("/me/orders", response_model=s.CustomerOrderOut, status_code=201)
def file_my_order(ctx: CtxDep, body: s.SelfFileIn,
                  _: Annotated[Principal, require(Perm.self_file)]) -> s.CustomerOrderOut:
    """A signed-in customer files a fault or a complaint: their own, routed and timed like any order."""
    o = selfservice.file(ctx, body)
    return timeline.my_order(ctx, o.id)


@router.post("/me/plan-change", response_model=s.CustomerOrderOut, status_code=201)
def request_my_plan_change(ctx: CtxDep, body: s.PlanChangeIn,
                           _: Annotated[Principal, require(Perm.self_file)]) -> s.CustomerOrderOut:
    """A plan change asked for from the recommendation: a business order for the back office."""
    o = selfservice.request_plan_change(ctx, body)
    return timeline.my_order(ctx, o.id)


@router.get("/me/orders/{order_id}", response_model=s.CustomerOrderOut)
def my_order(ctx: CtxDep, order_id: IdPath, _: Annotated[Principal, require(Perm.self_read)]) -> s.CustomerOrderOut:
    return timeline.my_order(ctx, order_id)


# Configuration (orders:admin), after the order routes: FastAPI tries routes in order, and every order call
# would otherwise pass these first.
@router.get("/order-categories", response_model=list[s.CategoryOut])
def list_categories(ctx: CtxDep, _: Read) -> list[s.CategoryOut]:
    return [s.CategoryOut.model_validate(c) for c in config.categories(ctx)]


@router.post("/order-categories", response_model=s.CategoryOut, status_code=201)
def create_category(ctx: CtxDep, body: s.CategoryIn, _: Admin) -> s.CategoryOut:
    return s.CategoryOut.model_validate(config_admin.create_category(ctx, body))


@router.patch("/order-categories/{code}", response_model=s.CategoryOut)
def update_category(ctx: CtxDep, code: Annotated[str, Path(max_length=40)], body: s.CategoryPatch,
                    _: Admin) -> s.CategoryOut:
    return s.CategoryOut.model_validate(config_admin.update_category(ctx, code, body))


@router.get("/order-calendars", response_model=list[s.CalendarOut])
def list_calendars(ctx: CtxDep, _: Admin) -> list[s.CalendarOut]:
    return [s.CalendarOut.model_validate(c) for c in config_admin.list_calendars(ctx)]


@router.put("/order-calendars/{name}", response_model=s.CalendarOut)
def put_calendar(ctx: CtxDep, name: Annotated[str, Path(min_length=1, max_length=40)], body: s.CalendarIn,
                 response: Response, _: Admin) -> s.CalendarOut:
    row, created = config_admin.put_calendar(ctx, name, body)
    response.status_code = 201 if created else 200
    return s.CalendarOut.model_validate(row)


@router.get("/order-sla-policies", response_model=list[s.PolicyOut])
def list_policies(ctx: CtxDep, _: Admin) -> list[s.PolicyOut]:
    return [s.PolicyOut.model_validate(p) for p in config_admin.list_policies(ctx)]


@router.put("/order-sla-policies/{name}", response_model=s.PolicyOut)
def put_policy(ctx: CtxDep, name: Annotated[str, Path(min_length=1, max_length=60)], body: s.PolicyIn,
               response: Response, _: Admin) -> s.PolicyOut:
    row, created = config_admin.put_policy(ctx, name, body)
    response.status_code = 201 if created else 200
    return s.PolicyOut.model_validate(row)


@router.get("/public/commitments", response_model=list[s.CommitmentOut])
def public_commitments(ctx: CtxDep) -> list[s.CommitmentOut]:
    """服务承诺: the time limits the SLA configuration applies, per order type and area type (no login)."""
    return [s.CommitmentOut.model_validate(c, from_attributes=True) for c in commitments.commitments(ctx)]

