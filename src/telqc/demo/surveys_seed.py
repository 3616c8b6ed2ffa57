"""Demo post-service surveys: the customers of the demo's resolved orders and of a sample of its answered calls
were invited when their service ended, and most answered, so the CSAT and NPS tiles (KPI.md: CSAT = share of 4–5
answers, NPS = promoters − detractors) show figures from the same path production data takes.

Each invitation goes through the survey service on a clock set at the moment the order was resolved or the call
ended (frequency rule, single-use link, expiry), and each answer through the link a little later, so the
"survey.answered" events carry the order's or the call's dimensions into the rollups. The links go to the
survey channel's recording fake (the edge of the outside world); the scores are what a seeded generator plays.
At-risk customers are left out: their survey story, a low NPS among the churn reasons, is the retention seed's.
"""

from __future__ import annotations

import json
import random
from dataclasses import replace
from datetime import datetime, timedelta

from sqlalchemy import select

from telqc.contacts import service as contacts
from telqc.contacts.models import Contact
from telqc.core.clock import FrozenClock
from telqc.core.context import Ctx
from telqc.core.events import OutboxEvent
from telqc.customers.models import Customer
from telqc.surveys import channels
from telqc.surveys import schemas as ss
from telqc.surveys import service as surveys

WINDOW_DAYS = 28  # answers within the dashboard's default 30 days
CONTACT_SAMPLE = 600  # answered calls whose customer is invited (one survey per customer per 30 days)
RESPONSE_RATE = 0.6
# Before the window, back to the start of the contact history (the quarter the evaluations show), answered calls
# are surveyed at a third of the window's daily rate, so every evaluated month has CSAT answers by agent.
EARLIER_PER_DAY = CONTACT_SAMPLE / WINDOW_DAYS / 3  # a third: enough answers per agent and month, a short seed
# A little above the targets (90% satisfied, NPS 30): complaint customers score lower (`_scores`) and the at-risk
# customers' few low answers (`retention_seed.seed_low_answers`) bring the demo's tiles to about the target.
CSAT = ([5, 4, 3, 2, 1], [0.60, 0.31, 0.05, 0.02, 0.02])  # 91% satisfied
NPS = ([10, 9, 8, 7, 6, 5, 3, 1], [0.25, 0.25, 0.22, 0.12, 0.07, 0.04, 0.03, 0.02])  # promoters 50%, detractors 16%


def _at_risk(ctx: Ctx) -> set[int]:
    return set(ctx.session.scalars(select(Customer.id).where(Customer.lifecycle == "churn_risk")))


def _earlier_triggers(ctx: Ctx, rng: random.Random, until: datetime) -> list[tuple[datetime, surveys.Trigger]]:
    """A sample of the answered calls that ended before `until`, `EARLIER_PER_DAY` a day on average."""
    at_risk = _at_risk(ctx)
    calls = [c for c in ctx.session.execute(select(Contact.id, Contact.customer_id, Contact.ended_at)
                                            .where(Contact.abandoned.is_(False), Contact.customer_id.is_not(None),
                                                   Contact.ended_at < until).order_by(Contact.id))
             if c.customer_id not in at_risk]
    if not calls:
        return []
    span = (until - min(c.ended_at for c in calls)).total_seconds() / 86400
    picked = rng.sample(calls, min(len(calls), round(EARLIER_PER_DAY * span)))
    return sorted(((c.ended_at, surveys.Trigger(c.customer_id, "contact", contact_id=c.id,
                                                dims=contacts.dims(ctx, c.id))) for c in picked),
                  key=lambda t: t[0])


def _triggers(ctx: Ctx, rng: random.Random, since: datetime) -> list[tuple[datetime, surveys.Trigger]]:
    s = ctx.session
    at_risk = _at_risk(ctx)
    out: list[tuple[datetime, surveys.Trigger]] = []
    ctx.uow.flush()  # the order.resolved events this unit of work collected
    for at, payload in s.execute(select(OutboxEvent.at, OutboxEvent.payload)
                                 .where(OutboxEvent.type == "order.resolved", OutboxEvent.at >= since)
                                 .order_by(OutboxEvent.id)):
        p = json.loads(payload)
        if p.get("customer_id") is not None and p["customer_id"] not in at_risk:
            out.append((at, surveys.Trigger(int(p["customer_id"]), "order", order_id=int(p["order_id"]),
                                            dims=p.get("dims") or {})))
    calls = [c for c in s.execute(select(Contact.id, Contact.customer_id, Contact.ended_at)
                                  .where(Contact.abandoned.is_(False), Contact.customer_id.is_not(None),
                                         Contact.ended_at >= since).order_by(Contact.id))
             if c.customer_id not in at_risk]
    for c in rng.sample(calls, min(len(calls), CONTACT_SAMPLE)):
        out.append((c.ended_at, surveys.Trigger(c.customer_id, "contact", contact_id=c.id,
                                                dims=contacts.dims(ctx, c.id))))
    return sorted(out, key=lambda t: t[0])


def _scores(rng: random.Random, trigger: surveys.Trigger) -> ss.AnswerIn:
    """Complaint customers are harder to please than callers with a question (the CSAT gap by order type)."""
    harsh = (trigger.dims or {}).get("category", "").startswith("complaint")
    csat = rng.choices(*CSAT)[0]
    if harsh and csat > 1 and rng.random() < 0.3:
        csat -= 1
    nps = rng.choices(*NPS)[0]
    return ss.AnswerIn(csat=csat, nps=max(0, nps - 2) if harsh and rng.random() < 0.3 else nps,
                       resolved=csat >= 3 and rng.random() < 0.92)


def seed_survey_answers(ctx: Ctx, seed: int = 42) -> int:
    """Invite and answer as described above (the earlier calls first, on their own generator, so the window's
    sample is drawn as before); returns how many answered (0 when there is nothing to survey)."""
    rng = random.Random(seed + 5)
    now = ctx.now()
    since = now - timedelta(days=WINDOW_DAYS)
    earlier = _earlier_triggers(ctx, random.Random(seed + 6), since)
    triggers = _triggers(ctx, rng, since)
    previous = channels.use(channels.RecordingChannel())
    try:
        return _invite_and_answer(ctx, random.Random(seed + 7), earlier, now) + _invite_and_answer(
            ctx, rng, triggers, now)
    finally:
        channels.use(previous)


def _invite_and_answer(ctx: Ctx, rng: random.Random, triggers: list[tuple[datetime, surveys.Trigger]],
                       now: datetime) -> int:
    answered = 0
    for ended, trigger in triggers:
        sent_at = ended + timedelta(minutes=rng.randint(5, 30))
        if sent_at >= now:
            continue
        sent = surveys.invite_many(replace(ctx, clock=FrozenClock(sent_at), principal=None), [trigger])
        answer_at = sent_at + timedelta(minutes=rng.randint(2, 900))
        if not sent or rng.random() > RESPONSE_RATE or answer_at >= now:
            continue
        surveys.answer(replace(ctx, clock=FrozenClock(answer_at), principal=None), sent[0][1],
                       _scores(rng, trigger))
        answered += 1
    return answered
