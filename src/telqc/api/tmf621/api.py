"""TMF621 Trouble Ticket v4 routes at /tmf-api/troubleTicket/v4 (resources, filtering, hub).

Errors use the TMF ``Error`` shape ({code, reason, message, status}); a create missing
``description``, ``severity`` or ``ticketType`` is a 400 naming the attribute. DELETE
cancels the ticket (records are never erased: the audit trail must survive) and
announces a TroubleTicketDeleteEvent.
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from datetime import datetime
from typing import Annotated, Any, cast

from fastapi import APIRouter, Body, Header, Query, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from fastapi.routing import APIRoute
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from telqc.api.deps import CtxDep, if_match_version, request_language, require, set_etag
from telqc.api.errors import field_errors
from telqc.api.tmf621 import hub, mapping, view
from telqc.core import events
from telqc.core.errors import BadRequest, DomainError, PreconditionFailed
from telqc.core.rbac import Perm, Principal
from telqc.orders import schemas as os_
from telqc.orders import service
from telqc.orders.states import from_tmf621, to_tmf621

BASE = mapping.BASE


class _TmfRoute(APIRoute):
    """Every error of these routes in the TMF Error shape (FastAPI's custom route class; the request's
    transaction has already been rolled back when an error reaches it)."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def wrapped(request: Request) -> Response:
            lang = request_language(request)
            try:
                return await handler(request)
            except DomainError as e:
                return _error(e.status, e.key, e.message(lang), field=e.field, **e.extra())
            except RequestValidationError as e:
                errs = field_errors(e.errors(), lang)
                return _error(400, "validation", "; ".join(f"{x['field']}: {x['msg']}" for x in errs),
                              field=errs[0]["field"] if errs else None)

        return wrapped


def _error(status: int, reason: str, message: str, field: str | None = None, **extra: Any) -> JSONResponse:
    body = {"code": str(status), "reason": reason, "message": message, "status": str(status), "@type": "Error"}
    if field:
        body["field"] = field
    return JSONResponse(body | extra, status_code=status)


router = APIRouter(prefix=BASE, tags=["TMF621 Trouble Ticket"], route_class=_TmfRoute)
Read = Annotated[Principal, require(Perm.orders_read)]
Write = Annotated[Principal, require(Perm.orders_write)]


class _Ref(BaseModel):
    model_config = ConfigDict(extra="allow", populate_by_name=True)
    id: str | None = None
    name: str | None = None
    role: str | None = None


class _NoteIn(BaseModel):
    model_config = ConfigDict(extra="allow")
    text: str = Field(min_length=1, max_length=4000)


