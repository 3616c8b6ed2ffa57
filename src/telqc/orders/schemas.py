"""Work-order API shapes.  Inputs refuse unknown fields; outputs carry `version` for If-Match."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Literal

from pydantic import Field, field_validator, model_validator
from pydantic_core import PydanticCustomError

from telqc.core.schemas import Day, Id, In, Out, SiteId
from telqc.orders.sla import Area, CustomerTier, Priority
from telqc.orders.states import OrderType

OrderTypeName = Literal["consultation", "business", "repair", "complaint"]
StateName = Literal["new", "acknowledged", "in_progress", "pending", "resolved", "callback", "closed", "reopened",
                    "cancelled"]
ChannelName = Literal["hotline", "app", "web", "wechat", "store", "social"]
LevelName = Literal["team_lead", "manager", "crisis"]
EngineerStatus = Literal["accepted", "on_the_way", "on_site", "fixed", "not_fixed", "parts_needed"]
NetworkStatus = Literal["investigating", "fixing", "fixed", "not_reproducible"]


class RepairIn(In):
    product: str = Field(min_length=1, max_length=40)
    serial: str | None = Field(default=None, max_length=60)
    purchase_date: Day | None = None
    address: str | None = Field(default=None, min_length=4, max_length=200)  # default: the customer's address


class OrderCreate(In):
    type: OrderTypeName
    category: str = Field(min_length=1, max_length=40)
    customer_id: Id
    contact_id: Id | None = None
    channel: ChannelName = "hotline"
    title: str = Field(min_length=1, max_length=120)
    description: str = Field(min_length=1, max_length=4000)
    handler_id: Id | None = None
    auto_assign: bool = False  # route by skill/region/load/tier instead of keeping it with the creator
    repair: RepairIn | None = None
    # the reporter's assessment (1 critical … 4 minor), kept and shown; priority stays the category's
    severity: int | None = Field(default=None, ge=1, le=4)
    # the cell or broadband access point the caller is on, when the agent asked: an incident listing sites
    # matches on it instead of the customer's subscriptions' sites (`incidents.area`)
    site_id: SiteId | None = None


class SelfFileIn(In):
    """A customer's own filing (`selfservice.file`): no customer id, the session says whose it is."""

    type: Literal["repair", "complaint"]
    category: str = Field(min_length=1, max_length=40)
    title: str = Field(min_length=2, max_length=120)
    description: str = Field(min_length=5, max_length=4000)
    channel: Literal["app", "web"] = "web"
    product: str | None = Field(default=None, max_length=40)  # a fault's product: the category's name if absent


class PlanChangeIn(In):
    plan_code: str = Field(min_length=1, max_length=40, pattern=r"^[A-Za-z0-9_.-]+$")
    plan_name: str = Field(min_length=1, max_length=60)
    explanation: str = Field(default="", max_length=1000)
    channel: Literal["app", "web"] = "web"


class AssignIn(In):
    handler_id: Id | None = None  # None: automatic routing
    reason: str | None = Field(default=None, max_length=500)


class TransitionIn(In):
    to: StateName
    reason: str | None = Field(default=None, max_length=1000)
    pending_reason: Literal["customer", "third_party"] | None = None
    solution_code: str | None = Field(default=None, max_length=40)


class NoteIn(In):
    body: str = Field(min_length=1, max_length=4000)
    public: bool = False


class TransferIn(In):
    """转派 to a team's queue (``to_team_id``), a named person (``to_handler_id``) or a department by name
    (``to_queue``, API clients); at least one of them."""

    to_queue: str | None = Field(default=None, min_length=1, max_length=40)  # department or second-line seat
    to_handler_id: Id | None = None
    to_team_id: Id | None = None
    handoff_note: str = Field(min_length=5, max_length=4000)

    @model_validator(mode="after")
    def _has_target(self) -> TransferIn:
        if self.to_queue is None and self.to_handler_id is None and self.to_team_id is None:
            raise PydanticCustomError("missing", "to_queue, to_team_id or to_handler_id is required")
        return self


class EscalateIn(In):
    level: LevelName
    reason: str = Field(min_length=1, max_length=1000)


class CallbackIn(In):
    outcome: Literal["satisfied", "unsatisfied", "unreachable"]
    reason: str | None = Field(default=None, max_length=1000)


class DispatchIn(In):
    engineer_id: Id | None = None  # None: by area, skill and load
    appointment_start: datetime | None = None
    appointment_end: datetime | None = None


class EngineerUpdateIn(In):
    status: EngineerStatus
    note: str | None = Field(default=None, max_length=2000)


class NetworkUpdateIn(In):
    status: NetworkStatus
    note: str | None = Field(default=None, max_length=2000)


class RepairOut(Out):
    product: str
    serial: str | None
    purchase_date: date | None
    address: str
    skill: str
    appointment_start: datetime | None
    appointment_end: datetime | None
    engineer_id: int | None
    engineer_status: str | None
    dispatched_at: datetime | None
    accepted_at: datetime | None
    response_due: datetime | None


class NetworkProblemOut(Out):
    id: int
    order_id: int
    status: str
    province_code: str
    district_code: str | None
    summary: str
    created_at: datetime
    updated_at: datetime
    version: int


class CallbackOut(Out):
    id: int | None = Field(description="null in the answer of the request that opened the task: it is written "
                                       "with that request's commit (record the outcome by order: "
                                       "POST /orders/{id}/callback)")
    status: str
    due_at: datetime
    attempts: int
    outcome: str | None = None
    reason: str | None = None
    done_at: datetime | None = None


