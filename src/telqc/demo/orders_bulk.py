"""Work orders in bulk for large demo databases: the rows and contract events the services would write.

An order through the order services costs ~20 ms (routing, SLA, history, audit chain, events and
their relay), so a million take hours. Beyond the first few hundred, ``seed_orders`` generates
orders here instead: the same tables and the same event payloads, with priorities, deadlines,
SLA status and business times from the orders' own engines, bulk-loaded (COPY on PostgreSQL).
Their events are stored as already-published history and handed to metrics as facts (the seed's
backfill folds them); surveys, recommendations and hub notifications are not generated for them.
"""

from __future__ import annotations

import json
import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from types import SimpleNamespace
from typing import Any
from zoneinfo import ZoneInfo

import numpy as np
from sqlalchemy import select

from telqc.core.context import Ctx
from telqc.core.events import OutboxEvent
from telqc.core.models import User
from telqc.customers.models import Customer
from telqc.demo import arrivals
from telqc.demo.bulk import BulkWriter
from telqc.demo.order_templates import PLACES, TEMPLATES, solution_for, stops
from telqc.demo.seed import fix_sequences, next_id
from telqc.metrics import ingest
from telqc.orders import config, lifecycle
from telqc.orders.escalation_rules import RiskCategory, detect_escalation_risk
from telqc.orders.models import Order, OrderCallback, OrderHistory
from telqc.orders.sla import derive_priority

BATCH = 10_000
MINUTE = 60.0
REWORK = timedelta(days=7)
"""A complaint reopened longer ago than this has been worked again, resolved and called back satisfied (as
`order_templates.stops` has older orders resolved); without it every reopened one stayed open and late."""


@dataclass
class _Template:
    type: str
    category: str
    title: str
    text: str
    severity: int
    department: str
    risk_terms: list[str]
    regulator: bool


@dataclass
class _Batch:
    orders: list[dict[str, Any]]
    history: list[dict[str, Any]]
    callbacks: list[dict[str, Any]]
    events: list[tuple[str, int, datetime, dict[str, Any]]]   # (type, order id, at, payload)


def _templates(ctx: Ctx) -> list[_Template]:
    cats = {c.code: c for c in config.categories(ctx)}
    out = []
    for kind, code, title, text in TEMPLATES:
        risk = [m for m in detect_escalation_risk(f"{title}\n{text}") if not m.negated] if kind == "complaint" else []
        out.append(_Template(kind, code, title, text, cats[code].severity, cats[code].department,
                             list(dict.fromkeys(m.term for m in risk)),
                             any(m.category is RiskCategory.REGULATOR for m in risk)))
    return out


def seed_bulk_orders(ctx: Ctx, count: int, days: int, seed: int, now: datetime,
                     progress: Callable[[int], None] | None = None) -> int:
    """Generate ``count`` orders created over the ``days`` before ``now``; returns how many were written."""
    s = ctx.session
    config.ensure_defaults(ctx)
    staff: dict[str, list[User]] = {}
    for u in s.scalars(select(User).where(User.role.in_(["agent", "supervisor"]), User.is_active.is_(True))
                       .order_by(User.id)):
        for province in u.region_scope or []:
            staff.setdefault(province, []).append(u)
    cust = s.execute(select(Customer.id, Customer.province_code, Customer.city_code, Customer.district_code,
                            Customer.area_type, Customer.tier).where(Customer.province_code.in_(list(staff)))
                     .order_by(Customer.id)).all()
    if not cust or count <= 0:
        return 0
    rng = np.random.default_rng(seed + 2)
    created = _arrivals(rng, now, days, count)
    gen = _Generator(ctx, _templates(ctx), staff, cust, now, random.Random(seed + 3))
    ids = {"order": next_id(s, Order.id), "history": next_id(s, OrderHistory.id),
           "callback": next_id(s, OrderCallback.id), "event": next_id(s, OutboxEvent.id)}
    writers: dict[str, BulkWriter] = {}
    made = 0
    for start in range(0, count, BATCH):
        batch = gen.batch(rng, created[start:start + BATCH], ids)
        _write(ctx, writers, batch, ids, now)
        made += len(batch.orders)
        if progress:
            progress(len(batch.orders))
    fix_sequences(s, ("orders", "order_history", "order_callbacks", "outbox_events"))
    return made


