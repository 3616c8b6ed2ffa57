"""A demo retention campaign: the demo customers' current stages drawn into holdout and tasks, two outcomes
recorded by the demo agent (王晓燕, Guangdong), and a handful of plan offers so conversion has numbers.

Idempotent: a second seed finds the campaign by name and does nothing. Fast: one campaign run (grouped reads,
one insert per member) and a dozen service calls.
"""

from __future__ import annotations

from dataclasses import replace

from sqlalchemy import select

from telqc.core.auth import principal_of
from telqc.core.context import Ctx
from telqc.core.models import User
from telqc.insight import campaigns, offers

NAME = "演示：合约到期与流失风险挽留"


def seed_retention(ctx: Ctx) -> int:
    """The demo campaign's task count (0 when it already exists or there is no demo agent)."""
    if any(v.campaign.name == NAME for v in campaigns.campaigns(ctx)):
        return 0
    agent = ctx.session.scalar(select(User).where(User.username == "agent"))
    if agent is None:
        return 0
    c = campaigns.run(ctx, NAME)
    as_agent = replace(ctx, principal=principal_of(agent))  # the demo agent works the tasks, as in the page
    tasks = campaigns.my_tasks(as_agent)
    for t, (outcome, note) in zip(tasks, (("contacted", "客户考虑中，约下周再联系"),
                                          ("unreachable", "两次未接通")), strict=False):
        campaigns.record_outcome(as_agent, t.member.id, outcome, note)
    for i, t in enumerate(tasks[:6]):
        o = offers.shown(as_agent, t.member.customer_id, "agent" if i % 2 else "self_service", None)
        if i < 4:
            offers.decide(as_agent, o.id, accepted=i == 0)
    return c.treated
