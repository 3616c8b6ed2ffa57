"""TMF621 event hub: listeners subscribe with a callback and a query; every matching event is
queued once per listener (unique delivery row) and POSTed with retries and backoff.

That unique row is the hub's own ledger: a relay that runs again over the same events queues nothing new
(`UnitOfWork.add_once`), so the hub claims no delivery rows of the relay's (`ledger=False`). Without a
subscription (the usual case) a relay batch costs the hub one query.

Delivery is at-least-once on the wire (a crash between the listener's 2xx and our commit
resends); each body carries ``eventId`` so a listener drops the rare repeat, and TelQC
itself never queues or re-sends a delivered event.
"""

from __future__ import annotations

import json
import logging
from datetime import timedelta
from typing import Any
from urllib.parse import parse_qs

import httpx
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from telqc.api.tmf621 import mapping
from telqc.api.tmf621.models import TmfDelivery, TmfSubscription
from telqc.core import events
from telqc.core.clock import Clock
from telqc.core.context import Ctx
from telqc.core.errors import BadRequest, NotFound
from telqc.core.rbac import Principal, Role
from telqc.core.settings import Settings
from telqc.orders import config, service, timeline

log = logging.getLogger("telqc.tmf621")
EVENT_TYPES = (
    "TroubleTicketCreateEvent", "TroubleTicketAttributeValueChangeEvent", "TroubleTicketStatusChangeEvent",
    "TroubleTicketDeleteEvent", "TroubleTicketResolvedEvent", "TroubleTicketInformationRequiredEvent",
)
QUERY_KEYS = {"eventType", "ticketType", "status", "severity"}
MAX_ATTEMPTS = 10
SYSTEM = Principal(user_id=0, username="tmf621-hub", display_name="TMF621 hub", role=Role.admin, region_scope=None)


def parse_query(query: str | None) -> dict[str, set[str]]:
    parsed = parse_qs(query or "", keep_blank_values=False)
    unknown = set(parsed) - QUERY_KEYS
    if unknown:
        raise BadRequest("tmf.bad_query", field="query", keys=", ".join(sorted(unknown)))
    out = {k: {x for v in vals for x in v.split(",") if x} for k, vals in parsed.items()}
    bad = out.get("eventType", set()) - set(EVENT_TYPES)
    if bad:
        raise BadRequest("tmf.bad_query", field="query", keys=", ".join(sorted(bad)))
    return out


def subscribe(ctx: Ctx, callback: str, query: str | None) -> TmfSubscription:
    if not callback.startswith(("http://", "https://")):
        raise BadRequest("tmf.bad_callback", field="callback")
    parse_query(query)
    sub = TmfSubscription(callback=callback, query=query, owner_id=ctx.principal.user_id if ctx.principal else None,
                          created_at=ctx.now())
    ctx.session.add(sub)
    ctx.session.flush()
    ctx.audit("tmf.subscribed", "tmf_subscription", sub.id, callback=callback, query=query)
    return sub


def unsubscribe(ctx: Ctx, sub_id: int) -> None:
    sub = ctx.session.get(TmfSubscription, sub_id)
    if sub is None:
        raise NotFound(what="w.subscription")
    ctx.session.delete(sub)
    ctx.audit("tmf.unsubscribed", "tmf_subscription", sub_id)


def tmf_event_types(ev: events.Event, ticket: dict[str, Any], pending_reason: str | None) -> list[str]:
    if ev.type == "order.created":
        return ["TroubleTicketCreateEvent"]
    if ev.type == "order.deleted":
        return ["TroubleTicketDeleteEvent"]
    if ev.type == "order.status_changed":
        out = ["TroubleTicketStatusChangeEvent"]
        if ev.payload.get("to") == "resolved":
            out.append("TroubleTicketResolvedEvent")
        if ev.payload.get("to") == "pending" and pending_reason == "customer":
            out.append("TroubleTicketInformationRequiredEvent")
        return out
    if ev.type in ("order.transferred", "order.escalated", "order.assigned", "order.updated"):
        return ["TroubleTicketAttributeValueChangeEvent"]
    return []


