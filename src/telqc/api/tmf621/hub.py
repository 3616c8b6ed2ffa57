"""TMF621 event hub: listeners subscribe with a callback and a query; every matching event is
queued once per listener (unique delivery row) and POSTed, signed, with retries and backoff.

A subscription belongs to the user who created it and receives exactly what that user's GET of the
ticket would show (`view.readable`, run as the owner: region scope and masking), so registering a
callback widens nobody's view. Only the owner or a ``hub:admin`` reads or deletes it, and anyone else
gets the 404 of a subscription that does not exist. Callbacks are checked against server-side request
forgery at subscribe and before every attempt (`callbacks.check`), and each attempt connects to the
address it checked. A delivery that fails ``TELQC_HUB_MAX_ATTEMPTS`` times is a dead letter, which an
administrator lists and replays.

Signature: every POST carries ``X-TelQC-Signature: t=<unix seconds>,v1=<hex>``, the HMAC-SHA256 under the
subscription's secret (answered once, at subscribe) of ``"<t>." + body``. A receiver recomputes it over the
raw body bytes, compares in constant time and refuses a ``t`` too far from its own clock (replays).

The unique delivery row is the hub's own ledger: a relay that runs again over the same events queues
nothing new (`UnitOfWork.add_once`), so the hub claims no delivery rows of the relay's (``ledger=False``).
Without a subscription (the usual case) a relay batch costs the hub one query. Delivery is at-least-once
on the wire (a crash between the listener's 2xx and our commit resends); each body carries ``eventId``.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import secrets
from contextlib import ExitStack
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import parse_qs

import anyio
import httpx
from anyio.from_thread import start_blocking_portal
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session, sessionmaker

from telqc.api.tmf621 import callbacks, mapping, view
from telqc.api.tmf621.models import TmfDelivery, TmfSubscription
from telqc.core import auth, events
from telqc.core.clock import Clock
from telqc.core.context import Ctx
from telqc.core.errors import BadRequest, Conflict, DomainError, NotFound
from telqc.core.models import User
from telqc.core.rbac import Perm, Principal
from telqc.core.settings import Settings
from telqc.core.uow import UnitOfWork

log = logging.getLogger("telqc.tmf621")
EVENT_TYPES = (
    "TroubleTicketCreateEvent", "TroubleTicketAttributeValueChangeEvent", "TroubleTicketStatusChangeEvent",
    "TroubleTicketDeleteEvent", "TroubleTicketResolvedEvent", "TroubleTicketInformationRequiredEvent",
)
QUERY_KEYS = {"eventType", "ticketType", "status", "severity"}
SIGNATURE_HEADER = "X-TelQC-Signature"
_MAX_ID = {"subscription": 2**31 - 1, "delivery": 2**63 - 1}  # Integer and BigInteger keys


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


def parse_id(raw: str, kind: str) -> int:
    """A path id; anything that cannot be an id (not digits, beyond the column) is a 404 like an unknown one."""
    if not raw.isascii() or not raw.isdigit() or not 0 < int(raw) <= _MAX_ID[kind]:
        raise NotFound(what=f"w.{kind}")
    return int(raw)


def sign(secret: str, timestamp: int, body: bytes) -> str:
    """The signature header's value; a receiver computes the same over the raw body it received."""
    mac = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={mac}"


def _principal(ctx: Ctx) -> Principal:
    assert ctx.principal is not None, "hub services need an acting user"
    return ctx.principal


def subscribe(ctx: Ctx, callback: str, query: str | None) -> tuple[TmfSubscription, str]:
    """Register a callback for the caller; answers the subscription and its signing secret (shown once)."""
    p = _principal(ctx)
    callbacks.check(callback, ctx.settings)
    parse_query(query)
    owned = ctx.session.scalar(select(func.count()).select_from(TmfSubscription)
                               .where(TmfSubscription.owner_id == p.user_id)) or 0
    if owned >= ctx.settings.hub_max_subscriptions:
        raise Conflict("tmf.hub.too_many", limit=ctx.settings.hub_max_subscriptions)
    secret = secrets.token_hex(32)
    sub = TmfSubscription(callback=callback, query=query, owner_id=p.user_id, created_at=ctx.now(), secret=secret)
    ctx.session.add(sub)
    ctx.session.flush()
    ctx.audit("tmf.subscribed", "tmf_subscription", sub.id, callback=callback, query=query)
    return sub, secret


