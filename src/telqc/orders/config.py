"""Stored order configuration: category tree, business calendars and SLA policies.

Defaults are written on first use (`ensure_defaults`) so a fresh installation
(and every test database) has the China business calendar, a Chinese category
tree and a policy for every (type, priority, tier, area) combination.  The
stored rows are built into the pure engines (`calendar.BusinessCalendar`,
`sla.PolicyTable`) and kept per process and database as one immutable
`Snapshot`: every order write needs the category and the policy table, and
re-reading three tables per request cost more than the write itself.  A
snapshot is re-read after `CACHE_SECONDS` (engines are rebuilt only when the
row content changed), so an operator's change to a policy, calendar or
category reaches every API process within that time; this process's own
writes (`ensure_defaults`, and the orders:admin writes in `orders.config_admin`)
take effect at once.
"""

from __future__ import annotations

import json
import threading
import time
import weakref
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import Engine, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from telqc.core.context import Ctx
from telqc.core.uow import UnitOfWork
from telqc.orders.calendar import BusinessCalendar
from telqc.orders.holidays import CN_HOLIDAYS
from telqc.orders.models import OrderCalendar, OrderCategory, OrderSlaPolicy
from telqc.orders.sla import Area, CustomerTier, PolicyRule, PolicyTable, Priority, SlaPolicy
from telqc.orders.states import OrderType

CACHE_SECONDS = 30.0
"""How long a process trusts its configuration snapshot before re-reading the three tables."""
BUSINESS_CALENDAR = "cn_business"
ALWAYS_OPEN_CALENDAR = "7x24"

# code, parent, type, name, name_en, severity, department, skill
DEFAULT_CATEGORIES: list[tuple[str, str | None, str, str, str, int, str, str | None]] = [
    ("complaint", None, "complaint", "投诉", "Complaint", 3, "客服中心", "complaint"),
    ("complaint.network", "complaint", "complaint", "网络质量", "Network quality", 2, "网络部", "network"),
    ("complaint.billing", "complaint", "complaint", "资费争议", "Billing and tariff transparency", 2, "计费部",
     "billing"),
    ("complaint.attitude", "complaint", "complaint", "服务态度", "Service attitude", 3, "客服中心", "complaint"),
    ("complaint.product", "complaint", "complaint", "产品质量", "Product quality", 3, "产品部", "complaint"),
    ("complaint.technical", "complaint", "complaint", "技术故障", "Technical fault", 2, "技术支持部", "network"),
    ("complaint.handling", "complaint", "complaint", "业务办理差错", "Business handling error", 2, "业务支撑部",
     "business"),
    ("consultation", None, "consultation", "咨询", "Consultation", 4, "客服中心", None),
    ("consultation.billing", "consultation", "consultation", "账单查询", "Bill enquiry", 4, "客服中心", None),
    ("consultation.plan", "consultation", "consultation", "套餐咨询", "Plan enquiry", 4, "客服中心", None),
    ("consultation.network", "consultation", "consultation", "网络咨询", "Network enquiry", 4, "客服中心", None),
    ("business", None, "business", "业务办理", "Business request", 3, "业务支撑部", "business"),
    ("business.plan_change", "business", "business", "套餐变更", "Plan change", 3, "业务支撑部", "business"),
    ("business.ownership", "business", "business", "过户", "Ownership transfer", 3, "业务支撑部", "business"),
    ("business.cancel", "business", "business", "销户", "Account cancellation", 3, "业务支撑部", "business"),
    ("business.install", "business", "business", "宽带装机", "Broadband installation", 2, "装维中心", "broadband"),
    ("repair", None, "repair", "故障报修", "Fault repair", 3, "装维中心", "repair"),
    ("repair.broadband", "repair", "repair", "宽带故障", "Broadband fault", 2, "装维中心", "broadband"),
    ("repair.mobile", "repair", "repair", "手机信号", "Mobile signal", 2, "网络部", "network"),
    ("repair.iptv", "repair", "repair", "IPTV故障", "IPTV fault", 3, "装维中心", "iptv"),
    ("repair.device", "repair", "repair", "终端故障", "Device fault", 3, "装维中心", "device"),
]

