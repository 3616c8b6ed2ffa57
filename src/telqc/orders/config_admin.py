"""Configuration changes by orders:admin: categories, business calendars and SLA policies.

Each write is validated before anything is stored, audited, and takes effect at once in this process and
within `config.CACHE_SECONDS` in the others (`config.took_effect`).
"""

from __future__ import annotations

from enum import StrEnum
from itertools import product
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from telqc.core.context import Ctx
from telqc.core.errors import Conflict, Invalid, NotFound
from telqc.orders import schemas
from telqc.orders.calendar import parse_intervals
from telqc.orders.config import build_calendar, ensure_defaults, read_policies, took_effect
from telqc.orders.models import OrderCalendar, OrderCategory, OrderSlaPolicy
from telqc.orders.sla import Area, CustomerTier, NoMatchingPolicy, PolicyTable, Priority
from telqc.orders.states import OrderType


def _value(e: StrEnum | None) -> str | None:
    return None if e is None else e.value


def _columns(row: Any, names: tuple[str, ...]) -> dict[str, Any]:
    return {n: getattr(row, n) for n in names}


_CATEGORY = ("code", "parent_code", "order_type", "name", "name_en", "severity", "department", "skill", "active")
_CALENDAR = ("tz_name", "weekly", "cn_holidays", "extra_holidays", "makeup_days")
_POLICY = ("order_type", "priority", "tier", "area", "first_response_min", "resolution_min", "calendar_name",
           "always_open", "warn_fraction")
_WEEKDAY_KEYS = frozenset(str(i) for i in range(7))


def create_category(ctx: Ctx, data: schemas.CategoryIn) -> OrderCategory:
    """A new category; a child must share its parent's order type, since routing, priority and reports
    read the type from the whole branch."""
    ensure_defaults(ctx)
    session = ctx.session
    if session.get(OrderCategory, data.code) is not None:
        raise Conflict("error.duplicate", field="body.code", what="w.category")
    if data.parent_code is not None:
        parent = session.get(OrderCategory, data.parent_code)
        if parent is None:
            raise Invalid("error.not_found", field="body.parent_code", what="w.category")
        if parent.order_type != data.order_type:
            raise Invalid("orders.error.parent_type", field="body.parent_code", parent_type=parent.order_type,
                          type=data.order_type.value)
    row = OrderCategory(code=data.code, parent_code=data.parent_code, order_type=data.order_type.value,
                        name=data.name, name_en=data.name_en, severity=data.severity, department=data.department,
                        skill=data.skill, active=data.active)
    try:
        with session.begin_nested():
            session.add(row)
            session.flush()
    except IntegrityError:  # the same code created concurrently
        raise Conflict("error.duplicate", field="body.code", what="w.category") from None
    took_effect(ctx)
    ctx.audit("orders.category_created", "order_category", row.code, **_columns(row, _CATEGORY))
    return row


def update_category(ctx: Ctx, code: str, data: schemas.CategoryPatch) -> OrderCategory:
    """Rename, re-route or (de)activate a category.  An inactive category refuses new orders; orders
    already in it keep their department and priority."""
    ensure_defaults(ctx)
    row = ctx.session.get(OrderCategory, code)
    if row is None:
        raise NotFound(what="w.category")
    changes = {k: [getattr(row, k), v] for k, v in data.model_dump(exclude_unset=True).items()
               if getattr(row, k) != v}
    if changes:
        for k, (_old, new) in changes.items():
            setattr(row, k, new)
        ctx.session.flush()
        took_effect(ctx)
        ctx.audit("orders.category_updated", "order_category", code, changes=changes)
    return row


def _calendar_values(ctx: Ctx, data: schemas.CalendarIn) -> dict[str, Any]:
    """Checked column values; 422 on the first bad field, before anything is written."""
    try:
        ZoneInfo(data.tz_name)
    except (KeyError, ValueError, OSError):  # ZoneInfoNotFoundError is a KeyError
        raise Invalid("orders.error.bad_tz", field="body.tz_name", tz=data.tz_name) from None
    working = False
    for key, spec in data.weekly.items():
        if key not in _WEEKDAY_KEYS:
            raise Invalid("orders.error.bad_weekday", field=f"body.weekly.{key}")
        try:  # the engine's own parser: start < end, inside the day
            working |= bool(parse_intervals(spec))
        except ValueError:
            raise Invalid("orders.error.bad_interval", field=f"body.weekly.{key}", spec=spec) from None
    if not working:
        raise Invalid("orders.error.no_working_time", field="body.weekly")
    holidays = set(data.extra_holidays)
    for i, d in enumerate(data.makeup_days):
        if d in holidays:
            raise Invalid("orders.error.holiday_makeup", field=f"body.makeup_days.{i}", day=d.isoformat())
    return {"tz_name": data.tz_name, "weekly": dict(sorted(data.weekly.items())), "cn_holidays": data.cn_holidays,
            "extra_holidays": [d.isoformat() for d in sorted(holidays)],
            "makeup_days": [d.isoformat() for d in sorted(set(data.makeup_days))], "updated_at": ctx.now()}


