"""Self-service filing (issue 23 §6; 服务体系建设 二.一): a signed-in customer files a fault or a complaint, or asks
for a plan change, on the app or the web.

The login is the identity check, so the order is the customer's own and nobody else's: the customer id comes
from the session, never from the request. The order goes through `service.create` like one an agent opens —
the same priority, the same SLA deadlines, the same notifications, routed by skill and region (the customer is
no agent, so `create` routes it) — and the routed agent becomes the first-contact owner (首问负责人). A plan
change is a business order (套餐变更) for the back office, carrying the plan asked for and the recommendation's
own explanation, so the agent sees why.

Nothing of a plan change is taken on the client's word: the plan must be one the catalogue offers (its name as
the catalogue spells it) and not one the customer holds, and the explanation the back office reads as the
reason is the recommendation the insight service computes for this customer now. A client's explanation that
is not that text (forged, or a page gone stale) is refused, so the reason the order carries is always true.
"""

from __future__ import annotations

from dataclasses import dataclass

from telqc.core.context import Ctx
from telqc.core.errors import Forbidden, Invalid
from telqc.insight import service as insight
from telqc.orders import config, service
from telqc.orders import schemas as s
from telqc.orders.models import Order

SELF_TYPES = ("repair", "complaint")  # what a customer files themself; consultations stay on the hotline
PLAN_CHANGE = "business.plan_change"


@dataclass(frozen=True)
class Choice:
    code: str
    type: str
    name: str


def choices(ctx: Ctx) -> list[Choice]:
    """The active leaf categories a customer may file under, by type (faults first)."""
    cats = [c for c in config.categories(ctx) if c.active and c.order_type in SELF_TYPES and c.parent_code]
    cats.sort(key=lambda c: (SELF_TYPES.index(c.order_type), c.code))
    return [Choice(c.code, c.order_type, c.name if ctx.lang.startswith("zh") else c.name_en) for c in cats]


def _customer(ctx: Ctx) -> int:
    p = ctx.principal
    if p is None or p.customer_id is None:
        raise Forbidden("selfservice.error.not_customer")
    return p.customer_id


def file(ctx: Ctx, data: s.SelfFileIn) -> Order:
    customer_id = _customer(ctx)
    cat = next((c for c in config.categories(ctx) if c.code == data.category), None)  # ensures the defaults
    if cat is None or not cat.active or cat.order_type != data.type or cat.parent_code is None:
        raise Invalid("selfservice.error.category", field="body.category")
    repair = s.RepairIn(product=data.product or cat.name) if data.type == "repair" else None
    return service.create(ctx, s.OrderCreate(type=data.type, category=cat.code, customer_id=customer_id,
                                             channel=data.channel, title=data.title, description=data.description,
                                             auto_assign=True, repair=repair))


def request_plan_change(ctx: Ctx, data: s.PlanChangeIn) -> Order:
    customer_id = _customer(ctx)
    plan = next((p for p in insight.plan_catalogue(ctx) if p.code == data.plan_code), None)
    if plan is None:
        raise Invalid("selfservice.error.plan_unknown", field="body.plan_code", code=data.plan_code)
    if data.plan_name.strip() != plan.name:
        raise Invalid("selfservice.error.plan_name", field="body.plan_name", name=plan.name)
    profile = insight.profile(ctx, customer_id)
    if plan.code in {p.code for p in profile.plans}:
        raise Invalid("selfservice.error.plan_held", field="body.plan_code", name=plan.name)
    rec = profile.recommendation
    recommended = rec.plan is not None and rec.plan.code == plan.code
    given = data.explanation.strip()
    if given and not (recommended and given == rec.text.strip()):
        raise Invalid("selfservice.error.explanation", field="body.explanation")
    lines = [f"客户自助申请变更为套餐 {plan.name}（{plan.code}）。"]
    if recommended:
        lines.append(f"推荐依据：{rec.text}")
    return service.create(ctx, s.OrderCreate(type="business", category=PLAN_CHANGE, customer_id=customer_id,
                                             channel=data.channel, title=f"套餐变更：{plan.name}",
                                             description="\n".join(lines), auto_assign=True))
