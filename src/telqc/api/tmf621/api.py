"""TMF621 Trouble Ticket v4 routes at /tmf-api/troubleTicket/v4 (resources, filtering, hub).

Every error is a TMF630 ``Error`` body (`tmf621.errors`). A create needs only ``description``, ``severity``
and ``ticketType`` (the spec's mandatory attributes): without a customer in ``relatedParty`` the order goes
to the caller's region's unidentified-caller customer (`customers.service.unidentified_caller`). Ids are
strings to a TMF client: one that names no readable ticket (not a number, or not there) is a 404. Every
write honours ``If-Match``: a stale one is a 412 even when the write would change nothing, so a client
never takes "200" for "my view was current". DELETE cancels the ticket (records are never erased: the
audit trail must survive) and announces a TroubleTicketDeleteEvent.
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine, Iterable
from datetime import datetime
from typing import Annotated, Any, TypeVar, cast

from fastapi import APIRouter, Body, Header, Query, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.routing import APIRoute
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from telqc.api.deps import CtxDep, OffsetQuery, if_match_version, request_language, require, set_etag
from telqc.api.errors import field_errors
from telqc.api.tmf621 import errors, filters, hub, mapping, view
from telqc.core import events
from telqc.core.errors import BadRequest, DomainError, Invalid, NotFound, PreconditionFailed
from telqc.core.rbac import Perm, Principal
from telqc.core.schemas import CleanText
from telqc.customers import service as customers
from telqc.orders import schemas as os_
from telqc.orders import service
from telqc.orders.states import TmfStatus, from_tmf621, to_tmf621

BASE = mapping.BASE
_MAX_ID = 2**63 - 1
M = TypeVar("M", bound=BaseModel)


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
                msg = e.message(lang)
                if e.field and e.field not in msg:  # "必填字段缺失" says which field only in `field`
                    msg = f"{e.field}: {msg}"
                return errors.response(e.status, e.key, msg, lang, field=e.field, **e.extra())
            except (RequestValidationError, ValidationError) as e:
                # a model validated inside a route (ValidationError) is the client's body too, not a 500
                errs = field_errors(e.errors(), lang)
                return errors.response(400, "validation", "; ".join(f"{x['field']}: {x['msg']}" for x in errs),
                                       lang, field=errs[0]["field"] if errs else None)

        return wrapped


router = APIRouter(prefix=BASE, tags=["TMF621 Trouble Ticket"], route_class=_TmfRoute)
Read = Annotated[Principal, require(Perm.orders_read)]
Write = Annotated[Principal, require(Perm.orders_write)]


class _Ref(CleanText):
    model_config = ConfigDict(extra="allow", populate_by_name=True)
    id: str | None = Field(default=None, max_length=40)
    name: str | None = Field(default=None, max_length=120)
    role: str | None = Field(default=None, max_length=40)
    referredType: str | None = Field(default=None, alias="@referredType", max_length=40)


class _NoteIn(CleanText):
    model_config = ConfigDict(extra="allow")
    text: str = Field(min_length=1, max_length=4000)


class _PatchNote(CleanText):
    """A note of a merge patch: one with an ``id`` is an existing note echoed back (kept as it is)."""

    model_config = ConfigDict(extra="allow")
    id: str | None = None
    text: str | None = Field(default=None, max_length=4000)


class TicketCreate(CleanText):
    """TroubleTicket_Create; ``category`` and ``repair`` are TelQC extensions (optional)."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True)
    description: str = Field(min_length=1, max_length=4000)
    severity: str = Field(min_length=1, max_length=20)
    ticketType: str = Field(min_length=1, max_length=20)
    name: str | None = Field(default=None, max_length=120)
    status: str | None = None  # only "acknowledged", what a new ticket is (`_refuse_attributes`)
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


class TicketPatch(CleanText):
    """The attributes a merge patch may change (the others are refused as read-only first)."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True)
    status: str | None = None
    statusChangeReason: str | None = Field(default=None, max_length=1000)
    note: list[_PatchNote] = Field(default_factory=list)


class HubIn(CleanText):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)
    callback: str = Field(min_length=8, max_length=500)
    query: str | None = Field(default=None, max_length=500)
    # EventSubscriptionInput is Extensible: the spec's own example sends "@type": "Hub"
    type_: str | None = Field(default=None, alias="@type", max_length=60)
    baseType: str | None = Field(default=None, alias="@baseType", max_length=60)
    schemaLocation: str | None = Field(default=None, alias="@schemaLocation", max_length=500)


def _resource(ctx: CtxDep, order: Any, fields: str | None, with_detail: bool = True,
              read_saved: bool = False) -> dict[str, Any]:
    """The hub's event payloads are built by the same `view.ticket`: an event never shows more than this GET."""
    return view.ticket(ctx, order, fields, with_detail, read_saved=read_saved)


def _ticket_id(raw: str) -> int:
    """A TMF id names a ticket or nothing: not a number (or beyond any id) is the same 404 as an unknown one."""
    if not raw.isascii() or not raw.isdigit() or int(raw) > _MAX_ID:
        raise NotFound(what="w.order")
    return int(raw)