def get(ctx: Ctx, sub_id: int) -> TmfSubscription:
    """A subscription the caller owns (any, for ``hub:admin``); 404 otherwise, so ids disclose nothing."""
    p = _principal(ctx)
    sub = ctx.session.get(TmfSubscription, sub_id)
    if sub is None or not (sub.owner_id == p.user_id or p.can(Perm.hub_admin)):
        raise NotFound(what="w.subscription")
    return sub


def unsubscribe(ctx: Ctx, sub_id: int) -> None:
    sub = get(ctx, sub_id)
    ctx.audit("tmf.unsubscribed", "tmf_subscription", sub_id, callback=sub.callback, owner_id=sub.owner_id)
    ctx.session.delete(sub)


def tmf_event_types(ev: events.Event, pending_reason: str | None) -> list[str]:
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


@dataclass(frozen=True)
class _Listener:
    id: int
    query: dict[str, set[str]]
    owner: Principal


# Read for every relay batch of order events: built once. Subscriptions from before signing (no secret) and
# those of deactivated users (who could not GET the ticket either) receive nothing.
_LISTENERS = (select(TmfSubscription.id, TmfSubscription.query, User)
              .join(User, User.id == TmfSubscription.owner_id)
              .where(TmfSubscription.secret.is_not(None), User.is_active.is_(True))
              .order_by(TmfSubscription.id))
_DELIVERIES = TmfDelivery.__table__  # unique (subscription, event, type): added once


@events.subscribe_batch("order.*", ledger=False)
def queue_deliveries(ctx: Ctx, batch: list[events.Event]) -> None:
    """Once per relay batch; a subscription receives the events relayed after it was registered."""
    rows = ctx.session.execute(_LISTENERS).all()
    if not rows:
        return
    owners: dict[int, Principal] = {}
    listeners = [_Listener(sid, parse_query(q), owners.setdefault(u.id, auth.principal_of(u))) for sid, q, u in rows]
    acting = ctx.principal
    try:
        for ev in batch:
            _queue(ctx, ev, listeners)
    finally:
        ctx.principal = acting


def _queue(ctx: Ctx, ev: events.Event, listeners: list[_Listener]) -> None:
    """Each owner's view of the ticket is read as that owner, once per event, however many callbacks they have."""
    seen: dict[int, tuple[dict[str, Any], list[str]] | None] = {}
    for sub in listeners:
        uid = sub.owner.user_id
        if uid not in seen:
            ctx.principal = sub.owner
            found = view.readable(ctx, int(ev.entity_id))
            seen[uid] = None if found is None else (found[0], tmf_event_types(ev, found[1].pending_reason))
        if (visible := seen[uid]) is None:
            continue  # outside the owner's scope: the owner's GET answers 404, so the event is not theirs
        resource, event_types = visible
        for event_type in event_types:
            if not _matches(sub.query, event_type, resource):
                continue
            body = json.dumps({"eventId": f"{ev.id}-{event_type}", "eventTime": mapping._iso(ev.at),
                               "eventType": event_type, "event": {"troubleTicket": resource}}, ensure_ascii=False)
            ctx.uow.add_once(_DELIVERIES, {"subscription_id": sub.id, "event_id": ev.id, "event_type": event_type,
                                           "body": body, "status": "pending", "attempts": 0,
                                           "next_attempt_at": ctx.now()})


def _backoff(attempts: int) -> timedelta:
    return timedelta(seconds=min(3600, 5 * 2 ** (attempts - 1)))


