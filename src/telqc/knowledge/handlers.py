"""Learn from outcomes: resolved orders become cases; reopenings, repeat contacts and CSAT mark them."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select, update

from telqc.core import events
from telqc.core.context import Ctx
from telqc.knowledge.models import KbCase

REPEAT_WINDOW = timedelta(days=7)  # FCR: no repeat contact by the same customer within 7 days (KPI.md)


def _at(value: str) -> datetime:
    return datetime.fromisoformat(value)


@events.subscribe("order.resolved")
def record_case(ctx: Ctx, ev: events.Event) -> None:
    p = ev.payload
    if not p.get("solution_code"):
        return
    case = ctx.session.get(KbCase, int(p["order_id"]))
    dims = p.get("dims") or {}
    if case is None:
        case = KbCase(order_id=int(p["order_id"]))
        ctx.session.add(case)
    case.customer_id = p.get("customer_id")
    case.category = dims.get("category")
    case.description = p.get("description") or ""
    case.solution_code = p["solution_code"]
    case.resolved_at = _at(p["at"])
    case.reopened = bool(p.get("reopened")) or bool(case.reopened)


@events.subscribe("order.reopened")
def mark_reopened(ctx: Ctx, ev: events.Event) -> None:
    ctx.session.execute(update(KbCase).where(KbCase.order_id == int(ev.payload["order_id"])).values(reopened=True))


@events.subscribe("contact.closed")
def mark_repeat_contact(ctx: Ctx, ev: events.Event) -> None:
    p = ev.payload
    customer, started = p.get("customer_id"), p.get("started_at")
    if customer is None or started is None:
        return
    at = _at(started)
    ctx.session.execute(update(KbCase).where(
        KbCase.customer_id == customer, KbCase.resolved_at < at, KbCase.resolved_at >= at - REPEAT_WINDOW,
    ).values(repeat_contact=True))


@events.subscribe("survey.answered")
def record_csat(ctx: Ctx, ev: events.Event) -> None:
    p = ev.payload
    if p.get("order_id") is None or p.get("csat") is None:
        return
    case = ctx.session.scalar(select(KbCase).where(KbCase.order_id == int(p["order_id"])))
    if case is not None:
        case.csat = int(p["csat"])