def _matches(query: dict[str, set[str]], event_type: str, ticket: dict[str, Any]) -> bool:
    checks = {"eventType": event_type, "ticketType": ticket.get("ticketType"), "status": ticket.get("status"),
              "severity": ticket.get("severity")}
    return all(checks[k] in wanted for k, wanted in query.items())


_SUBSCRIPTIONS = select(TmfSubscription)  # read for every relay batch of order events: built once
_DELIVERIES = TmfDelivery.__table__  # unique (subscription, event, type): added once


@events.subscribe_batch("order.*", ledger=False)
def queue_deliveries(ctx: Ctx, batch: list[events.Event]) -> None:
    """Once per relay batch; a subscription receives the events relayed after it was registered."""
    subs = list(ctx.session.scalars(_SUBSCRIPTIONS))
    if not subs:
        return
    ctx.principal = SYSTEM
    for ev in batch:
        _queue(ctx, ev, subs)


def _queue(ctx: Ctx, ev: events.Event, subs: list[TmfSubscription]) -> None:
    if ev.type == "order.deleted":
        resource = ev.payload["ticket"]
        reason = None
    else:
        order = service.get(ctx, int(ev.entity_id))
        detail = timeline.detail(ctx, order)
        resource = mapping.ticket(order, ev.payload.get("severity") or _severity(ctx, order), detail)
        reason = order.pending_reason
    for event_type in tmf_event_types(ev, resource, reason):
        body = json.dumps({"eventId": f"{ev.id}-{event_type}", "eventTime": mapping._iso(ev.at),
                           "eventType": event_type, "event": {"troubleTicket": resource}}, ensure_ascii=False)
        for sub in subs:
            if _matches(parse_query(sub.query), event_type, resource):
                ctx.uow.add_once(_DELIVERIES, {"subscription_id": sub.id, "event_id": ev.id,
                                                       "event_type": event_type, "body": body, "status": "pending",
                                                       "attempts": 0, "next_attempt_at": ctx.now()})


def _severity(ctx: Ctx, order: Any) -> int:
    return next((c.severity for c in config.categories(ctx) if c.code == order.category_code), 3)


@events.after_drain
def deliver_pending(factory: sessionmaker[Session], clock: Clock, settings: Settings, limit: int = 200,
                    client: httpx.Client | None = None) -> int:
    """POST due deliveries; returns how many were delivered. Failures back off exponentially.

    Runs after every relay pass, so the common case (nothing due) is one indexed query: the HTTP client,
    whose TLS context alone costs milliseconds, is built only when there is something to send.
    """
    delivered = 0
    with factory() as session:
        due = session.execute(
            select(TmfDelivery, TmfSubscription.callback)
            .join(TmfSubscription, TmfSubscription.id == TmfDelivery.subscription_id)
            .where(TmfDelivery.status == "pending", TmfDelivery.next_attempt_at <= clock.now())
            .order_by(TmfDelivery.id).limit(limit)
        ).all()
        if not due:
            return 0
        http = client or httpx.Client(timeout=5.0)
        try:
            for d, callback in due:
                try:
                    r = http.post(callback, content=d.body, headers={"Content-Type": "application/json",
                                                                      "X-Event-Id": f"{d.event_id}-{d.event_type}"})
                    ok, error = 200 <= r.status_code < 300, f"HTTP {r.status_code}"
                except httpx.HTTPError as e:
                    ok, error = False, str(e)[:300]
                d.attempts += 1
                if ok:
                    d.status, d.delivered_at, d.last_error = "delivered", clock.now(), None
                    delivered += 1
                else:
                    d.last_error = error
                    d.next_attempt_at = clock.now() + timedelta(seconds=min(3600, 5 * 2 ** (d.attempts - 1)))
                    if d.attempts >= MAX_ATTEMPTS:
                        d.status = "failed"
                        log.warning("TMF621 delivery %s to %s failed for good: %s", d.id, callback, error)
                session.commit()
        finally:
            if client is None:
                http.close()
    return delivered