class TicketCreate(BaseModel):
    """TroubleTicket_Create; ``category`` and ``repair`` are TelQC extensions (optional)."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True)
    description: str = Field(min_length=1, max_length=4000)
    severity: str = Field(min_length=1, max_length=20)
    ticketType: str = Field(min_length=1, max_length=20)
    name: str | None = Field(default=None, max_length=120)
    priority: str | None = None
    externalId: str | None = None
    requestedResolutionDate: datetime | None = None
    channel: _Ref | None = None
    relatedParty: list[_Ref] = Field(default_factory=list)
    note: list[_NoteIn] = Field(default_factory=list)
    category: str | None = Field(default=None, max_length=40)
    repair: dict[str, Any] | None = None
    type_: str | None = Field(default=None, alias="@type")
    baseType: str | None = Field(default=None, alias="@baseType")
    schemaLocation: str | None = Field(default=None, alias="@schemaLocation")


class HubIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    callback: str = Field(min_length=8, max_length=500)
    query: str | None = Field(default=None, max_length=500)


def _resource(ctx: CtxDep, order: Any, fields: str | None, with_detail: bool = True) -> dict[str, Any]:
    return view.ticket(ctx, order, fields, with_detail)  # the hub's event payloads are built by the same


STATUS_FILTER = {"acknowledged": ["new", "acknowledged"], "inProgress": ["in_progress", "reopened"],
                 "pending": ["pending"], "held": ["pending"], "resolved": ["resolved", "callback"],
                 "closed": ["closed"], "cancelled": ["cancelled"], "rejected": []}
FILTERS = {"status", "ticketType", "priority", "relatedParty.id", "creationDate.gt", "creationDate.lt", "category"}


@router.get("/troubleTicket")
def list_tickets(ctx: CtxDep, request: Request, response: Response, _: Read,
                 fields: str | None = None, offset: Annotated[int, Query(ge=0)] = 0,
                 limit: Annotated[int, Query(ge=1, le=500)] = 100) -> list[dict[str, Any]]:

    params = {k: v for k, v in request.query_params.items() if k not in ("fields", "offset", "limit")}
    unknown = set(params) - FILTERS
    if unknown:
        raise BadRequest("tmf.bad_filter", field=sorted(unknown)[0], keys=", ".join(sorted(unknown)))
    f: dict[str, Any] = {}
    if "status" in params:
        wanted = [s for v in params["status"].split(",") for s in STATUS_FILTER.get(v, ["?"])]
        if "?" in wanted:
            raise BadRequest("tmf.bad_value", field="status", value=params["status"])
        f["status"] = wanted
    if "ticketType" in params:
        t = mapping.TYPE_FROM_TMF.get(params["ticketType"])
        if t is None:
            raise BadRequest("tmf.bad_value", field="ticketType", value=params["ticketType"])
        f["type"] = t
    if "priority" in params:
        inverse = {v.lower(): k for k, v in mapping.PRIORITY.items()}
        f["priority"] = inverse.get(params["priority"].lower(), params["priority"])
    if "relatedParty.id" in params:
        f["customer_id"] = int(params["relatedParty.id"]) if params["relatedParty.id"].isdigit() else -1
    if "category" in params:
        f["category"] = params["category"]
    for key, attr in (("creationDate.gt", "created_from"), ("creationDate.lt", "created_to")):
        if key in params:
            try:
                f[attr] = datetime.fromisoformat(params[key].replace("Z", "+00:00"))
            except ValueError as e:
                raise BadRequest("tmf.bad_value", field=key, value=params[key]) from e
    rows, total = service.search(ctx, service.OrderFilter(**f), offset, limit)
    want_detail = fields is None or any(x in fields for x in ("note", "statusChange", "troubleTicketRelationship"))
    items = [_resource(ctx, o, fields, with_detail=want_detail) for o in rows]
    response.headers["X-Total-Count"] = str(total)
    response.headers["X-Result-Count"] = str(len(items))
    return items


@router.post("/troubleTicket", status_code=201)
def create_ticket(ctx: CtxDep, response: Response, _: Write,
                  body: Annotated[dict[str, Any], Body()]) -> dict[str, Any]:

    try:
        data = TicketCreate.model_validate(body)
    except ValidationError as e:
        raise RequestValidationError([{**err, "loc": ("body", *err["loc"])} for err in e.errors()]) from e
    order_type = mapping.TYPE_FROM_TMF.get(data.ticketType.lower())
    if order_type is None:
        raise BadRequest("tmf.bad_value", field="ticketType", value=data.ticketType)
    if data.severity.lower() not in mapping.SEVERITY_FROM_TMF:
        raise BadRequest("tmf.bad_value", field="severity", value=data.severity)
    customer = next((p.id for p in data.relatedParty if (p.role or "").lower() == "customer"), None)
    if customer is None or not customer.isdigit():
        raise BadRequest("tmf.bad_value", field="relatedParty", value="customer party with numeric id required")
    repair = None
    if order_type == "repair":
        repair = os_.RepairIn.model_validate(data.repair or {"product": "未指定"})
    created = service.create(ctx, os_.OrderCreate(
        type=order_type, category=data.category or mapping.DEFAULT_CATEGORY[order_type], customer_id=int(customer),
        # any id the client sends: OrderCreate refuses one that is not a ChannelName
        channel=cast(os_.ChannelName, data.channel.id if data.channel and data.channel.id else "web"),
        title=data.name or data.description[:40], description=data.description, repair=repair,
    ))
    for n in data.note:
        service.add_note(ctx, created.id, os_.NoteIn(body=n.text, public=False))
    order = service.get(ctx, created.id)
    response.headers["Location"] = f"{BASE}/troubleTicket/{order.id}"
    set_etag(response, order.version)
    return _resource(ctx, order, None)


@router.get("/troubleTicket/{ticket_id}")
def get_ticket(ctx: CtxDep, ticket_id: int, response: Response, _: Read, fields: str | None = None) -> dict[str, Any]:
    order = service.get(ctx, ticket_id)
    set_etag(response, order.version)
    return _resource(ctx, order, fields)


PATCHABLE = {"status", "statusChangeReason", "note"}


@router.patch("/troubleTicket/{ticket_id}")
def patch_ticket(ctx: CtxDep, ticket_id: int, response: Response, _: Write,
                 body: Annotated[dict[str, Any], Body(media_type="application/merge-patch+json")],
                 if_match: Annotated[str | None, Header()] = None) -> dict[str, Any]:
    """JSON merge patch: ``status`` (with ``statusChangeReason``) and new ``note`` entries; others are read-only."""

    ro = set(body) - PATCHABLE - {"id", "href", "@type"}
    if ro:
        raise BadRequest("tmf.read_only", field=sorted(ro)[0], keys=", ".join(sorted(ro)))
    version = if_match_version(if_match)
    order = service.get(ctx, ticket_id)
    if "status" in body:
        try:
            target, reason = from_tmf621(str(body["status"]))
        except ValueError as e:
            raise BadRequest("tmf.bad_value", field="status", value=body["status"]) from e
        if order.status == "new" and target.value not in ("acknowledged", "cancelled"):
            # TMF reports a new order as acknowledged already, so a client may move it straight on.
            order = service.transition(ctx, ticket_id, os_.TransitionIn(to="acknowledged", reason="TMF621"),
                                       if_match=version)
            version = None
        if to_tmf621(order.status, order.pending_reason).value != body["status"]:
            order = service.transition(ctx, ticket_id, os_.TransitionIn(
                to=target.value, reason=body.get("statusChangeReason"),
                pending_reason=reason.value if reason else None), if_match=version)
        version = None
    elif version is not None and version != order.version:

        raise PreconditionFailed()
    for note in body.get("note") or []:
        if not isinstance(note, dict) or not note.get("text") or note.get("id"):
            continue  # existing notes (with an id) are kept as they are; merge patch only adds
        service.add_note(ctx, ticket_id, os_.NoteIn(body=str(note["text"])[:4000], public=False))
    order = service.get(ctx, ticket_id)
    set_etag(response, order.version)
    return _resource(ctx, order, None)


@router.delete("/troubleTicket/{ticket_id}", status_code=204)
def delete_ticket(ctx: CtxDep, ticket_id: int, _: Write) -> None:
    order = service.get(ctx, ticket_id)
    if order.status not in ("cancelled", "closed"):
        order = service.transition(ctx, ticket_id, os_.TransitionIn(to="cancelled", reason="TMF621 DELETE"))
    events.emit(ctx, "order.deleted", "order", ticket_id, order_id=ticket_id, ticket=_resource(ctx, order, None))


# --- hub (issue 17 item 1): subscriptions are their owner's; dead letters are for hub:admin -------------
HubAdmin = Annotated[Principal, require(Perm.hub_admin)]


def _subscription(sub: Any) -> dict[str, Any]:
    return {"id": str(sub.id), "callback": sub.callback, "query": sub.query or ""}


@router.post("/hub", status_code=201)
def hub_subscribe(ctx: CtxDep, body: HubIn, response: Response, _: Write) -> dict[str, Any]:
    """The answer carries ``secret``, the key of the deliveries' signature header: shown this once only."""
    sub, secret = hub.subscribe(ctx, body.callback, body.query)
    response.headers["Location"] = f"{BASE}/hub/{sub.id}"
    return _subscription(sub) | {"secret": secret}


