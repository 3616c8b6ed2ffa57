"""SLA sweep: warnings at 75 %, breaches at 100 %, then escalation rules.

Cost is proportional to the orders that are due, not to all open orders: the
sweep reads `orders.next_due_at <= now` through its index (the instant the
SLA status of an order next changes, maintained by every state change), and
each visited order gets a new `next_due_at` strictly in the future (or NULL),
so it will not be visited again until something new can happen.  Rows locked
by a concurrent writer are skipped (`SKIP LOCKED`) and picked up next run.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import bindparam, select, update

from telqc.core.context import Ctx
from telqc.orders import config, escalations, lifecycle, notify
from telqc.orders import repository as repo
from telqc.orders.escalation_rules import decide_escalation
from telqc.orders.models import Order, OrderPause
from telqc.orders.sla import Pause, SlaStatus


@dataclass
class SweepResult:
    due: int = 0
    warned: int = 0
    breached: int = 0
    escalated: int = 0


def _pauses(ctx: Ctx, ids: list[int]) -> dict[int, list[Pause]]:
    out: dict[int, list[Pause]] = defaultdict(list)
    if ids:
        rows = ctx.session.scalars(select(OrderPause).where(OrderPause.order_id.in_(ids))
                                   .order_by(OrderPause.order_id, OrderPause.start))
        for p in rows:
            out[p.order_id].append(Pause(p.start, p.end))
    return out


def sweep(ctx: Ctx, now: datetime | None = None, batch: int = 1000) -> SweepResult:
    """One pass over the due orders (at most `batch`); call again while `due == batch`."""
    now = now or ctx.now()
    res = SweepResult()
    orders = repo.due_orders(ctx.session, now, batch)
    if not orders:
        return res
    pols = config.policies(ctx)
    pauses = _pauses(ctx, [o.id for o in orders])
    notices: list[dict[str, object]] = []
    with ctx.session.no_autoflush:  # nothing is written until the batch is done
        for o in orders:
            res.due += 1
            _visit(ctx, o, pols, pauses[o.id], now, res, notices)
    _write_orders(ctx, orders)
    ctx.session.flush()  # history, escalations, outbox: batched INSERTs
    notify.queue_many(ctx, notices)
    return res


_SWEPT = ("sla_status", "next_due_at", "first_response_due", "resolution_due", "escalation_level", "priority",
          "handler_id", "team_id", "updated_at")


def _write_orders(ctx: Ctx, orders: list[Order]) -> None:
    """One executemany UPDATE for the batch instead of one round trip per order.

    The rows are locked (FOR UPDATE) since they were read, so the version check cannot fail; the
    version is still bumped so clients holding the old ETag get 412.  The ORM copies are expunged:
    their new state is what was written.
    """
    params = [{"_id": o.id, "_v": o.version, "_nv": o.version + 1, **{c: getattr(o, c) for c in _SWEPT}}
              for o in orders]
    table = Order.__table__
    stmt = (update(table).where(table.c.id == bindparam("_id"), table.c.version == bindparam("_v"))
            .values(version=bindparam("_nv"), **{c: bindparam(c) for c in _SWEPT}))
    for o in orders:
        ctx.session.expunge(o)
    result = ctx.session.connection().execute(stmt, params)
    if result.rowcount != len(params):  # pragma: no cover - only if the row lock was bypassed
        raise RuntimeError(f"sweep wrote {result.rowcount} of {len(params)} orders")


def _visit(ctx: Ctx, o: Order, pols: config.Policies, pauses: list[Pause], now: datetime, res: SweepResult,
           notices: list[dict[str, object]]) -> None:
    policy = lifecycle.policy_of(ctx, o, pols)
    before = o.sla_status
    rep = lifecycle.refresh_sla(o, policy, pauses, now)
    status = rep.status
    if status.value != before:
        if status is SlaStatus.WARNING:
            res.warned += 1
        elif status is SlaStatus.BREACHED:
            res.breached += 1
        lifecycle.history(ctx, o, "sla", before, status.value, "sla sweep")
        ctx.audit("order.sla_" + status.value, "order", o.id, **{"from": before, "at": lifecycle.iso(now)})
    worst = max((rep.first_response, rep.resolution),
                key=lambda t: ({"ok": 0, "warning": 1, "breached": 2}[t.status.value], t.fraction_used))
    esc = decide_escalation(o.type, o.priority, status, worst.fraction_used, o.escalation_level)
    if esc is not None:
        escalations.apply(ctx, o, esc, policy, notices)
        res.escalated += 1
    if o.next_due_at is not None and o.next_due_at <= now:  # defensive: never revisit in the same instant
        o.next_due_at = None


def sweep_all(ctx: Ctx, now: datetime | None = None, batch: int = 1000, max_batches: int = 100) -> SweepResult:
    """Repeat `sweep` until nothing is due (used by the CLI and the periodic task)."""
    total = SweepResult()
    for _ in range(max_batches):
        r = sweep(ctx, now, batch)
        total.due += r.due
        total.warned += r.warned
        total.breached += r.breached
        total.escalated += r.escalated
        if r.due < batch:
            break
    return total
