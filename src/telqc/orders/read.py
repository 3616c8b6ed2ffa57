"""What other domains may read of orders without the service: the China holiday calendar the SLA engine uses,
repair orders per area and day (the field engineers' forecast), complaints, repeat complaints and unresolved
orders per customer (the tier and stage assessment, the churn features).

Workforce forecasting needs the same days off and make-up working days (调休上班) as the SLA clock, from the
same data file, so a holiday edited there moves both.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from telqc.orders.holidays import CN_HOLIDAYS
from telqc.orders.models import Order
from telqc.orders.states import OrderState

# Still waiting for a resolution: the customer has no answer yet. Resolved and in callback are not (the fix is
# given and only the customer's confirmation is pending), nor closed or cancelled.
UNRESOLVED = (OrderState.NEW, OrderState.ACKNOWLEDGED, OrderState.IN_PROGRESS, OrderState.PENDING,
              OrderState.REOPENED)


def china_days_off() -> frozenset[date]:
    """Public-holiday days off of every year in the data (provisional years included)."""
    return frozenset(d for y in CN_HOLIDAYS.values() for d in y.holidays)


def china_makeup_days() -> frozenset[date]:
    """Weekend days worked in exchange for bridge days off."""
    return frozenset(d for y in CN_HOLIDAYS.values() for d in y.makeup_days)


def repair_orders_per_day(session: Session, start: date, end: date, tz: ZoneInfo
                          ) -> dict[tuple[str, str, str], dict[date, int]]:
    """Repair orders created per local day in [start, end], by (province, city, area type): the field
    engineers' forecast input (workforce), read without the orders service's per-user scope."""
    lo = datetime(start.year, start.month, start.day, tzinfo=tz)
    hi = datetime(end.year, end.month, end.day, tzinfo=tz) + timedelta(days=1)
    out: dict[tuple[str, str, str], dict[date, int]] = {}
    rows = session.execute(select(Order.created_at, Order.province_code, Order.city_code, Order.area_type)
                           .where(Order.type == "repair", Order.created_at >= lo, Order.created_at < hi))
    for at, province, city, area in rows:
        per_day = out.setdefault((province, city or "", area), {})
        day = at.astimezone(tz).date()
        per_day[day] = per_day.get(day, 0) + 1
    return out


def complaints_per_customer(session: Session, since: datetime) -> dict[int, int]:
    """Complaint orders created since ``since``, counted per customer (every province: a scheduled job's read)."""
    rows = session.execute(select(Order.customer_id, func.count()).where(Order.type == "complaint",
                                                                         Order.created_at >= since)
                           .group_by(Order.customer_id))
    return {int(cid): int(n) for cid, n in rows}


def repeat_complaints_per_customer(session: Session, since: datetime) -> dict[int, int]:
    """Complaints created since ``since`` that repeat an earlier one (same customer and category within 30
    days, flagged when filed: `complaints.flag_repeat`), counted per customer."""
    rows = session.execute(select(Order.customer_id, func.count()).where(
        Order.type == "complaint", Order.is_repeat.is_(True), Order.created_at >= since).group_by(Order.customer_id))
    return {int(cid): int(n) for cid, n in rows}


def unresolved_per_customer(session: Session) -> dict[int, int]:
    """Orders of any type still waiting for a resolution (`UNRESOLVED`), counted per customer."""
    rows = session.execute(select(Order.customer_id, func.count()).where(
        Order.status.in_([s.value for s in UNRESOLVED])).group_by(Order.customer_id))
    return {int(cid): int(n) for cid, n in rows}


def history_of(session: Session, customer_id: int, since: datetime) -> dict[str, tuple[int, int]]:
    """One customer's orders by type: (created since ``since``, ever), for the profile an agent reads beside an
    order (故障/投诉历史, 质量分析 四.一.1); types without orders are absent."""
    recent = func.sum(case((Order.created_at >= since, 1), else_=0))
    rows = session.execute(select(Order.type, recent, func.count()).where(Order.customer_id == customer_id)
                           .group_by(Order.type))
    return {str(kind): (int(n_recent or 0), int(n)) for kind, n_recent, n in rows}


def complaints_per_customer_month(session: Session, since: datetime, tz: ZoneInfo
                                  ) -> dict[tuple[int, int], tuple[int, int]]:
    """Complaints created since ``since`` per (customer, local month as year * 12 + month - 1): (complaints, of
    them repeats): the churn model's history, month by month."""
    out: dict[tuple[int, int], tuple[int, int]] = {}
    for cid, at, repeat in session.execute(select(Order.customer_id, Order.created_at, Order.is_repeat).where(
            Order.type == "complaint", Order.created_at >= since)):
        local = at.astimezone(tz)
        key = (int(cid), local.year * 12 + local.month - 1)
        n, r = out.get(key, (0, 0))
        out[key] = (n + 1, r + int(bool(repeat)))
    return out