async def _post(http: httpx.AsyncClient, target: callbacks.Target, d: TmfDelivery, secret: str, now: datetime,
                timeout: float) -> str | None:
    """One attempt; None on a 2xx, else what went wrong. The answer's body is never read (nor a redirect).

    ``timeout`` is the attempt's whole wall-clock budget: connecting, sending and the status line and
    headers together (httpx's own timeouts apply to each read, so a receiver that drips its answer a byte
    at a time would otherwise hold the attempt, and its claim, for as long as it likes)."""
    body = d.body.encode()
    headers = {"Content-Type": "application/json", "Host": target.host_header,
               "X-Event-Id": f"{d.event_id}-{d.event_type}", SIGNATURE_HEADER: sign(secret, int(now.timestamp()), body)}
    try:
        with anyio.fail_after(timeout):
            async with http.stream("POST", target.request_url, content=body, headers=headers, follow_redirects=False,
                                   extensions=target.extensions) as r:
                status = r.status_code
    except TimeoutError:
        return f"Timeout: no complete answer within {timeout:g} s"
    except httpx.HTTPError as e:
        return (f"{type(e).__name__}: {e}")[:300]
    return None if 200 <= status < 300 else f"HTTP {status}"


def _claim(uow: UnitOfWork, delivery_id: int, now: datetime, settings: Settings) -> bool:
    """Take one due delivery for this pass, or learn that a concurrent pass has it.

    Passes run after every relay pass, in every worker, so two can select the same due rows. The claim is one
    conditional UPDATE, committed before the POST, that moves the row's next attempt past this attempt's
    longest duration; the pass whose UPDATE changed the row sends it, the other's matches nothing (PostgreSQL
    re-checks the condition after the first one commits; SQLite has one writer at a time). A pass that dies
    mid-send leaves the row due again when the lease ends, so a delivery is sent at least once and, short of
    a crash, exactly once."""
    lease = now + timedelta(seconds=2 * settings.hub_timeout_seconds + 30)
    claimed = uow.session.execute(
        update(TmfDelivery).where(TmfDelivery.id == delivery_id, TmfDelivery.status == "pending",
                                  TmfDelivery.next_attempt_at <= now)
        .values(next_attempt_at=lease).execution_options(synchronize_session=False))
    uow.commit()
    return getattr(claimed, "rowcount", 0) == 1


@events.after_drain
def deliver_pending(factory: sessionmaker[Session], clock: Clock, settings: Settings, limit: int = 200,
                    client: httpx.AsyncClient | None = None) -> int:
    """POST due deliveries; returns how many were delivered. Failures back off exponentially.

    Runs after every relay pass, so the common case (nothing due) is one indexed query: an HTTP client,
    whose TLS context alone costs milliseconds, is built only when there is something to send. Each
    callback is resolved and checked once per pass, just before its first attempt."""
    delivered = 0
    with factory() as session:
        due = session.execute(
            select(TmfDelivery, TmfSubscription.callback, TmfSubscription.secret)
            .join(TmfSubscription, TmfSubscription.id == TmfDelivery.subscription_id)
            .where(TmfDelivery.status == "pending", TmfDelivery.next_attempt_at <= clock.now(),
                   TmfSubscription.secret.is_not(None))
            .order_by(TmfDelivery.id).limit(limit)
        ).all()
        if not due:
            return 0
        ctx = Ctx(uow=UnitOfWork(session), clock=clock, settings=settings)
        targets: dict[str, callbacks.Target | str] = {}
        clients = _Clients(settings, client)
        try:
            for d, callback, secret in due:
                assert secret is not None, "selected with a secret only"
                if callback not in targets:
                    try:
                        targets[callback] = callbacks.check(callback, settings)
                    except DomainError as e:
                        targets[callback] = "refused: " + e.message("en")
                target = targets[callback]
                now = clock.now()
                if not _claim(ctx.uow, d.id, now, settings):
                    continue  # another pass (another worker) has it
                session.refresh(d)  # as claimed: attempts made by a pass that had it before
                error = target if isinstance(target, str) else clients.post(target, d, secret, now)
                d.attempts += 1
                d.last_attempt_at = now
                if error is None:
                    d.status, d.delivered_at, d.last_error = "delivered", now, None
                    delivered += 1
                else:
                    d.last_error = error[:500]
                    d.next_attempt_at = now + _backoff(d.attempts)
                    if d.attempts >= settings.hub_max_attempts:
                        d.status = "dead"
                        ctx.audit("tmf.delivery_dead", "tmf_delivery", d.id, subscription_id=d.subscription_id,
                                  event_type=d.event_type, attempts=d.attempts, error=d.last_error)
                        log.warning("TMF621 delivery %s to subscription %s is a dead letter: %s", d.id,
                                    d.subscription_id, error)
                ctx.uow.commit()
        finally:
            clients.close()
    return delivered


