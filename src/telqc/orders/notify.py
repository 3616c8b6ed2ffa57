"""Customer and supervisor notifications, each sent exactly once.

Exactly-once has two halves.  `queue` has a `Notification` row written at
the commit of the change that causes it, under a unique key per
(order, event kind, occurrence): a retried request or job cannot create a
second row.  `deliver_pending` claims unsent rows with a conditional UPDATE
(only one relay wins each claim), sends it through the configured channel with
the key as the provider's idempotency key, and records `sent_at`; a re-run
relay finds nothing left to send.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass, field
from typing import Protocol

from sqlalchemy.orm import Session, sessionmaker

from telqc.core.clock import Clock
from telqc.core.context import Ctx
from telqc.core.i18n import t
from telqc.core.sending import SendQueue
from telqc.orders.lifecycle import history
from telqc.orders.models import Notification, Order

log = logging.getLogger("telqc.orders.notify")


@dataclass(frozen=True)
class Message:
    key: str  # idempotency key: providers drop a second request with the same key
    channel: str  # sms | push | internal
    recipient: str  # "customer:12", "user:3", "team:4"
    kind: str
    body: str


class NotificationChannel(Protocol):
    """SMS gateway / app push / internal inbox.  `send` raises on failure; the row stays unsent."""

    def send(self, message: Message) -> None: ...


class LogChannel:
    """Default channel when no gateway is configured: logs the message (embedded demo)."""

    def send(self, message: Message) -> None:
        log.info("notify %s %s %s: %s", message.channel, message.recipient, message.kind, message.body)


@dataclass
class RecordingChannel:
    """Test fake: remembers every message it was asked to send."""

    sent: list[Message] = field(default_factory=list)

    def send(self, message: Message) -> None:
        self.sent.append(message)


_channel: list[NotificationChannel] = [LogChannel()]
_lock = threading.Lock()


def set_channel(channel: NotificationChannel) -> NotificationChannel:
    """Install the channel used by `deliver_pending`; returns the previous one (tests restore it)."""
    with _lock:
        previous = _channel[0]
        _channel[0] = channel
    return previous


def channel() -> NotificationChannel:
    return _channel[0]


def _row(ctx: Ctx, order_id: int, kind: str, occurrence: object, recipient: str, body: str,
         via: str) -> dict[str, object]:
    return {"key": f"order:{order_id}:{kind}:{occurrence}", "order_id": order_id, "kind": kind, "channel": via,
            "recipient": recipient, "body": body, "created_at": ctx.now(), "attempts": 0}


def row(ctx: Ctx, order_id: int, kind: str, occurrence: object, recipient: str, body: str,
        via: str = "sms") -> dict[str, object]:
    """A notification row for `queue_many` (bulk callers such as the SLA sweep)."""
    return _row(ctx, order_id, kind, occurrence, recipient, body, via)


def queue_many(ctx: Ctx, rows: list[dict[str, object]]) -> int:
    """Insert the rows whose key is new (INSERT … ON CONFLICT DO NOTHING, executemany).

    Returns how many were inserted (RETURNING: drivers report no rowcount for ON CONFLICT batches)."""
    if not rows:
        return 0
    return _QUEUE.add(ctx.session, rows)  # flushes first: the orders the rows point at must exist


# The statements are built once (`core.sending`): every acknowledge and resolve queues a notification, and the
# relay runs `deliver` after every order event.
_QUEUE = SendQueue(Notification, "notification", log)
_TABLE = Notification.__table__


def queue(ctx: Ctx, order_id: int, kind: str, occurrence: object, recipient: str, body: str,
          via: str = "sms") -> None:
    """Create the notification row with the transaction's commit, unless one with the same key exists by then."""
    ctx.uow.add_once(_TABLE, _row(ctx, order_id, kind, occurrence, recipient, body, via))


def notify_customer(ctx: Ctx, o: Order, kind: str, occurrence: object, message_key: str) -> None:
    """Tell the customer (SMS) and show it on their timeline; `occurrence` makes the key unique."""
    body = t(message_key, "zh-CN", id=o.id, title=o.title)
    if kind == "resolved":
        o.customer_notified_at = ctx.now()
    # a new key: an order is acknowledged once and resolved once per reopen (states.TRANSITIONS)
    queue(ctx, o.id, kind, occurrence, f"customer:{o.customer_id}", body)
    history(ctx, o, "notify", None, kind, body, public=True)


def deliver(session: Session, clock: Clock, limit: int = 500) -> int:
    """Send unsent notifications inside the caller's transaction (the caller commits); returns how many.

    One conditional UPDATE claims the whole batch: a concurrent relay blocks on those rows and then finds
    them sent. A failed send is released again (its attempt still counted) and stays queued.
    """
    return _QUEUE.deliver(session, clock, _send, limit)


def _send(n: Notification) -> None:
    channel().send(Message(n.key, n.channel, n.recipient, n.kind, n.body))


def deliver_pending(factory: sessionmaker[Session], clock: Clock, limit: int = 500) -> int:
    """Standalone relay run (CLI, periodic job): one transaction, safe to re-run."""
    with factory() as session:
        n = deliver(session, clock, limit)
        session.commit()
    return n