def _version(if_match: str | None) -> int | None:
    """``If-Match: *`` matches any current ticket (RFC 9110); otherwise the version it names."""
    return None if if_match is not None and if_match.strip() == "*" else if_match_version(if_match)


def _validated(model: type[M], body: dict[str, Any]) -> M:
    try:
        return model.model_validate(body)
    except ValidationError as e:
        raise RequestValidationError([{**err, "loc": ("body", *err["loc"])} for err in e.errors()]) from e


def _refuse(keys: Iterable[str], key: str) -> None:
    found = sorted(keys)
    if found:
        raise BadRequest(key, field=found[0], keys=", ".join(found))


def _choice(field: str, value: str, table: dict[str, Any], allowed: Iterable[str]) -> Any:
    found = table.get(value.strip().lower())
    if found is None:
        raise BadRequest("tmf.bad_choice", field=field, value=value, allowed=", ".join(allowed))
    return found


def _customer(ctx: CtxDep, caller: Principal, parties: list[_Ref]) -> tuple[int, bool]:
    """The order's customer and whether it is the unidentified-caller placeholder."""
    named = [x for x in parties if "customer" in ((x.role or "").lower(), (x.referredType or "").lower())]
    if named:
        raw = (named[0].id or "").strip()
        if not raw.isascii() or not raw.isdigit() or int(raw) > _MAX_ID:
            raise BadRequest("tmf.bad_party", field="relatedParty", value=raw)
        return int(raw), False
    scope = caller.region_scope
    province = scope[0] if scope and len(scope) == 1 else ctx.settings.tmf_unidentified_province
    if province is None:
        raise BadRequest("tmf.no_region", field="relatedParty")
    return customers.unidentified_caller(ctx, province), True


@router.get("/troubleTicket")
def list_tickets(ctx: CtxDep, request: Request, response: Response, _: Read,
                 fields: str | None = None, offset: OffsetQuery = 0,
                 limit: Annotated[int, Query(ge=1, le=500)] = 100) -> list[dict[str, Any]]:
    """TMF630 filtering on the listed attributes (`filters`); X-Total-Count and X-Result-Count headers."""
    params = [(k, v) for k, v in request.query_params.multi_items() if k not in filters.PAGING]
    try:
        rows, total = service.search(ctx, service.OrderFilter(**filters.parse(params)), offset, limit)
    except filters.NoMatch:
        rows, total = [], 0
    want_detail = fields is None or any(x in fields for x in ("note", "statusChange", "troubleTicketRelationship"))
    items = [_resource(ctx, o, fields, with_detail=want_detail) for o in rows]
    response.headers["X-Total-Count"] = str(total)
    response.headers["X-Result-Count"] = str(len(items))
    return items


@router.post("/troubleTicket", status_code=201)
def create_ticket(ctx: CtxDep, response: Response, caller: Write,
                  body: Annotated[dict[str, Any], Body()]) -> dict[str, Any]:
    """TroubleTicket_Create. Attributes TelQC sets (dates, status) or has nowhere to keep (attachment,
    relatedEntity) are refused by name, so a client does not believe they were stored; ``priority`` is
    derived (the spec: "set by the ticket management system"); ``externalId``, ``requestedResolutionDate``
    and parties other than the customer are accepted and not kept."""
    read_only = [k for k in mapping.CREATE_READ_ONLY if k in body]
    if "status" in body and body["status"] != TmfStatus.ACKNOWLEDGED.value:
        read_only.append("status")
    _refuse(read_only, "tmf.read_only")
    _refuse((k for k in mapping.CREATE_UNSUPPORTED if k in body), "tmf.unsupported")
    data = _validated(TicketCreate, body)
    order_type = _choice("ticketType", data.ticketType, dict(mapping.TYPE_FROM_TMF), mapping.TICKET_TYPES.values())
    names = dict.fromkeys(mapping.SEVERITY.values())
    severity = mapping.SEVERITY_FROM_TMF[_choice("severity", data.severity, {k: k for k in mapping.SEVERITY_FROM_TMF},
                                                 names)]
    channel = "web"
    if data.channel is not None:
        given = data.channel.id if data.channel.id in mapping.CHANNELS else (data.channel.name or data.channel.id or "")
        channel = _choice("channel", given, {c: c for c in mapping.CHANNELS}, mapping.CHANNELS)
    customer_id, unidentified = _customer(ctx, caller, data.relatedParty)
    repair = None
    if order_type == "repair":
        try:
            repair = os_.RepairIn.model_validate(data.repair or {"product": "未指定"})
        except ValidationError as e:
            raise RequestValidationError([{**err, "loc": ("body", "repair", *err["loc"])}
                                          for err in e.errors()]) from e
    try:
        created = service.create(ctx, os_.OrderCreate(
            type=order_type, category=data.category or mapping.DEFAULT_CATEGORY[order_type],
            customer_id=customer_id, channel=cast(os_.ChannelName, channel),
            title=data.name or data.description[:40], description=data.description, repair=repair,
            severity=severity,
        ), caller_unidentified=unidentified)
    except Invalid as e:
        if e.field == "body.customer_id":  # a TMF client names its customer in relatedParty
            raise Invalid("error.not_found", field="relatedParty", what="w.customer") from e
        if e.field == "body.category":
            raise Invalid(e.key, field="category", **e.params) from e
        raise
    for n in data.note:
        service.add_note(ctx, created.id, os_.NoteIn(body=n.text, public=False))
    order = service.get(ctx, created.id)
    response.headers["Location"] = f"{BASE}/troubleTicket/{order.id}"
    set_etag(response, order.version)
    return _resource(ctx, order, None, read_saved=bool(data.note))