@router.get("/hub/deadLetters")
def hub_dead_letters(ctx: CtxDep, response: Response, _: HubAdmin, offset: Annotated[int, Query(ge=0, le=2**31)] = 0,
                     limit: Annotated[int, Query(ge=1, le=500)] = 100) -> list[dict[str, Any]]:
    rows, total = hub.dead_letters(ctx, offset, limit)
    response.headers["X-Total-Count"] = str(total)
    response.headers["X-Result-Count"] = str(len(rows))
    return [_dead_letter(d, callback) for d, callback in rows]


def _dead_letter(d: Any, callback: str) -> dict[str, Any]:
    return {"id": str(d.id), "status": d.status, "subscriptionId": str(d.subscription_id), "callback": callback,
            "eventId": f"{d.event_id}-{d.event_type}", "eventType": d.event_type, "attempts": d.attempts,
            "lastError": d.last_error, "lastAttemptDate": mapping._iso(d.last_attempt_at),
            "nextAttemptDate": mapping._iso(d.next_attempt_at)}


@router.post("/hub/deadLetters/{delivery_id}/replay")
def hub_replay(ctx: CtxDep, delivery_id: str, _: HubAdmin) -> dict[str, Any]:
    """Back to pending with a fresh set of attempts (audited); the next delivery pass sends it."""
    return _dead_letter(*hub.replay(ctx, hub.parse_id(delivery_id, "delivery")))


@router.get("/hub/{subscription_id}")
def hub_get(ctx: CtxDep, subscription_id: str, _: Read) -> dict[str, Any]:
    return _subscription(hub.get(ctx, hub.parse_id(subscription_id, "subscription")))


@router.delete("/hub/{subscription_id}", status_code=204)
def hub_unsubscribe(ctx: CtxDep, subscription_id: str, _: Write) -> None:
    hub.unsubscribe(ctx, hub.parse_id(subscription_id, "subscription"))
