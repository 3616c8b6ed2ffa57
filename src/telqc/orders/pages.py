"""Agent and customer pages for work orders: list with SLA countdown, detail with actions, progress.

Forms post to page routes that call the same services as the API and redirect back
(post/redirect/get), so a reload never repeats an action; a refused action re-renders
the page with the reason.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import ValidationError

from telqc.api.deps import CtxDep, IdPath, IdQuery, require
from telqc.core import display
from telqc.core import repository as core_repo
from telqc.core.context import Ctx
from telqc.core.errors import DomainError, Invalid
from telqc.core.i18n import t
from telqc.core.rbac import Perm, Principal
from telqc.core.schemas import MAX_INT
from telqc.customers import service as customers
from telqc.insight import service as insight
from telqc.knowledge import solutions
from telqc.orders import (
    access,
    commitments,
    complaints,
    config,
    escalations,
    repair_pages,
    repairs,
    selfservice,
    service,
    timeline,
    timeline_words,
)
from telqc.orders import repository as repo
from telqc.orders import schemas as s
from telqc.orders.repair_pages import repair_view
from telqc.web.render import form_error, render, render_error, validation_text, viewer_of

router = APIRouter(include_in_schema=False)
ROUTERS = [router, repair_pages.router]
NAV = [(Perm.orders_read, "/orders", "ui.orders"), (Perm.self_read, "/my/orders", "ui.my_orders"),
       *repair_pages.NAV]
_TZ = ZoneInfo("Asia/Shanghai")
Read = Annotated[Principal, require(Perm.orders_read)]
Write = Annotated[Principal, require(Perm.orders_write)]


def sla_class(o: Any, now: datetime) -> str:
    """Countdown colour: red when breached, amber from the 75% warning, green otherwise."""
    if o.status in ("closed", "cancelled") or o.resolved_at:
        return "done"
    return {"breached": "bad", "warning": "warn"}.get(o.sla_status, "ok")


def remaining(o: Any, now: datetime, lang: str = "zh-CN") -> str:
    """Time left to the resolution deadline in 小时/分钟; past it, how long overdue."""
    if not o.resolution_due or o.resolved_at or o.status in ("closed", "cancelled"):
        return "—"
    secs = int((o.resolution_due - now).total_seconds())
    if secs < 0:
        return t("o.overdue_by", lang, d=display.duration(-secs, lang))
    return display.duration(secs, lang)


@router.get("/orders", response_class=HTMLResponse)
def order_list(request: Request, ctx: CtxDep, p: Read,
               status: Annotated[str | None, Query(max_length=20)] = None,
               type: Annotated[str | None, Query(pattern="^(consultation|business|repair|complaint)$")] = None,
               sla: Annotated[str | None, Query(pattern="^(ok|warning|breached)$")] = None,
               mine: bool = False, escalated: bool = False, unassigned: bool = False,
               team: Annotated[int | None, Query(ge=1, le=MAX_INT)] = None,
               offset: Annotated[int, Query(ge=0, le=MAX_INT)] = 0) -> Response:
    f = repo.OrderFilter(type=type, status=[status] if status else None, sla_status=sla,
                         handler_id=p.user_id if mine else None, open_only=not status, escalated=escalated,
                         unassigned=unassigned, team_id=team, by_due=escalated or sla is not None)
    rows, total = service.search(ctx, f, offset, 50)
    now = ctx.now()
    filters = {"status": status, "type": type, "sla": sla, "mine": mine, "escalated": escalated,
               "unassigned": unassigned, "team": team}
    more = {k: v for k, v in filters.items() if v not in (None, False)}
    return render(request, "orders/list.html", orders=timeline.to_out(ctx, rows), total=total, offset=offset,
                  now=now, sla_class=sla_class, remaining=lambda o, now: remaining(o, now, ctx.lang),
                  filters=filters, query=more, teams=core_repo.team_names(ctx.session),
                  people=core_repo.display_names(ctx.session, [o.handler_id for o in rows]))


def _form_page(request: Request, ctx: Ctx, error: str | None = None, values: dict[str, Any] | None = None,
               status_code: int = 200) -> Response:
    v = values or {}
    customer = None
    if v.get("customer_id"):
        try:
            customer = customers.present(ctx, [customers.get(ctx, int(v["customer_id"]))])[0]
        except (DomainError, ValueError):
            customer = None
    return render(request, "orders/new.html", categories=config.categories(ctx), v=v, customer=customer,
                  error=error, status_code=status_code)


@router.get("/orders/new", response_class=HTMLResponse)
def order_new(request: Request, ctx: CtxDep, _: Write, customer_id: IdQuery = None,
              contact_id: IdQuery = None) -> Response:
    return _form_page(request, ctx, values={"customer_id": customer_id, "contact_id": contact_id, "type": "complaint"})


@router.post("/orders/new")
def order_create(request: Request, ctx: CtxDep, _: Write,
                 type: Annotated[str, Form()], category: Annotated[str, Form()],
                 customer_id: Annotated[str, Form()], title: Annotated[str, Form()],
                 description: Annotated[str, Form()], channel: Annotated[str, Form()] = "hotline",
                 contact_id: Annotated[str, Form()] = "", product: Annotated[str, Form()] = "",
                 site_id: Annotated[str, Form()] = "") -> Response:
    values = {"type": type, "category": category, "customer_id": customer_id, "title": title,
              "description": description, "channel": channel, "contact_id": contact_id, "product": product,
              "site_id": site_id}
    try:
        data = s.OrderCreate.model_validate({
            "type": type, "category": category, "customer_id": customer_id, "title": title,
            "description": description, "channel": channel, "contact_id": contact_id or None,
            "repair": {"product": product or "未指定"} if type == "repair" else None, "site_id": site_id or None,
        })
        o = service.create(ctx, data)
    except ValidationError as e:
        return _form_page(request, ctx, validation_text(e, ctx.lang), values, 422)
    except DomainError as e:
        ctx.uow.rollback()
        return _form_page(request, ctx, e.message(ctx.lang), values, e.status)
    return RedirectResponse(f"/orders/{o.id}", status_code=303)


def _detail_page(request: Request, ctx: Ctx, order_id: int, error: str | None = None,
                 status_code: int = 200, verify_msg: str | None = None) -> Response:
    o = service.get(ctx, order_id)
    d = timeline.detail(ctx, o)
    try:
        customer = customers.present(ctx, [customers.get(ctx, o.customer_id)])[0]
    except DomainError:
        customer = None
    people = core_repo.display_names(ctx.session, (d.owner_id, d.handler_id, *(x.actor_id for x in d.timeline)))
    p = access.principal(ctx)
    handles = access.may_handle(p, o)  # the check the write routes make: no button that would answer 403
    brief = None
    if customer is not None and p.can(Perm.customers_read):
        brief = insight.brief(ctx, o.customer_id)  # the customer's profile facts, read once per page
    teams, staff = service.transfer_targets(ctx, o) if handles else ({}, [])
    viewer = viewer_of(request)
    viewer.know_people((d.owner_id, d.handler_id, *(x.actor_id for x in d.timeline),
                        *(x.data.get(k) for x in d.timeline for k in ("from", "to", "from_handler_id", "to_handler_id")
                          if x.kind in ("handler", "engineer", "transfer"))))
    return render(request, "orders/detail.html", o=d, customer=customer, now=ctx.now(), sla_class=sla_class,
                  remaining=lambda o, now: remaining(o, now, ctx.lang), solutions=solutions.catalogue(ctx),
                  error=error, people=people, handles=handles, teams=teams, staff=staff, repair=repair_view(ctx, o),
                  verify_msg=verify_msg, verify_next=f"/orders/{o.id}",
                  verification=customers.verification_state(ctx, o.customer_id, o.contact_id)
                  if p.can(Perm.customers_verify) else None,
                  viewer=viewer, tl_line=lambda item: timeline_words.line(item, viewer), brief=brief,
                  status_code=status_code)


@router.get("/orders/{order_id}", response_class=HTMLResponse)
def order_detail(request: Request, ctx: CtxDep, order_id: IdPath, _: Read,
                 verify: Annotated[str | None, Query(pattern="^(ok|failed|locked|not_found|invalid)$")] = None,
                 ) -> Response:
    return _detail_page(request, ctx, order_id, verify_msg=verify)


def _act(request: Request, ctx: Ctx, order_id: int, action: Any) -> Response:
    try:
        action()
    except ValidationError as e:
        ctx.uow.rollback()
        return _detail_page(request, ctx, order_id, validation_text(e, ctx.lang), 422)
    except DomainError as e:
        ctx.uow.rollback()
        return _detail_page(request, ctx, order_id, e.message(ctx.lang), e.status)
    return RedirectResponse(f"/orders/{order_id}", status_code=303)


@router.post("/orders/{order_id}/transition")
def page_transition(request: Request, ctx: CtxDep, order_id: IdPath, _: Write, to: Annotated[str, Form()],
                    reason: Annotated[str, Form()] = "", solution_code: Annotated[str, Form()] = "",
                    pending_reason: Annotated[str, Form()] = "") -> Response:
    return _act(request, ctx, order_id, lambda: service.transition(ctx, order_id, s.TransitionIn.model_validate({
        "to": to, "reason": reason or None, "solution_code": solution_code or None,
        "pending_reason": pending_reason or None})))


@router.post("/orders/{order_id}/notes")
def page_note(request: Request, ctx: CtxDep, order_id: IdPath, _: Write, body: Annotated[str, Form()],
              public: Annotated[bool, Form()] = False) -> Response:
    return _act(request, ctx, order_id,
                lambda: service.add_note(ctx, order_id, s.NoteIn(body=body, public=public)))


def transfer_body(target: str, handoff_note: str) -> dict[str, Any]:
    """The form's one choice, ``team:<id>`` or ``user:<id>``, as the API's transfer body."""
    kind, _, ident = target.partition(":")
    key = {"team": "to_team_id", "user": "to_handler_id"}.get(kind)
    if key is None or not ident.isdecimal():
        raise Invalid("orders.error.pick_target", field="body.target")
    return {key: int(ident), "handoff_note": handoff_note}


@router.post("/orders/{order_id}/transfer")
def page_transfer(request: Request, ctx: CtxDep, order_id: IdPath, _: Write, target: Annotated[str, Form()],
                  handoff_note: Annotated[str, Form()]) -> Response:
    return _act(request, ctx, order_id, lambda: service.transfer(
        ctx, order_id, s.TransferIn.model_validate(transfer_body(target, handoff_note))))


@router.post("/orders/{order_id}/escalate")
def page_escalate(request: Request, ctx: CtxDep, order_id: IdPath,
                  _: Annotated[Principal, require(Perm.orders_escalate)],
                  level: Annotated[str, Form()], reason: Annotated[str, Form()]) -> Response:
    return _act(request, ctx, order_id, lambda: escalations.escalate(
        ctx, order_id, s.EscalateIn.model_validate({"level": level, "reason": reason})))


@router.post("/orders/{order_id}/callback")
def page_callback(request: Request, ctx: CtxDep, order_id: IdPath,
                  _: Annotated[Principal, require(Perm.surveys_manage)],
                  outcome: Annotated[str, Form()], reason: Annotated[str, Form()] = "") -> Response:
    return _act(request, ctx, order_id, lambda: complaints.record_callback(
        ctx, order_id, s.CallbackIn.model_validate({"outcome": outcome, "reason": reason or None})))


def _slot(value: str, field: str) -> datetime | None:
    """A ``datetime-local`` field of the dispatch form, read as Beijing time."""
    if not value.strip():
        return None
    try:
        return datetime.fromisoformat(value).replace(tzinfo=_TZ)
    except ValueError:
        raise Invalid("orders.error.bad_slot", field=field) from None


@router.post("/orders/{order_id}/dispatch")
def page_dispatch(request: Request, ctx: CtxDep, order_id: IdPath,
                  _: Annotated[Principal, require(Perm.orders_assign)], engineer_id: Annotated[str, Form()] = "",
                  appointment_start: Annotated[str, Form()] = "",
                  appointment_end: Annotated[str, Form()] = "") -> Response:
    """派单 from the order page: a named engineer or the automatic pick, with the customer's visit slot."""
    return _act(request, ctx, order_id, lambda: repairs.dispatch(ctx, order_id, s.DispatchIn.model_validate({
        "engineer_id": engineer_id or None,
        "appointment_start": _slot(appointment_start, "body.appointment_start"),
        "appointment_end": _slot(appointment_end, "body.appointment_end")})))