class _Clients:
    """One HTTP client per callback host name in a pass: connections go to pinned addresses, and a pooled
    connection opened (and its certificate checked) for one host must not carry another host's request
    that happens to resolve to the same address. No proxy or .netrc from the environment (``trust_env``):
    the checked address is the one connected to, and no ambient credentials travel to a callback.

    The clients are httpx's async ones, run for this (synchronous) pass on an event loop of its own in a
    thread (an anyio blocking portal, so it works whether or not the caller has a loop running), because an
    async request can be cancelled at a deadline wherever it is waiting (`_post`)."""

    def __init__(self, settings: Settings, given: httpx.AsyncClient | None) -> None:
        self.settings, self.given = settings, given
        self.made: dict[tuple[str, str, int | None], httpx.AsyncClient] = {}
        self.stack = ExitStack()
        self.portal = self.stack.enter_context(start_blocking_portal())

    def get(self, target: callbacks.Target) -> httpx.AsyncClient:
        if self.given is not None:
            return self.given
        key = (target.url.scheme, target.url.host, target.url.port)
        if key not in self.made:  # no per-read timeout: the attempt's deadline (`_post`) covers everything
            self.made[key] = httpx.AsyncClient(timeout=None, follow_redirects=False, trust_env=False)
        return self.made[key]

    def post(self, target: callbacks.Target, d: TmfDelivery, secret: str, now: datetime) -> str | None:
        return self.portal.call(_post, self.get(target), target, d, secret, now, self.settings.hub_timeout_seconds)

    def close(self) -> None:
        with self.stack:
            for c in self.made.values():
                self.portal.call(c.aclose)


def dead_letters(ctx: Ctx, offset: int, limit: int) -> tuple[list[tuple[TmfDelivery, str]], int]:
    """The dead letters, oldest first, with their callbacks (for ``hub:admin``: the route checks)."""
    where = TmfDelivery.status == "dead"
    total = ctx.session.scalar(select(func.count()).select_from(TmfDelivery).where(where)) or 0
    rows = ctx.session.execute(
        select(TmfDelivery, TmfSubscription.callback)
        .join(TmfSubscription, TmfSubscription.id == TmfDelivery.subscription_id)
        .where(where).order_by(TmfDelivery.id).offset(offset).limit(limit)).all()
    return [(d, cb) for d, cb in rows], total


def replay(ctx: Ctx, delivery_id: int) -> tuple[TmfDelivery, str]:
    """A dead letter back to pending with a fresh set of attempts, due at once; answers it and its callback."""
    d = ctx.session.get(TmfDelivery, delivery_id, with_for_update=True)
    if d is None:
        raise NotFound(what="w.delivery")
    if d.status != "dead":
        raise Conflict("tmf.hub.not_dead", status=d.status)
    ctx.audit("tmf.delivery_replayed", "tmf_delivery", d.id, subscription_id=d.subscription_id,
              event_type=d.event_type, attempts=d.attempts, error=d.last_error)
    d.status, d.attempts, d.next_attempt_at = "pending", 0, ctx.now()
    callback = ctx.session.scalar(select(TmfSubscription.callback).where(TmfSubscription.id == d.subscription_id))
    return d, callback or ""
