"""Contract events in: a self-service plan change filed from a recommendation is an accepted offer.

The customer's self-service page shows the recommendation with a "申请变更为该套餐" button, which files a
``business.plan_change`` order on the app or web channel (`orders.selfservice.request_plan_change`); that
order's ``order.created`` event carries province, tier and channel in its dims, so insight records the
acceptance without reading the orders tables. A page view is not recorded as an offer (no write on GET), so
the self-service numbers count acceptances; the agent channel counts shown and decided (`offers`).
"""

from __future__ import annotations

from telqc.core import events
from telqc.core.context import Ctx
from telqc.core.events import Event
from telqc.insight.models import InsightOffer

PLAN_CHANGE = "business.plan_change"
SELF_CHANNELS = frozenset({"app", "web"})


@events.subscribe("order.created")
def plan_change_accepted(ctx: Ctx, e: Event) -> None:
    d = e.payload.get("dims") or {}
    if d.get("category") != PLAN_CHANGE or d.get("channel") not in SELF_CHANNELS or not e.payload.get("customer_id"):
        return
    ctx.session.add(InsightOffer(customer_id=int(e.payload["customer_id"]), province_code=d["province_code"],
                                 segment=d.get("tier") or "regular", channel="self_service", shown_at=e.at,
                                 accepted=True, decided_at=e.at))
    ctx.audit("insight.offer_decided", "order", e.entity_id, channel="self_service", accepted=True)