# name, type, priority, tier, area, first response (min), resolution (min), calendar, 7×24
# Business minutes on the 7.5-hour China business day; 7×24 for repairs (service loss).
DEFAULT_POLICIES: list[tuple[str, str | None, str | None, str | None, str | None, int, int, str, bool]] = [
    ("默认", None, None, None, None, 240, 2250, BUSINESS_CALENDAR, False),
    ("咨询", "consultation", None, None, None, 60, 450, BUSINESS_CALENDAR, False),
    ("业务办理", "business", None, None, None, 240, 900, BUSINESS_CALENDAR, False),
    ("投诉", "complaint", None, None, None, 120, 1350, BUSINESS_CALENDAR, False),
    ("投诉-P1", "complaint", "P1", None, None, 60, 450, BUSINESS_CALENDAR, False),
    ("投诉-VIP", "complaint", None, "vip", None, 30, 900, BUSINESS_CALENDAR, False),
    ("报修-城市", "repair", None, None, "urban", 120, 1440, ALWAYS_OPEN_CALENDAR, True),
    ("报修-农村", "repair", None, None, "rural", 240, 2880, ALWAYS_OPEN_CALENDAR, True),
    ("报修-P1-城市", "repair", "P1", None, "urban", 60, 720, ALWAYS_OPEN_CALENDAR, True),
    ("报修-P1-农村", "repair", "P1", None, "rural", 120, 1440, ALWAYS_OPEN_CALENDAR, True),
]

_WEEKDAYS = {str(i): "09:00-12:00,13:30-18:00" for i in range(5)}


def ensure_defaults(ctx: Ctx) -> None:
    """Write the default configuration if none exists (idempotent; a concurrent first call is harmless)."""
    s = ctx.session
    if s.scalar(select(OrderCategory.code).limit(1)) is not None:
        return
    now = ctx.now()
    try:
        with s.begin_nested():
            s.add(OrderCalendar(name=BUSINESS_CALENDAR, tz_name="Asia/Shanghai", weekly=_WEEKDAYS, cn_holidays=True,
                                extra_holidays=[], makeup_days=[], updated_at=now))
            s.add(OrderCalendar(name=ALWAYS_OPEN_CALENDAR, tz_name="Asia/Shanghai",
                                weekly={str(i): "00:00-24:00" for i in range(7)}, cn_holidays=False,
                                extra_holidays=[], makeup_days=[], updated_at=now))
            s.flush()
            for code, parent, ot, name, name_en, sev, dept, skill in DEFAULT_CATEGORIES:
                s.add(OrderCategory(code=code, parent_code=parent, order_type=ot, name=name, name_en=name_en,
                                    severity=sev, department=dept, skill=skill, active=True))
                s.flush()
            for name, order_type, pr, tier, area, fr, res, cal, always in DEFAULT_POLICIES:
                s.add(OrderSlaPolicy(name=name, order_type=order_type, priority=pr, tier=tier, area=area,
                                     first_response_min=fr, resolution_min=res, calendar_name=cal,
                                     always_open=always, warn_fraction=0.75, updated_at=now))
            s.flush()
    except IntegrityError:
        return  # another transaction wrote them first
    took_effect(ctx)
    ctx.audit("orders.config_defaults", "order_config", "default", categories=len(DEFAULT_CATEGORIES),
              policies=len(DEFAULT_POLICIES))


def build_calendar(row: OrderCalendar) -> BusinessCalendar:
    """Stored row → engine calendar; China holidays come from `calendar.CN_HOLIDAYS` (官方放假通知)."""
    key = json.dumps([row.name, row.tz_name, row.weekly, row.cn_holidays, row.extra_holidays, row.makeup_days],
                     sort_keys=True)
    with _LOCK:
        cal = _CALENDARS.get(key)
    if cal is not None:
        return cal
    holidays = {date.fromisoformat(d) for d in row.extra_holidays}
    makeup = {date.fromisoformat(d) for d in row.makeup_days}
    if row.cn_holidays:
        for hy in CN_HOLIDAYS.values():
            holidays |= hy.holidays
            makeup |= set(hy.makeup_days)
    cal = BusinessCalendar.from_spec(row.tz_name, {int(k): v for k, v in row.weekly.items()}, holidays - makeup,
                                     makeup, name=row.name)
    with _LOCK:
        _CALENDARS[key] = cal
    return cal


_LOCK = threading.Lock()
_CALENDARS: dict[str, BusinessCalendar] = {}
_TABLES: dict[str, Policies] = {}


@dataclass(frozen=True)
class Policies:
    """Policy table plus the row id of every engine policy (orders store which policy applied)."""

    table: PolicyTable
    ids: dict[str, int]  # policy name → row id
    by_id: dict[int, SlaPolicy]


@dataclass(frozen=True)
class Category:
    """One row of the category tree, detached from any session."""

    code: str
    parent_code: str | None
    order_type: str
    name: str
    name_en: str
    severity: int
    department: str
    skill: str | None
    active: bool