class OrderOut(Out):
    id: int
    type: str
    category: str
    category_name: str | None = None
    severity: int
    priority: str
    status: str
    allowed_transitions: list[str]
    pending_reason: str | None
    customer_id: int
    contact_id: int | None
    channel: str
    title: str
    description: str
    owner_id: int | None
    handler_id: int | None
    team_id: int | None
    department: str
    province_code: str
    district_code: str | None
    area_type: str
    tier: str
    escalation_level: str
    escalation_risk: bool
    regulator_risk: bool
    risk_terms: list[str]
    is_repeat: bool
    repeat_of_id: int | None
    first_response_due: datetime | None
    resolution_due: datetime | None
    sla_status: str
    next_due_at: datetime | None
    created_at: datetime
    updated_at: datetime
    first_response_at: datetime | None
    resolved_at: datetime | None
    closed_at: datetime | None
    solution_code: str | None
    reopen_count: int
    version: int


class TimelineItem(Out):
    at: datetime
    kind: str  # status | note | transfer | escalation | assign | priority | callback | repair | network | notify
    text: str
    public: bool
    actor_id: int | None = None
    data: dict[str, object] = {}


class OrderDetail(OrderOut):
    timeline: list[TimelineItem]
    repair: RepairOut | None = None
    network_problem: NetworkProblemOut | None = None
    callbacks: list[CallbackOut] = []
    linked_order_ids: list[int] = []


class CustomerOrderOut(Out):
    """What a customer sees about their own order: no handler names, no internal notes."""

    id: int
    type: str
    category_name: str | None
    title: str
    status: str
    created_at: datetime
    resolution_due: datetime | None
    resolved_at: datetime | None
    closed_at: datetime | None
    timeline: list[TimelineItem] = []
    network_status: str | None = None
    engineer_status: str | None = None
    appointment_start: datetime | None = None
    appointment_end: datetime | None = None


class OrderPage(Out):
    items: list[OrderOut]
    total: int
    offset: int
    limit: int


class CategoryOut(Out):
    code: str
    parent_code: str | None
    order_type: str
    name: str
    name_en: str
    severity: int
    department: str
    skill: str | None = None
    active: bool = True


# ----- configuration (orders:admin) ------------------------------------------------------

MAX_TARGET_MIN = 525_600
"""A year in minutes: a longer target promises the customer nothing and is most likely a typo."""


class CategoryIn(In):
    """A new node of the category tree.  Codes are dotted lowercase paths because they appear in URLs,
    reports and the orders that use them, and never change afterwards."""

    code: str = Field(min_length=1, max_length=40, pattern=r"^[a-z][a-z0-9_]*(\.[a-z0-9_]+)*$")
    parent_code: str | None = Field(default=None, max_length=40)
    order_type: OrderType
    name: str = Field(min_length=1, max_length=40)
    name_en: str = Field(min_length=1, max_length=60)
    severity: int = Field(ge=1, le=4)
    department: str = Field(min_length=1, max_length=40)
    skill: str | None = Field(default=None, min_length=1, max_length=40)
    active: bool = True


class CategoryPatch(In):
    """Fields sent are changed, fields left out are kept; code, type and parent are fixed (orders and
    reports are keyed on them)."""

    name: str | None = Field(default=None, min_length=1, max_length=40)
    name_en: str | None = Field(default=None, min_length=1, max_length=60)
    severity: int | None = Field(default=None, ge=1, le=4)
    department: str | None = Field(default=None, min_length=1, max_length=40)
    skill: str | None = Field(default=None, min_length=1, max_length=40)  # null clears it
    active: bool | None = None

    @field_validator("name", "name_en", "severity", "department", "active")
    @classmethod
    def _not_null(cls, v: object) -> object:
        """Only `skill` may be cleared; null elsewhere would blank a required column."""
        if v is None:
            raise PydanticCustomError("missing", "field required")
        return v


class CalendarIn(In):
    """A business calendar: `weekly` maps "0" (Monday) … "6" to "HH:MM-HH:MM[,HH:MM-HH:MM]"; a day left
    out or "" is a day off.  `cn_holidays` adds the State Council holidays and make-up days."""

    tz_name: str = Field(default="Asia/Shanghai", min_length=1, max_length=40)
    weekly: dict[str, Annotated[str, Field(max_length=200)]]
    cn_holidays: bool = True
    extra_holidays: list[Day] = Field(default_factory=list, max_length=400)
    makeup_days: list[Day] = Field(default_factory=list, max_length=400)


class CalendarOut(Out):
    name: str
    tz_name: str
    weekly: dict[str, str]
    cn_holidays: bool
    extra_holidays: list[date]
    makeup_days: list[date]
    updated_at: datetime


class PolicyIn(In):
    """One SLA rule; a key field left out is a wildcard and the most specific rule wins (`sla.PolicyTable`).
    Targets are business minutes on the calendar, or elapsed minutes when `always_open` (7×24)."""

    order_type: OrderType | None = None
    priority: Priority | None = None
    tier: CustomerTier | None = None
    area: Area | None = None
    first_response_min: int = Field(gt=0, le=MAX_TARGET_MIN)
    resolution_min: int = Field(gt=0, le=MAX_TARGET_MIN)
    calendar_name: str = Field(min_length=1, max_length=40)
    always_open: bool = False
    warn_fraction: float = Field(default=0.75, gt=0, le=1)


class PolicyOut(Out):
    id: int
    name: str
    order_type: str | None
    priority: str | None
    tier: str | None
    area: str | None
    first_response_min: int
    resolution_min: int
    calendar_name: str
    always_open: bool
    warn_fraction: float
    updated_at: datetime


class SweepOut(Out):
    due: int
    warned: int
    breached: int
    escalated: int


class CommitmentOut(Out):
    """One published limit: order type × area type (see `orders.commitments`)."""

    order_type: str
    area: str
    priority: str
    first_response_min: int
    resolution_min: int
    business_hours: bool
    policy: str
