"""服务承诺 published to the public: per order type and area type, the first-response and completion limits the
SLA configuration itself applies (issue 23: the published promise is the one the system enforces).

Each row is `config.policies(...).table.match` for an ordinary case: a regular customer in that area at the usual
category severity (3), with the priority `service.create` derives for it (`derive_priority`: a rural fault is
raised a level, so a rule for that priority is the one a rural customer's fault gets). Faster limits for serious
faults and high-tier customers are said in a note, not listed: they are the same table's more specific rules."""

from __future__ import annotations

from dataclasses import dataclass

from telqc.core.context import Ctx
from telqc.orders import config
from telqc.orders.sla import Area, CustomerTier, derive_priority
from telqc.orders.states import OrderType

USUAL_SEVERITY = 3


@dataclass(frozen=True)
class Commitment:
    order_type: str
    area: str
    priority: str
    first_response_min: int
    resolution_min: int
    business_hours: bool  # False: the limit runs 7×24
    policy: str


def commitments(ctx: Ctx) -> list[Commitment]:
    config.ensure_defaults(ctx)  # a fresh installation: the defaults it will write on its first order
    table = config.policies(ctx).table
    out = []
    for order_type in OrderType:
        for area in Area:
            priority = derive_priority(order_type, USUAL_SEVERITY, CustomerTier.REGULAR, area)
            p = table.match(order_type, priority, CustomerTier.REGULAR, area)
            out.append(Commitment(order_type.value, area.value, priority.value,
                                  int(p.first_response.total_seconds() // 60), int(p.resolution.total_seconds() // 60),
                                  p.calendar.name != config.ALWAYS_OPEN_CALENDAR, p.name))
    return out