@dataclass(frozen=True)
class Snapshot:
    categories: dict[str, Category]  # by code, in code order
    policies: Policies
    loaded_at: float  # time.monotonic()


_SNAPSHOTS: weakref.WeakKeyDictionary[Engine, Snapshot] = weakref.WeakKeyDictionary()
# Units of work that wrote configuration, with the snapshot they read of it (None: not read yet): until it
# commits, only the writer may see its configuration.
_WRITERS: weakref.WeakKeyDictionary[UnitOfWork, Snapshot | None] = weakref.WeakKeyDictionary()


def invalidate() -> None:
    """Forget every snapshot of this process (after writing configuration)."""
    with _LOCK:
        _SNAPSHOTS.clear()


def took_effect(ctx: Ctx) -> None:
    """After a configuration write: the writing unit of work reads its own (uncommitted) configuration at once.

    Until it commits the snapshot stays with it: a rollback must not leave other requests a configuration
    whose rows are gone.  The process's snapshots are dropped now and again after the commit, so a request
    that re-read the old rows in between does not keep them for `CACHE_SECONDS`.
    """
    _WRITERS[ctx.uow] = None
    invalidate()
    ctx.uow.on_commit(invalidate)


def _engine(session: Session) -> Engine:
    bind = session.get_bind()
    return bind if isinstance(bind, Engine) else bind.engine


def snapshot(ctx: Ctx) -> Snapshot:
    """The configuration of the session's database, read at most every `CACHE_SECONDS` per process."""
    if ctx.uow in _WRITERS:
        own = _WRITERS[ctx.uow] or Snapshot(_read_categories(ctx.session), read_policies(ctx.session),
                                            time.monotonic())
        _WRITERS[ctx.uow] = own
        return own
    engine = _engine(ctx.session)
    with _LOCK:
        snap = _SNAPSHOTS.get(engine)
    now = time.monotonic()
    if snap is not None and now - snap.loaded_at < CACHE_SECONDS:
        return snap
    snap = Snapshot(_read_categories(ctx.session), read_policies(ctx.session), now)
    if snap.categories:  # an empty one is about to be written by ensure_defaults
        with _LOCK:
            _SNAPSHOTS[engine] = snap
    return snap


def _read_categories(session: Session) -> dict[str, Category]:
    rows = session.scalars(select(OrderCategory).order_by(OrderCategory.code))
    return {r.code: Category(r.code, r.parent_code, r.order_type, r.name, r.name_en, r.severity, r.department,
                             r.skill, r.active) for r in rows}


def read_policies(session: Session) -> Policies:
    rows = list(session.scalars(select(OrderSlaPolicy).order_by(OrderSlaPolicy.id)))
    cals = {c.name: c for c in session.scalars(select(OrderCalendar))}
    key = json.dumps([(r.id, r.name, r.order_type, r.priority, r.tier, r.area, r.first_response_min,
                       r.resolution_min, r.calendar_name, r.always_open, r.warn_fraction) for r in rows]
                     + [(c.name, c.tz_name, c.weekly, c.cn_holidays, c.extra_holidays, c.makeup_days)
                        for c in cals.values()], sort_keys=True, default=str)
    with _LOCK:
        cached = _TABLES.get(key)
    if cached is not None:
        return cached
    rules, ids, by_id = [], {}, {}
    for r in rows:
        cal_row = cals[r.calendar_name]
        cal = BusinessCalendar.always_open(cal_row.tz_name) if r.always_open else build_calendar(cal_row)
        pol = SlaPolicy(r.name, timedelta(minutes=r.first_response_min), timedelta(minutes=r.resolution_min), cal,
                        r.warn_fraction)
        rules.append(PolicyRule(pol, OrderType(r.order_type) if r.order_type else None,
                                Priority(r.priority) if r.priority else None,
                                CustomerTier(r.tier) if r.tier else None, Area(r.area) if r.area else None))
        ids[r.name] = r.id
        by_id[r.id] = pol
    out = Policies(PolicyTable(rules), ids, by_id)
    with _LOCK:
        if len(_TABLES) > 32:
            _TABLES.clear()
        _TABLES[key] = out
    return out


def policies(ctx: Ctx) -> Policies:
    return snapshot(ctx).policies


def category(ctx: Ctx, code: str) -> Category | None:
    return snapshot(ctx).categories.get(code)


def categories(ctx: Ctx) -> list[Category]:
    cats = snapshot(ctx).categories
    if not cats:
        ensure_defaults(ctx)
        cats = snapshot(ctx).categories
    return list(cats.values())