def put_calendar(ctx: Ctx, name: str, data: schemas.CalendarIn) -> tuple[OrderCalendar, bool]:
    """Create or replace a business calendar (True if created).  It is built into the engine calendar
    before it is stored, so a calendar that cannot count time never reaches an order's deadline.

    Existing orders keep the deadlines already computed; new orders, and later SLA recomputations of
    existing ones (a status change, the sweep), count time on the new calendar."""
    ensure_defaults(ctx)
    values = _calendar_values(ctx, data)
    try:
        build_calendar(OrderCalendar(name=name, **values)).next_working_instant(ctx.now())
    except ValueError:
        raise Invalid("orders.error.no_working_time", field="body.weekly") from None
    session = ctx.session
    row = session.get(OrderCalendar, name)
    before = None if row is None else _columns(row, _CALENDAR)
    try:
        with session.begin_nested():
            if row is None:
                row = OrderCalendar(name=name)
                session.add(row)
            for k, v in values.items():
                setattr(row, k, v)
            session.flush()
    except IntegrityError:  # the same new name created concurrently
        raise Conflict("error.duplicate", field="path.name", what="w.calendar") from None
    took_effect(ctx)
    ctx.audit("orders.calendar_created" if before is None else "orders.calendar_replaced", "order_calendar",
              name, before=before, after=_columns(row, _CALENDAR))
    return row, before is None


def put_policy(ctx: Ctx, name: str, data: schemas.PolicyIn) -> tuple[OrderSlaPolicy, bool]:
    """Create or replace an SLA policy (True if created).  The whole table is rebuilt before the change
    stays: two rules with the same key, or an order that no rule covers, would stop order creation.

    Existing orders keep the deadlines already computed; new orders use the new table, and later SLA
    recomputations of existing ones (a status change, the sweep) use their policy row's new targets."""
    ensure_defaults(ctx)
    session = ctx.session
    if session.get(OrderCalendar, data.calendar_name) is None:
        raise Invalid("error.not_found", field="body.calendar_name", what="w.calendar")
    if data.resolution_min < data.first_response_min:
        raise Invalid("orders.error.resolution_before_response", field="body.resolution_min",
                      first_response_min=data.first_response_min)
    values: dict[str, Any] = {
        "order_type": _value(data.order_type), "priority": _value(data.priority), "tier": _value(data.tier),
        "area": _value(data.area), "first_response_min": data.first_response_min,
        "resolution_min": data.resolution_min, "calendar_name": data.calendar_name,
        "always_open": data.always_open, "warn_fraction": data.warn_fraction}
    # One policy writer at a time (PostgreSQL; SQLite serialises writers): the checks below then see
    # every rule committed before this one.
    row = next((r for r in session.scalars(select(OrderSlaPolicy).with_for_update()) if r.name == name), None)
    before = None if row is None else _columns(row, _POLICY)
    with session.begin_nested():  # rolled back if the new table is ambiguous or leaves an order uncovered
        if row is None:
            row = OrderSlaPolicy(name=name)
            session.add(row)
        for k, v in values.items():
            setattr(row, k, v)
        row.updated_at = ctx.now()
        try:
            session.flush()
        except IntegrityError:  # the same new name created concurrently
            raise Conflict("error.duplicate", field="path.name", what="w.policy") from None
        other = session.scalar(select(OrderSlaPolicy.name).where(
            OrderSlaPolicy.id != row.id, *(getattr(OrderSlaPolicy, k).is_not_distinct_from(values[k])
                                           for k in _POLICY[:4])))
        if other is not None:
            raise Conflict("orders.error.policy_key", other=other)
        gap = _uncovered(read_policies(session).table)
        if gap is not None:
            narrowed = next((f"body.{k}" for k in _POLICY[:4]
                             if values[k] is not None and (before is None or before[k] != values[k])), "body")
            raise Invalid("orders.error.policy_gap", field=narrowed, orders="/".join(gap))
    took_effect(ctx)
    ctx.audit("orders.sla_policy_created" if before is None else "orders.sla_policy_replaced", "order_sla_policy",
              name, before=before, after=_columns(row, _POLICY))
    return row, before is None


def _uncovered(table: PolicyTable) -> tuple[str, str, str, str] | None:
    """The first (type, priority, tier, area) no rule matches, if any."""
    for key in product(OrderType, Priority, CustomerTier, Area):
        try:
            table.match(*key)
        except NoMatchingPolicy:
            return (key[0].value, key[1].value, key[2].value, key[3].value)
    return None


def list_calendars(ctx: Ctx) -> list[OrderCalendar]:
    ensure_defaults(ctx)
    return list(ctx.session.scalars(select(OrderCalendar).order_by(OrderCalendar.name)))


def list_policies(ctx: Ctx) -> list[OrderSlaPolicy]:
    ensure_defaults(ctx)
    return list(ctx.session.scalars(select(OrderSlaPolicy).order_by(OrderSlaPolicy.id)))
