"""A demo retention campaign: six months of bills and usage for the customers the rules look at (with the
risk signals of their stage planted), a churn scoring run over them, and the campaign drawn with those stored
scores — so every demo task shows its score and reasons ("流失风险 0.41：近3个月流量较前3个月下降 65%、欠费 3
期"), a few at-risk customers having answered a survey with a low NPS over the last four weeks. Then two
outcomes recorded by the demo agent (王晓燕, Guangdong) and a handful of plan offers so conversion has numbers.

The history goes in through the real imports (`insight.service.import_usage` / `import_bills`: checked,
atomic, audited), like an operator's monthly files; what it plants is fixed by the customer id, so the same
seed gives the same scores. Idempotent: a second seed finds the campaign by name and does nothing.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from dataclasses import replace
from datetime import timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select

from telqc.core.auth import principal_of
from telqc.core.clock import FrozenClock
from telqc.core.context import Ctx
from telqc.core.models import User
from telqc.customers.read import CUSTOMER_PLANS, CUSTOMERS
from telqc.demo.surveys_seed import WINDOW_DAYS
from telqc.insight import campaigns, offers, retention, scoring, service
from telqc.surveys import channels
from telqc.surveys import read as surveys_read
from telqc.surveys import schemas as ss
from telqc.surveys import service as surveys

NAME = "演示：合约到期与流失风险挽留"
HISTORY_CAP = 3000  # customers given a history: enough for every demo agent's tasks, quick to import
# Low survey answers by at-risk customers: a small share of the answers the dashboard's window holds (at-risk
# customers answer less, and more would drag the CSAT/NPS tiles far under target), never fewer than LOW_MIN.
LOW_SHARE = 0.03
LOW_MIN = 10


def _csv(header: Sequence[str], rows: list[list[object]]) -> bytes:
    out = io.StringIO()
    w = csv.writer(out)
    w.writerow(header)
    w.writerows(rows)
    return out.getvalue().encode()


def seed_history(ctx: Ctx) -> int:
    """Bills and usage of the last 6 whole months for the customers in the rules' stages; how many.

    What is planted, by stage: at risk — data use falls by 65% in the last 3 months and 2 or 3 bills are
    unpaid; lapsed — no data in the last 3 months; contract expiring — one in three uses 30% less, one
    in three has a bill unpaid; the rest is steady (spend 39–129 yuan)."""
    stages = list(retention.load_rules().stages)
    rows = ctx.session.execute(select(CUSTOMERS.c.id, CUSTOMERS.c.lifecycle).where(
        CUSTOMERS.c.lifecycle.in_(stages)).order_by(CUSTOMERS.c.id).limit(HISTORY_CAP)).all()
    if not rows:
        return 0
    cp = CUSTOMER_PLANS.c
    plan: dict[int, str] = {}
    for cid, code in ctx.session.execute(select(cp.customer_id, cp.plan_code).where(
            cp.customer_id.in_([r.id for r in rows]), cp.ended_on.is_(None)).order_by(cp.customer_id, cp.plan_code)):
        plan.setdefault(int(cid), str(code))
    today = ctx.now().astimezone(ZoneInfo(ctx.settings.timezone)).date()
    now_m = today.year * 12 + today.month - 1
    months = [f"{(now_m - k) // 12}-{(now_m - k) % 12 + 1:02d}" for k in range(6, 0, -1)]  # oldest first
    usage: list[list[object]] = []
    bills: list[list[object]] = []
    for cid, stage in rows:
        fee = (39, 59, 89, 129)[cid % 4] * 100
        data_mb = 4096 + (cid % 7) * 3072
        for k, month in enumerate(months):
            recent = k >= 3
            factor = 1.0
            unpaid = False
            if stage == "churn_risk":
                factor, unpaid = (0.35 if recent else 1.0), k in ((2, 3, 4) if cid % 2 == 0 else (3, 4))
            elif stage == "lapsed":
                factor = 0.0 if recent else 1.0
            elif stage == "contract_expiring":
                factor = 0.7 if recent and cid % 3 == 0 else 1.0
                unpaid = cid % 3 == 1 and k == 4
            if cid in plan:
                usage.append([cid, plan[cid], month, round(data_mb * factor), round(300 * factor), 10])
            bills.append([cid, month, fee, 0 if unpaid else fee])
    service.import_usage(ctx, _csv(("customer_id", "subscription", "month", "data_mb", "voice_min", "sms"), usage),
                         "demo_usage.csv")
    service.import_bills(ctx, _csv(("customer_id", "month", "amount_fen", "paid_fen"), bills), "demo_bills.csv")
    return len(rows)


def seed_low_answers(ctx: Ctx) -> int:
    """A few at-risk customers answered a post-service survey during the last four weeks with a low score (CSAT
    2–4, NPS 3–7: mostly detractors), so "满意度调查给出低分" is among the demo's churn reasons while the
    CSAT and NPS tiles stay near their targets: they are at most ``LOW_SHARE`` of the window's other answers
    (at least ``LOW_MIN``), one in three at-risk customers, spread evenly over the window so no day of the trend
    spikes. Through the survey service (invitation, single-use link, answer), the link sent to the
    recording channel (the edge of the outside world). How many answered."""
    now = ctx.now()
    since = now - timedelta(days=WINDOW_DAYS)
    others = len(surveys_read.last_nps_per_customer(ctx.session, since))  # one survey per customer per 30 days
    cap = max(LOW_MIN, round(LOW_SHARE * others))
    ids = [int(i) for i in ctx.session.scalars(select(CUSTOMERS.c.id).where(CUSTOMERS.c.lifecycle == "churn_risk")
                                               .order_by(CUSTOMERS.c.id).limit(HISTORY_CAP)) if i % 3 == 0][:cap]
    previous = channels.use(channels.RecordingChannel())
    answered = 0
    try:
        for k, cid in enumerate(ids):
            # evenly over the window's first WINDOW_DAYS - 1 days (every answer is in the past), hour by customer
            sent_at = since + timedelta(days=(k + 0.5) * (WINDOW_DAYS - 1) / len(ids), hours=cid % 6)
            sent = surveys.invite_many(replace(ctx, clock=FrozenClock(sent_at)), [surveys.Trigger(cid, "contact")])
            if not sent:
                continue
            csat = (2, 3, 3, 4)[k % 4]
            surveys.answer(replace(ctx, clock=FrozenClock(sent_at + timedelta(hours=2)), principal=None), sent[0][1],
                           ss.AnswerIn(nps=3 + k % 5, csat=csat, resolved=csat >= 4))
            answered += 1
    finally:
        channels.use(previous)
    return answered


def seed_retention(ctx: Ctx) -> int:
    """The demo campaign's task count (0 when it already exists or there is no demo agent)."""
    if any(v.campaign.name == NAME for v in campaigns.campaigns(ctx)):
        return 0
    agent = ctx.session.scalar(select(User).where(User.username == "agent"))
    if agent is None:
        return 0
    seed_history(ctx)
    seed_low_answers(ctx)
    scoring.run(ctx)
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