@router.get("/my/orders", response_class=HTMLResponse)
def my_orders(request: Request, ctx: CtxDep, _: Annotated[Principal, require(Perm.self_read)]) -> Response:
    """The customer's progress page (mobile-first): own orders, public steps only."""
    viewer = viewer_of(request)
    return render(request, "orders/mine.html", orders=[timeline.my_order(ctx, o.id) for o in timeline.my_orders(ctx)],
                  viewer=viewer, tl_line=lambda item: timeline_words.line(item, viewer),
                  filed=request.query_params.get("filed", ""))


SelfFile = Annotated[Principal, require(Perm.self_file)]


def _self_form(request: Request, ctx: Ctx, values: dict[str, str], error: str | None = None,
               status_code: int = 200) -> Response:
    return render(request, "orders/self_file.html", status_code=status_code, choices=selfservice.choices(ctx),
                  values=values, error=error)


@router.get("/my/orders/new", response_class=HTMLResponse)
def my_order_new(request: Request, ctx: CtxDep, _: SelfFile) -> Response:
    """报障 / 投诉 for a signed-in customer (mobile-first)."""
    return _self_form(request, ctx, {})


@router.post("/my/orders/new")
def my_order_file(request: Request, ctx: CtxDep, _: SelfFile, category: Annotated[str, Form()],
                  title: Annotated[str, Form()], description: Annotated[str, Form()]) -> Response:
    """The form picks a category; its type (fault or complaint) follows from it."""
    values = {"category": category, "title": title, "description": description}
    type = next((c.type for c in selfservice.choices(ctx) if c.code == category), "repair")
    try:
        o = selfservice.file(ctx, s.SelfFileIn.model_validate(
            {"type": type, "category": category, "title": title, "description": description, "channel": "web"}))
    except (ValidationError, DomainError) as e:
        ctx.uow.rollback()
        return _self_form(request, ctx, values, *form_error(e, ctx.lang))
    return RedirectResponse(f"/my/orders?filed={o.id}#my-order-{o.id}", status_code=303)


@router.post("/my/plan-change")
def my_plan_change(request: Request, ctx: CtxDep, _: SelfFile, plan_code: Annotated[str, Form()],
                   plan_name: Annotated[str, Form()], explanation: Annotated[str, Form()] = "") -> Response:
    """申请变更为推荐套餐, from the recommendation on the customer's own page."""
    try:
        o = selfservice.request_plan_change(ctx, s.PlanChangeIn.model_validate(
            {"plan_code": plan_code, "plan_name": plan_name, "explanation": explanation}))
    except (ValidationError, DomainError) as e:
        ctx.uow.rollback()
        message, status = form_error(e, ctx.lang)
        return render_error(request, status, message)
    return RedirectResponse(f"/my/orders?filed={o.id}#my-order-{o.id}", status_code=303)


@router.get("/commitments", response_class=HTMLResponse)
def commitments_page(request: Request, ctx: CtxDep) -> Response:
    """服务承诺, public: the time limits the SLA configuration applies (the same rows as the API)."""
    rows = commitments.commitments(ctx)
    return render(request, "orders/commitments.html", rows=rows, types=list(dict.fromkeys(r.order_type for r in rows)),
                  by=lambda t, a: next(r for r in rows if r.order_type == t and r.area == a))