def _arrivals(rng: np.random.Generator, now: datetime, days: int, count: int) -> np.ndarray:
    """Creation instants shaped like contact arrivals (evening peak, bill days), ``count`` of them, sorted."""
    start = (now - timedelta(days=days)).date()
    lam = arrivals.expected_per_slot(start, days + 1, 1.0).ravel()
    local0 = datetime(start.year, start.month, start.day, tzinfo=ZoneInfo("Asia/Shanghai")).timestamp()
    slots = rng.choice(lam.size, size=count * 2, p=lam / lam.sum())
    epochs = local0 + slots * 900 + rng.uniform(0, 900, slots.size)
    epochs = epochs[(epochs < now.timestamp()) & (epochs >= now.timestamp() - days * 86400)]
    return np.sort(epochs[:count])


class _Generator:
    def __init__(self, ctx: Ctx, templates: list[_Template], staff: dict[str, list[User]], customers: Sequence[Any],
                 now: datetime, rnd: random.Random) -> None:
        self.templates, self.staff, self.customers, self.now, self.rnd = templates, staff, customers, now, rnd
        self.supervisor = {p: next((u for u in us if u.role == "supervisor"), us[0]) for p, us in staff.items()}
        self.policies = config.policies(ctx)

    def batch(self, rng: np.random.Generator, created: np.ndarray, ids: dict[str, int]) -> _Batch:
        n = created.size
        out = _Batch([], [], [], [])
        pick = rng.integers(0, len(self.customers), n)
        tpl = rng.integers(0, len(self.templates), n)
        fate = rng.random(n)
        waits = rng.lognormal(np.log([25, 90, 600, 300, 60]), 0.8, (n, 5)) * MINUTE  # ack, work, resolve, cb, close
        for i in range(n):
            self._one(out, datetime.fromtimestamp(float(created[i]), UTC), self.customers[int(pick[i])],
                      self.templates[int(tpl[i])], float(fate[i]), waits[i], ids)
        return out

    def _one(self, out: _Batch, t0: datetime, c: Any, t: _Template, fate: float, waits: np.ndarray,
             ids: dict[str, int]) -> None:
        cid, province, city, district, area, tier = c
        agent = self.rnd.choice(self.staff[province])
        oid = ids["order"]
        ids["order"] += 1
        # An Order-shaped draft, not a mapped instance: the orders' SLA and event helpers only read and set
        # these attributes, and ORM attribute tracking would cost more than the rest of the order.
        o: Any = SimpleNamespace(
            id=oid, type=t.type, category_code=t.category, status="new",
            priority=derive_priority(t.type, t.severity, tier, area).value, customer_id=cid,
            channel=self.rnd.choice(["hotline", "hotline", "app", "wechat", "web", "store"]),
            province_code=province, city_code=city, district_code=district, area_type=area, tier=tier,
            team_id=agent.team_id, handler_id=agent.id, reopen_count=0, first_response_due=None,
            resolution_due=None, sla_status="ok", next_due_at=None)
        policy = self.policies.table.match(o.type, o.priority, o.tier, o.area_type)
        steps: list[tuple[str, datetime, str | None]] = [("new", t0, "created")]
        at = t0
        floors = stops(self.now - t0)
        for state, wait, floor in (("acknowledged", 0, floors[0]), ("in_progress", 1, floors[1]),
                                   ("resolved", 2, floors[2])):
            at = at + timedelta(seconds=float(waits[wait]))
            if fate < floor or at >= self.now:
                break
            steps.append((state, at, None))
        cb_outcome = None
        if steps[-1][0] == "resolved":
            at = at + timedelta(seconds=float(waits[3] if t.type == "complaint" else waits[4]))
            if at < self.now:
                if t.type != "complaint":
                    steps.append(("closed", at, None))
                else:
                    cb_outcome = "satisfied" if self.rnd.random() < 0.85 else "unsatisfied"
                    steps.append(("callback", at, "callback started"))
                    steps.append(("closed" if cb_outcome == "satisfied" else "reopened", at,
                                  f"callback: {cb_outcome}"))
                    if cb_outcome == "unsatisfied" and self.now - at > REWORK:
                        again = [at + timedelta(seconds=float(waits[1:k].sum())) for k in (2, 3, 4)]
                        steps += [("in_progress", again[0], None), ("resolved", again[1], None),
                                  ("callback", again[2], "callback started"),
                                  ("closed", again[2], "callback: satisfied")]
        first_response = steps[1][1] if len(steps) > 1 else None
        resolved = next((a for s, a, _ in reversed(steps) if s == "resolved"), None)  # the last resolution
        final = steps[-1][0]
        o.status, o.created_at, o.updated_at = final, t0, steps[-1][1]
        o.first_response_at = first_response
        o.resolved_at = resolved if final in ("resolved", "callback", "closed") else None
        o.closed_at = steps[-1][1] if final == "closed" else None
        o.customer_notified_at = resolved
        o.reopen_count = 1 if any(s == "reopened" for s, _, _ in steps) else 0
        o.solution_code = solution_for(t.title, (oid % 4) / 4) if resolved else None
        lifecycle.refresh_sla(o, policy, [], self.now)
        o.sla_policy_id = self.policies.ids.get(policy.name)
        title = t.title
        text = t.text.format(n=self.rnd.randint(10, 90), place=self.rnd.choice(PLACES))
        o.description = text  # order.resolved carries it: the knowledge panel learns fixes from resolved texts
        out.orders.append({
            "id": oid, "type": o.type, "category_code": o.category_code, "severity": t.severity,
            "priority": o.priority, "status": o.status,
            "pending_reason": None, "customer_id": cid, "contact_id": None, "channel": o.channel, "title": title,
            "description": text, "owner_id": agent.id, "handler_id": agent.id, "team_id": agent.team_id,
            "department": t.department, "province_code": province, "city_code": city, "district_code": district,
            "area_type": area, "tier": tier, "escalation_level": "none", "escalation_risk": bool(t.risk_terms),
            "regulator_risk": t.regulator, "risk_terms": t.risk_terms, "is_repeat": False, "repeat_of_id": None,
            "sla_policy_id": o.sla_policy_id, "first_response_due": o.first_response_due,
            "resolution_due": o.resolution_due, "sla_status": o.sla_status, "next_due_at": o.next_due_at,
            "created_at": t0, "updated_at": o.updated_at, "first_response_at": o.first_response_at,
            "resolved_at": o.resolved_at, "closed_at": o.closed_at, "customer_notified_at": o.customer_notified_at,
            "solution_code": o.solution_code, "reopen_count": o.reopen_count, "version": len(steps),
        })
        prev = None
        for state, when, reason in steps:
            out.history.append({"id": ids["history"], "order_id": oid, "at": when, "actor_id": agent.id,
                                "field": "status", "from_value": prev, "to_value": state, "reason": reason,
                                "public": True})
            ids["history"] += 1
            prev = state
        self._events(out, o, t, steps, policy)
        if t.type == "complaint" and resolved is not None:
            # one callback task per resolution: done (with the outcome the next step shows) or still open
            since = resolved
            for k, (state, when, _) in enumerate(steps):
                if state == "resolved":
                    since = when
                if state != "callback" and not (state == "resolved" and k == len(steps) - 1):
                    continue
                done = state == "callback"
                out.callbacks.append({"id": ids["callback"], "order_id": oid, "created_at": since,
                                      "due_at": since + timedelta(days=1), "status": "done" if done else "open",
                                      "attempts": 1 if done else 0,
                                      "outcome": _outcome(steps, k) if done else None, "reason": None,
                                      "done_at": steps[k + 1][1] if done else None,
                                      "by_id": self.supervisor[o.province_code].id if done else None})
                ids["callback"] += 1

    def _events(self, out: _Batch, o: Any, t: _Template, steps: list[tuple[str, datetime, str | None]],
                policy: Any) -> None:
        d = lifecycle.dims(o)
        iso = lifecycle.iso
        base = {"order_id": o.id, "type": o.type}
        ev = out.events.append
        ev(("order.created", o.id, o.created_at, {**base, "priority": o.priority, "customer_id": o.customer_id,
                                                  "created_at": iso(o.created_at),
                                                  "escalation_risk": bool(t.risk_terms), "regulator": t.regulator,
                                                  "dims": d}))
        for k, (state, at, _) in enumerate(steps):
            if k == 0:
                continue
            if state == "acknowledged":
                ev(("order.first_response", o.id, at, {**base, "at": iso(at), "dims": d,
                                                       "business_s": lifecycle.business_seconds(policy.calendar, o,
                                                                                                at, [])}))
            elif state == "resolved":
                ev(("order.resolved", o.id, at, {
                    **base, "at": iso(at), "customer_id": o.customer_id,
                    "resolution_business_s": lifecycle.business_seconds(policy.calendar, o, at, []),
                    "within_deadline": o.resolution_due is None or at <= o.resolution_due,
                    "reopened": any(s == "reopened" for s, _, _ in steps[:k]),
                    "solution_code": o.solution_code, "description": o.description, "dims": d}))
            elif state == "callback":
                ev(("order.callback_recorded", o.id, at, {**base, "at": iso(at), "outcome": _outcome(steps, k),
                                                          "reason": None, "dims": d}))
            elif state == "reopened":
                ev(("order.reopened", o.id, at, {**base, "at": iso(at), "dims": d}))
            elif state == "closed":
                resolved = o.resolved_at or at
                ev(("order.closed", o.id, at, {
                    **base, "at": iso(at), "within_deadline": o.resolution_due is None or resolved <= o.resolution_due,
                    "closed_loop": o.type == "complaint" and steps[k - 1][0] == "callback", "dims": d}))


