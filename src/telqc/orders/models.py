"""Work-order tables (工单): configuration, the order itself, and everything that happens to it.

References to other parallel domains (inspection, surveys, metrics) are plain
integers; foreign keys go only to the platform tables (users, customers,
contacts, regions, teams).  Every state change writes an `OrderHistory` row in
the same transaction as the change (DESIGN.md data flow step 3).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    CheckConstraint,
    Date,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    exists,
)
from sqlalchemy.orm import Mapped, column_property, mapped_column

from telqc.core.db import Base, UTCDateTime
from telqc.core.pii import EncryptedText

BigId = BigInteger().with_variant(Integer, "sqlite")
_TYPES = "'consultation','business','repair','complaint'"
_STATES = "'new','acknowledged','in_progress','pending','resolved','callback','closed','reopened','cancelled'"
_PRIORITIES = "'P1','P2','P3','P4'"
_LEVELS = "'none','team_lead','manager','crisis'"


class OrderCategory(Base):
    """Configurable category tree; the leaf gives the default severity and responsible department."""

    __tablename__ = "order_categories"
    __table_args__ = (
        CheckConstraint(f"order_type in ({_TYPES})", name="order_type"),
        CheckConstraint("severity between 1 and 4", name="severity"),
    )

    code: Mapped[str] = mapped_column(String(40), primary_key=True)
    parent_code: Mapped[str | None] = mapped_column(ForeignKey("order_categories.code"), index=True)
    order_type: Mapped[str] = mapped_column(String(16))
    name: Mapped[str] = mapped_column(String(40))
    name_en: Mapped[str] = mapped_column(String(60))
    severity: Mapped[int] = mapped_column(Integer, default=3)
    department: Mapped[str] = mapped_column(String(40))
    skill: Mapped[str | None] = mapped_column(String(40))  # agent skill needed to handle it
    active: Mapped[bool] = mapped_column(Boolean, default=True)


class OrderCalendar(Base):
    """Stored business calendar, built into `orders.calendar.BusinessCalendar` by `orders.config`."""

    __tablename__ = "order_calendars"

    name: Mapped[str] = mapped_column(String(40), primary_key=True)
    tz_name: Mapped[str] = mapped_column(String(40), default="Asia/Shanghai")
    weekly: Mapped[dict[str, str]] = mapped_column(JSON)  # {"0": "09:00-12:00,13:30-18:00", ...}, Monday = 0
    cn_holidays: Mapped[bool] = mapped_column(Boolean, default=True)
    extra_holidays: Mapped[list[str]] = mapped_column(JSON, default=list)  # ISO dates
    makeup_days: Mapped[list[str]] = mapped_column(JSON, default=list)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())


class OrderSlaPolicy(Base):
    """One SLA rule: NULL key fields are wildcards; the most specific rule wins (sla.PolicyTable)."""

    __tablename__ = "order_sla_policies"
    __table_args__ = (
        CheckConstraint("first_response_min > 0 and resolution_min > 0", name="targets"),
        CheckConstraint("warn_fraction > 0 and warn_fraction <= 1", name="warn_fraction"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(60), unique=True)
    order_type: Mapped[str | None] = mapped_column(String(16))
    priority: Mapped[str | None] = mapped_column(String(2))
    tier: Mapped[str | None] = mapped_column(String(10))
    area: Mapped[str | None] = mapped_column(String(8))
    first_response_min: Mapped[int] = mapped_column(Integer)
    resolution_min: Mapped[int] = mapped_column(Integer)
    calendar_name: Mapped[str] = mapped_column(ForeignKey("order_calendars.name"))
    always_open: Mapped[bool] = mapped_column(Boolean, default=False)  # 7×24: ignore the calendar's hours
    warn_fraction: Mapped[float] = mapped_column(Float, default=0.75)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())


class Order(Base):
    """A work order.  `owner_id` is the first-contact owner (首问负责人) and never changes on transfer;
    `handler_id` is whoever works it now.  `next_due_at` is the sweep's index key."""

    __tablename__ = "orders"
    __table_args__ = (
        CheckConstraint(f"type in ({_TYPES})", name="type"),
        CheckConstraint(f"status in ({_STATES})", name="status"),
        CheckConstraint(f"priority in ({_PRIORITIES})", name="priority"),
        CheckConstraint(f"escalation_level in ({_LEVELS})", name="escalation_level"),
        CheckConstraint("sla_status in ('ok','warning','breached')", name="sla_status"),
        CheckConstraint("area_type in ('urban','rural')", name="area_type"),
        CheckConstraint("severity between 1 and 4", name="severity"),
        Index("ix_orders_next_due_at", "next_due_at"),
        Index("ix_orders_customer_category", "customer_id", "category_code", "created_at"),
        Index("ix_orders_handler_status", "handler_id", "status"),
        Index("ix_orders_province_status", "province_code", "status"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    type: Mapped[str] = mapped_column(String(16))
    category_code: Mapped[str] = mapped_column(ForeignKey("order_categories.code"))
    # the reporter's severity (1 critical … 4 minor; TMF621 ``severity``), else the category's default
    severity: Mapped[int] = mapped_column(Integer, default=3, server_default="3")
    priority: Mapped[str] = mapped_column(String(2))
    status: Mapped[str] = mapped_column(String(16), default="new")
    pending_reason: Mapped[str | None] = mapped_column(String(12))
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id", ondelete="RESTRICT"))
    contact_id: Mapped[int | None] = mapped_column(ForeignKey("contacts.id", ondelete="RESTRICT"))
    channel: Mapped[str] = mapped_column(String(10))
    title: Mapped[str] = mapped_column(String(120))
    description: Mapped[str] = mapped_column(Text)
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"))
    handler_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"))
    team_id: Mapped[int | None] = mapped_column(ForeignKey("teams.id", ondelete="RESTRICT"))
    department: Mapped[str] = mapped_column(String(40))
    province_code: Mapped[str] = mapped_column(String(12))
    city_code: Mapped[str | None] = mapped_column(String(12))
    district_code: Mapped[str | None] = mapped_column(String(12))
    area_type: Mapped[str] = mapped_column(String(8), default="urban")
    tier: Mapped[str] = mapped_column(String(10), default="regular")
    escalation_level: Mapped[str] = mapped_column(String(10), default="none")
    escalation_risk: Mapped[bool] = mapped_column(Boolean, default=False)
    regulator_risk: Mapped[bool] = mapped_column(Boolean, default=False)
    risk_terms: Mapped[list[str]] = mapped_column(JSON, default=list)
    is_repeat: Mapped[bool] = mapped_column(Boolean, default=False)
    repeat_of_id: Mapped[int | None] = mapped_column(BigId)
    sla_policy_id: Mapped[int | None] = mapped_column(ForeignKey("order_sla_policies.id"))
    first_response_due: Mapped[datetime | None] = mapped_column(UTCDateTime())
    resolution_due: Mapped[datetime | None] = mapped_column(UTCDateTime())
    sla_status: Mapped[str] = mapped_column(String(10), default="ok")
    next_due_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())
    first_response_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    customer_notified_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    solution_code: Mapped[str | None] = mapped_column(String(40))
    reopen_count: Mapped[int] = mapped_column(Integer, default=0)
    version: Mapped[int] = mapped_column(Integer, default=1)
    if TYPE_CHECKING:  # a column_property over OrderPause, mapped below that class
        has_pauses: Mapped[bool]

    # The version counts writes, not statements: `service.get_for_update` (and the SLA sweep) add one per
    # write, and the ORM checks it in every UPDATE's WHERE without adding more, so an ETag does not depend
    # on how often the session flushed.
    __mapper_args__ = {"version_id_col": version, "version_id_generator": False}


class OrderHistory(Base):
    """One change: who, when, which field (status, handler, priority, escalation…), from, to, why."""

    __tablename__ = "order_history"
    __table_args__ = (Index("ix_order_history_order", "order_id", "id"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id", ondelete="CASCADE"))
    at: Mapped[datetime] = mapped_column(UTCDateTime())
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"))
    field: Mapped[str] = mapped_column(String(20))
    from_value: Mapped[str | None] = mapped_column(String(60))
    to_value: Mapped[str | None] = mapped_column(String(60))
    reason: Mapped[str | None] = mapped_column(Text)
    public: Mapped[bool] = mapped_column(Boolean, default=False)  # shown on the customer's timeline


class OrderNote(Base):
    __tablename__ = "order_notes"
    __table_args__ = (Index("ix_order_notes_order", "order_id", "id"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id", ondelete="CASCADE"))
    at: Mapped[datetime] = mapped_column(UTCDateTime())
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"))
    public: Mapped[bool] = mapped_column(Boolean, default=False)
    body: Mapped[str] = mapped_column(Text)


class OrderPause(Base):
    """A span the SLA clock does not count (pending, resolved/callback awaiting confirmation)."""

    __tablename__ = "order_pauses"
    __table_args__ = (Index("ix_order_pauses_order", "order_id", "start"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id", ondelete="CASCADE"))
    state: Mapped[str] = mapped_column(String(16))
    start: Mapped[datetime] = mapped_column(UTCDateTime())
    end: Mapped[datetime | None] = mapped_column(UTCDateTime())


# Whether the order ever paused its clock. Deferred: the locked read of a write loads it in the same statement,
# so the state change reads the pauses only for orders that have some (most never pause).
Order.has_pauses = column_property(
    exists().where(OrderPause.order_id == Order.id).correlate_except(OrderPause), deferred=True)


class OrderTransfer(Base):
    """转接: a handoff note says what was tried, so the next seat does not start over."""

    __tablename__ = "order_transfers"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id", ondelete="CASCADE"), index=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime())
    by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"))
    from_handler_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"))
    to_handler_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"))
    to_queue: Mapped[str] = mapped_column(String(40))
    handoff_note: Mapped[str] = mapped_column(Text)


class OrderEscalation(Base):
    __tablename__ = "order_escalations"
    __table_args__ = (CheckConstraint(f"level in ({_LEVELS})", name="level"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id", ondelete="CASCADE"), index=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime())
    by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"))  # NULL: the sweep
    from_level: Mapped[str] = mapped_column(String(10))
    level: Mapped[str] = mapped_column(String(10))
    actions: Mapped[list[str]] = mapped_column(JSON, default=list)
    reasons: Mapped[list[str]] = mapped_column(JSON, default=list)


class OrderCallback(Base):
    """回访 task, created when an order is resolved; its outcome closes or reopens the order."""

    __tablename__ = "order_callbacks"
    __table_args__ = (
        CheckConstraint("status in ('open','done')", name="status"),
        CheckConstraint("outcome is null or outcome in ('satisfied','unsatisfied','unreachable')", name="outcome"),
        Index("ix_order_callbacks_open", "status", "due_at"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    due_at: Mapped[datetime] = mapped_column(UTCDateTime())
    status: Mapped[str] = mapped_column(String(8), default="open")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    outcome: Mapped[str | None] = mapped_column(String(12))
    reason: Mapped[str | None] = mapped_column(Text)
    done_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"))


class RepairDetail(Base):
    """报修: what is broken, where (address encrypted), and the field engineer's progress."""

    __tablename__ = "order_repairs"

    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id", ondelete="CASCADE"), primary_key=True)
    product: Mapped[str] = mapped_column(String(40))
    serial: Mapped[str | None] = mapped_column(String(60))
    purchase_date: Mapped[date | None] = mapped_column(Date)
    address: Mapped[str] = mapped_column(EncryptedText())
    skill: Mapped[str] = mapped_column(String(40))
    appointment_start: Mapped[datetime | None] = mapped_column(UTCDateTime())
    appointment_end: Mapped[datetime | None] = mapped_column(UTCDateTime())
    engineer_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"), index=True)
    engineer_status: Mapped[str | None] = mapped_column(String(16))
    dispatched_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    accepted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    response_due: Mapped[datetime | None] = mapped_column(UTCDateTime())


class RepairUpdate(Base):
    __tablename__ = "order_repair_updates"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id", ondelete="CASCADE"), index=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime())
    engineer_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"))
    status: Mapped[str] = mapped_column(String(16))
    note: Mapped[str | None] = mapped_column(Text)


class NetworkProblem(Base):
    """A network-quality complaint handed to network operations; its status shows on the complaint."""

    __tablename__ = "order_network_problems"
    __table_args__ = (
        CheckConstraint("status in ('open','investigating','fixing','fixed','not_reproducible')", name="status"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id", ondelete="CASCADE"), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())
    status: Mapped[str] = mapped_column(String(20), default="open")
    province_code: Mapped[str] = mapped_column(String(12), index=True)
    district_code: Mapped[str | None] = mapped_column(String(12))
    summary: Mapped[str] = mapped_column(Text)
    assignee_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"))
    version: Mapped[int] = mapped_column(Integer, default=1)

    __mapper_args__ = {"version_id_col": version}


class NetworkUpdate(Base):
    __tablename__ = "order_network_updates"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    problem_id: Mapped[int] = mapped_column(ForeignKey("order_network_problems.id", ondelete="CASCADE"), index=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime())
    by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="RESTRICT"))
    status: Mapped[str] = mapped_column(String(20))
    note: Mapped[str | None] = mapped_column(Text)


class OrderLink(Base):
    """Links between orders: `repeat_of` (重复投诉, same customer + category within 30 days)."""

    __tablename__ = "order_links"
    __table_args__ = (UniqueConstraint("order_id", "linked_id", "kind", name="order_link"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id", ondelete="CASCADE"), index=True)
    linked_id: Mapped[int] = mapped_column(ForeignKey("orders.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(16))
    at: Mapped[datetime] = mapped_column(UTCDateTime())


class Notification(Base):
    """Customer / supervisor notification; `key` is unique so a retried job never sends twice."""

    __tablename__ = "order_notifications"
    __table_args__ = (Index("ix_order_notifications_unsent", "sent_at", "id"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    key: Mapped[str] = mapped_column(String(120), unique=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(30))
    channel: Mapped[str] = mapped_column(String(10))  # sms | push | internal
    recipient: Mapped[str] = mapped_column(String(60))  # "customer:12" or "user:3"
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    attempts: Mapped[int] = mapped_column(Integer, default=0)
