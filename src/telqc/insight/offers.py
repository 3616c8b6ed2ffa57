"""Plan offers and their acceptance, so conversion is a KPI by channel and segment (issue 23 §5).

An offer is recorded when a recommendation is shown to an agent (``agent``), in the customer's self-service
page (``self_service``), or decided on a retention task (``retention``); the segment is the customer's tier at
that moment. Conversion = accepted / decided offers (an offer not yet decided is counted as shown only), so a
page view without an answer does not lower the rate. 三.三: list selling converted under 8%; 四.三.1: offers at
contract expiry 25% — the two numbers this KPI is read against.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import func, select

from telqc.core.context import Ctx
from telqc.core.errors import Conflict, NotFound
from telqc.customers import service as customers
from telqc.insight.models import OFFER_CHANNELS, InsightOffer


def shown(ctx: Ctx, customer_id: int, channel: str, plan_code: str | None) -> InsightOffer:
    """Record an offer to a customer the caller may see (NotFound otherwise)."""
    if channel not in OFFER_CHANNELS:
        raise Conflict(field="body.channel")
    c = customers.get(ctx, customer_id)
    o = InsightOffer(customer_id=c.id, province_code=c.province_code, segment=c.tier, channel=channel,
                     plan_code=plan_code, shown_by=ctx.principal.user_id if ctx.principal else None,
                     shown_at=ctx.now())
    ctx.session.add(o)
    ctx.session.flush()
    ctx.audit("insight.offer_shown", "insight_offer", o.id, customer_id=c.id, channel=channel, plan=plan_code)
    return o


def decide(ctx: Ctx, offer_id: int, accepted: bool) -> InsightOffer:
    o = ctx.session.get(InsightOffer, offer_id)
    if o is None:
        raise NotFound(what="w.offer")
    customers.get(ctx, o.customer_id)  # the same scope as the customer
    if o.accepted is not None:
        raise Conflict(field="body.accepted")
    o.accepted, o.decided_at = accepted, ctx.now()
    ctx.session.flush()
    ctx.audit("insight.offer_decided", "insight_offer", o.id, accepted=accepted)
    return o


@dataclass(frozen=True)
class Conversion:
    channel: str
    segment: str
    shown: int
    decided: int
    accepted: int

    @property
    def rate(self) -> float | None:
        return self.accepted / self.decided if self.decided else None


def rates(rows: Iterable[tuple[str, str, bool | None, int]]) -> list[Conversion]:
    """(channel, segment, accepted-or-None, count) rows → one Conversion per channel and segment, sorted."""
    acc: dict[tuple[str, str], list[int]] = {}
    for channel, segment, accepted, n in rows:
        s = acc.setdefault((channel, segment), [0, 0, 0])
        s[0] += n
        if accepted is not None:
            s[1] += n
            s[2] += n if accepted else 0
    return [Conversion(ch, sg, *v) for (ch, sg), v in sorted(acc.items())]


def conversion(ctx: Ctx) -> list[Conversion]:
    """Conversion in the reader's regions."""
    q = select(InsightOffer.channel, InsightOffer.segment, InsightOffer.accepted, func.count()).group_by(
        InsightOffer.channel, InsightOffer.segment, InsightOffer.accepted)
    scope = ctx.principal.region_scope if ctx.principal else None
    if scope is not None:
        q = q.where(InsightOffer.province_code.in_(scope))
    return rates((ch, sg, acc, n) for ch, sg, acc, n in ctx.session.execute(q))