def _outcome(steps: list[tuple[str, datetime, str | None]], k: int) -> str:
    """The outcome of the callback at ``steps[k]``: the step after it closes (satisfied) or reopens the order."""
    return "satisfied" if steps[k + 1][0] == "closed" else "unsatisfied"


def _write(ctx: Ctx, writers: dict[str, BulkWriter], b: _Batch, ids: dict[str, int], now: datetime) -> None:
    s = ctx.session

    def put(name: str, table: Any, rows: list[dict[str, Any]]) -> None:
        if rows:
            w = writers.get(name) or writers.setdefault(name, BulkWriter(s, table, list(rows[0])))
            w.write(rows)

    put("orders", Order.__table__, b.orders)
    put("history", OrderHistory.__table__, b.history)
    put("callbacks", OrderCallback.__table__, b.callbacks)
    outbox: list[dict[str, Any]] = []
    facts: list[tuple[str, dict[str, Any], int]] = []
    for kind, oid, at, payload in b.events:
        eid = ids["event"]
        ids["event"] += 1
        outbox.append({"id": eid, "at": at, "type": kind, "entity_type": "order", "entity_id": str(oid),
                       "payload": json.dumps(payload, ensure_ascii=False), "published_at": now})
        facts.append((kind, payload, eid))
    put("outbox", OutboxEvent.__table__, outbox)
    ingest.import_facts(s, facts, now)