@router.get("/troubleTicket/{ticket_id}")
def get_ticket(ctx: CtxDep, ticket_id: str, response: Response, _: Read, fields: str | None = None) -> dict[str, Any]:
    order = service.get(ctx, _ticket_id(ticket_id))
    set_etag(response, order.version)
    return _resource(ctx, order, fields)


PATCHABLE = {"status", "statusChangeReason", "note"}
_IGNORED = {"id", "href", "@type", "@baseType", "@schemaLocation"}


@router.patch("/troubleTicket/{ticket_id}")
def patch_ticket(ctx: CtxDep, ticket_id: str, request: Request, response: Response, _: Write,
                 body: Annotated[Any, Body(media_type="application/merge-patch+json")],
                 if_match: Annotated[str | None, Header()] = None) -> dict[str, Any]:
    """JSON merge patch: ``status`` (with ``statusChangeReason``) and new ``note`` entries; others are read-only.

    A stale ``If-Match`` is a 412 whatever the patch asks, even a status the ticket already has: it is
    checked before anything, and again under the row lock by the first write."""
    tid = _ticket_id(ticket_id)
    media = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if media.startswith("application/json-patch"):  # TMF630: merge patch is the mandatory syntax
        raise errors.UnsupportedMediaType("tmf.patch_media", field="Content-Type", media=media)
    if not isinstance(body, dict):
        raise Invalid("v.dict_type", field="body")
    _refuse(set(body) - mapping.TICKET_ATTRIBUTES, "tmf.unknown_attribute")
    _refuse(set(body) - PATCHABLE - _IGNORED, "tmf.read_only")
    if "status" in body and body["status"] is None:  # merge patch: null removes, and a ticket has a status
        raise BadRequest("tmf.bad_value", field="status", value="null")
    data = _validated(TicketPatch, {k: v for k, v in body.items() if k in PATCHABLE})
    version = _version(if_match)
    order = service.get(ctx, tid)
    if version is not None and version != order.version:
        raise PreconditionFailed()
    wrote = False
    if data.status is not None:
        wanted = _choice("status", data.status, {s.value.lower(): s for s in TmfStatus if s is not TmfStatus.REJECTED},
                         (s.value for s in TmfStatus if s is not TmfStatus.REJECTED))
        target, reason = from_tmf621(wanted)
        if to_tmf621(order.status, order.pending_reason) is not wanted:
            if order.status == "new" and target.value not in ("acknowledged", "cancelled"):
                # TMF reports a new order as acknowledged already, so a client may move it straight on.
                order = service.transition(ctx, tid, os_.TransitionIn(to="acknowledged", reason="TMF621"),
                                           if_match=version)
                version = None
            order = service.transition(ctx, tid, os_.TransitionIn(
                to=target.value, reason=data.statusChangeReason,
                pending_reason=reason.value if reason else None), if_match=version)
            wrote = True
    for i, n in enumerate(data.note):
        if n.id is None and not (n.text or "").strip():
            raise BadRequest("v.missing", field=f"body.note.{i}.text")
    notes = [n for n in data.note if n.id is None]
    if notes and not wrote:
        service.get_for_update(ctx, tid, version)  # a new note changes the ticket: locked, checked, new ETag
    for n in notes:
        service.add_note(ctx, tid, os_.NoteIn(body=str(n.text), public=False))
    order = service.get(ctx, tid)
    set_etag(response, order.version)
    return _resource(ctx, order, None)


@router.delete("/troubleTicket/{ticket_id}", status_code=204)
def delete_ticket(ctx: CtxDep, ticket_id: str, _: Write, if_match: Annotated[str | None, Header()] = None) -> None:
    tid = _ticket_id(ticket_id)
    version = _version(if_match)
    order = service.get(ctx, tid)
    if version is not None and version != order.version:
        raise PreconditionFailed()
    if order.status not in ("cancelled", "closed"):
        order = service.transition(ctx, tid, os_.TransitionIn(to="cancelled", reason="TMF621 DELETE"),
                                   if_match=version)
    events.emit(ctx, "order.deleted", "order", tid, order_id=tid, ticket=_resource(ctx, order, None))


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
def hub_dead_letters(ctx: CtxDep, response: Response, _: HubAdmin, offset: OffsetQuery = 0,
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
