"""Demo work orders: created and moved through the real order services, so history, SLA clocks,
callbacks, audit and events look exactly like production data.

Orders are spread over the last `days` days on a moving clock (deterministic for a seed), handled
by the demo agents of the customer's province; a share is resolved and closed through the callback
loop, today's are still open at every step and a few of this week's run late (`order_templates.stops`),
a few are repairs dispatched
to the demo engineer, and the final SLA sweep runs at the real current time.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import replace
from datetime import date, datetime, timedelta

from sqlalchemy import select

from telqc.core.auth import principal_of
from telqc.core.clock import FrozenClock
from telqc.core.context import Ctx
from telqc.core.errors import DomainError
from telqc.core.models import User
from telqc.core.rbac import Principal
from telqc.customers.models import Customer
from telqc.demo.order_templates import PLACES, TEMPLATES, solution_for, stops
from telqc.demo.orders_bulk import seed_bulk_orders
from telqc.demo.surveys_seed import seed_survey_answers
from telqc.metrics import rollup
from telqc.metrics import service as metrics
from telqc.orders import complaints, config, repairs, service
from telqc.orders import schemas as s
from telqc.orders.models import Order
from telqc.orders.sweep import sweep_all

SERVICE_ORDERS = 300  # beyond this many, the rest are generated in bulk (telqc.demo.orders_bulk)


def seed_orders(ctx: Ctx, count: int = 300, days: int = 14, seed: int = 42,
                progress: Callable[[int], None] | None = None) -> int:
    """Create `count` demo orders; returns how many were created (customers without an agent are skipped).

    The first ``SERVICE_ORDERS`` go through the real order services (full history, audit, events
    relayed to every domain); the rest are bulk-generated rows and events, for large databases.
    """
    config.ensure_defaults(ctx)
    rng = random.Random(seed)
    sess = ctx.session
    agents: dict[str, list[User]] = {}
    for u in sess.scalars(select(User).where(User.role.in_(["agent", "supervisor"]), User.is_active.is_(True))
                          .order_by(User.id)):
        for province in u.region_scope or []:
            agents.setdefault(province, []).append(u)
    supervisors = {p: [u for u in us if u.role == "supervisor"] for p, us in agents.items()}
    customers = list(sess.execute(select(Customer.id, Customer.province_code)
                                  .where(Customer.province_code.in_(list(agents))).order_by(Customer.id).limit(5000)))
    if not customers:
        return 0
    real_now = ctx.now()
    clock = FrozenClock(real_now - timedelta(days=days))
    service_count = min(count, SERVICE_ORDERS)
    step = timedelta(days=days) / max(service_count, 1)
    made = 0
    for _ in range(service_count):
        clock.advance(step * rng.uniform(0.5, 1.5))
        if clock.now() >= real_now:
            break
        cid, province = rng.choice(customers)
        agent = rng.choice(agents[province])
        sup = (supervisors.get(province) or [agent])[0]
        try:
            ctx.uow.flush()  # what is collected so far belongs to the outer transaction, not to the savepoint
            with sess.begin_nested():
                own = FrozenClock(clock.now())  # each order's life runs on its own clock from its creation
                _one(replace(ctx, clock=own, principal=principal_of(agent)), principal_of(sup), rng, cid, real_now)
            made += 1
        except DomainError:
            continue  # e.g. no engineer in the province for a repair: skip, the demo stays consistent
        if progress:
            progress(1)
    made += _demo_customer_story(ctx, agents, supervisors, real_now)
    seed_survey_answers(ctx, seed)  # after the resolutions, before the sweep: see telqc.demo.surveys_seed
    sweep_all(replace(ctx, principal=None), real_now)
    if count > service_count:
        made += seed_bulk_orders(ctx, count - service_count, days, seed, real_now, progress)
    ctx.audit("demo.orders_seeded", "database", "demo", orders=made, seed=seed)
    return made


def _demo_customer_story(ctx: Ctx, agents: dict[str, list[User]], supervisors: dict[str, list[User]],
                         real_now: datetime) -> int:
    """The first customer (the demo's customer login, `reference.link_demo_customer`) gets orders in several
    states, so their progress page has something to follow: a billing complaint resolved, called back and
    closed last week, the same complaint again two days ago (a repeat, in progress: a churn reason), a broadband
    fault dispatched this morning, and a plan enquiry still new."""
    first = ctx.session.execute(select(Customer.id, Customer.province_code).order_by(Customer.id).limit(1)).first()
    if first is None or not agents.get(first.province_code):
        return 0
    agent = principal_of(agents[first.province_code][0])
    sup = principal_of((supervisors.get(first.province_code) or agents[first.province_code])[0])

    def at(ago: timedelta) -> tuple[Ctx, FrozenClock]:
        clock = FrozenClock(real_now - ago)
        return replace(ctx, clock=clock, principal=agent), clock

    def billing(c: Ctx, clock: FrozenClock, channel: s.ChannelName, title: str, description: str) -> Order:
        """A billing complaint of the customer, acknowledged and taken in hand (in progress)."""
        o = service.create(c, s.OrderCreate(type="complaint", category="complaint.billing", customer_id=first.id,
                                            channel=channel, title=title, description=description))
        clock.advance(timedelta(minutes=20))
        service.transition(c, o.id, s.TransitionIn(to="acknowledged"))
        clock.advance(timedelta(minutes=60))
        service.transition(c, o.id, s.TransitionIn(to="in_progress"))
        return o

    made = 0
    try:
        with ctx.session.begin_nested():
            c, clock = at(timedelta(days=6))
            o = billing(c, clock, "hotline", "本月话费多扣流量费", "客户反映本月账单多出流量费 35 元，要求核实退费。")
            service.add_note(c, o.id, s.NoteIn(body="已联系计费部核实，确认重复计费，将退还 35 元。", public=True))
            clock.advance(timedelta(hours=20))
            service.transition(c, o.id, s.TransitionIn(to="resolved", solution_code="REFUND_FEE"))
            clock.advance(timedelta(hours=5))
            complaints.record_callback(replace(c, principal=sup), o.id, s.CallbackIn(outcome="satisfied"))
            made += 1
        with ctx.session.begin_nested():  # the same charge again: a repeat complaint (重复投诉), still being handled
            billing(*at(timedelta(days=2)), "app", "流量费又被多扣", "上周已退还的流量费本月又出现了，要求彻底解决。")
            made += 1
        with ctx.session.begin_nested():
            c, clock = at(timedelta(hours=5))
            o = service.create(c, s.OrderCreate(type="repair", category="repair.broadband", customer_id=first.id,
                                                channel="app", title="宽带频繁掉线",
                                                description="家里千兆宽带晚上频繁掉线，光猫 LOS 灯闪红。",
                                                repair=s.RepairIn(product="千兆宽带")))
            clock.advance(timedelta(minutes=15))
            service.transition(c, o.id, s.TransitionIn(to="acknowledged"))
            repairs.dispatch(replace(c, principal=sup), o.id, s.DispatchIn())
            made += 1
        with ctx.session.begin_nested():
            service.create(at(timedelta(minutes=40))[0], s.OrderCreate(
                type="consultation", category="consultation.plan", customer_id=first.id, channel="web",
                title="咨询副卡资费", description="想给家人办一张副卡，咨询共享流量的资费。"))
            made += 1
    except DomainError:
        pass  # e.g. no engineer for the dispatch: the story is shorter, the demo stays consistent
    return made


def seed_earlier_orders(ctx: Ctx, months: list[tuple[date, date]], until: datetime, seed: int = 42) -> int:
    """Before `until` (where `seed_orders`' window starts), in each evaluated month: a complaint and one other order
    per agent of each province, through the order services on clocks set then, so every month's evaluation has
    SLA compliance and complaint handling for every agent. Returns the orders made."""
    rng = random.Random(seed + 3)
    sess = ctx.session
    real_now = ctx.now()
    tz = metrics.tz_of(ctx)
    customers: dict[str, list[int]] = {}
    for cid, code in sess.execute(select(Customer.id, Customer.province_code).order_by(Customer.id).limit(5000)):
        customers.setdefault(code, []).append(cid)
    staff = [u for u in sess.scalars(select(User).where(User.role.in_(["agent", "supervisor"]),
                                                        User.is_active.is_(True)).order_by(User.id))]
    supervisors = {p: u for u in reversed(staff) if u.role == "supervisor" for p in u.region_scope or []}
    complaint = [x for x in TEMPLATES if x[0] == "complaint"]
    other = [x for x in TEMPLATES if x[0] not in ("complaint", "repair")]
    made = 0
    for start, end in months:
        t0 = rollup.local_midnight(start, tz)
        t1 = min(rollup.local_midnight(end + timedelta(days=1), tz), until) - timedelta(days=1)
        if t1 <= t0:
            continue
        for agent in (u for u in staff if u.role == "agent"):
            province = next((p for p in agent.region_scope or [] if customers.get(p)), None)
            if province is None:
                continue
            for template in (rng.choice(complaint), rng.choice(other)):
                at = FrozenClock(t0 + (t1 - t0) * rng.random())
                sup = supervisors.get(province, agent)
                ctx.uow.flush()
                try:
                    with sess.begin_nested():
                        _one(replace(ctx, clock=at, principal=principal_of(agent)), principal_of(sup), rng,
                             rng.choice(customers[province]), real_now, template)
                except DomainError:
                    continue
                made += 1
    return made


def _one(ctx: Ctx, supervisor: Principal, rng: random.Random, customer_id: int, real_now: datetime,
         template: tuple[str, str, str, str] | None = None) -> None:
    kind, category, title, text = template or rng.choice(TEMPLATES)
    body: dict[str, object] = {"type": kind, "category": category, "customer_id": customer_id,
                               "channel": rng.choice(["hotline", "hotline", "app", "wechat", "web", "store"]),
                               "title": title, "description": text.format(n=rng.randint(10, 90),
                                                                         place=rng.choice(PLACES))}
    if kind == "repair":
        body["repair"] = {"product": "千兆宽带" if category == "repair.broadband" else "IPTV机顶盒"}
    o = service.create(ctx, s.OrderCreate.model_validate(body))
    clock = ctx.clock
    assert isinstance(clock, FrozenClock)
    fate = rng.random()
    stop_new, stop_ack, stop_work = stops(real_now - clock.now())

    def later(minutes: float) -> bool:
        clock.advance(timedelta(minutes=minutes * rng.uniform(0.3, 1.7)))
        return clock.now() < real_now

    if fate < stop_new or not later(25):
        return  # still new: arrived in the last hours, a few already past the first-response time
    service.transition(ctx, o.id, s.TransitionIn(to="acknowledged"))
    if kind == "repair":
        sup_ctx = replace(ctx, principal=supervisor)
        repairs.dispatch(sup_ctx, o.id, s.DispatchIn())
    if fate < stop_ack or not later(90):
        return
    service.transition(ctx, o.id, s.TransitionIn(to="in_progress"))
    service.add_note(ctx, o.id, s.NoteIn(body="已核实情况，正在处理。", public=True))
    if fate < stop_work or not later(600):
        return
    service.transition(ctx, o.id, s.TransitionIn(to="resolved", solution_code=solution_for(title, (o.id % 4) / 4)))
    if kind != "complaint":
        if later(60):
            service.transition(ctx, o.id, s.TransitionIn(to="closed"))
        return
    if not later(300):
        return
    sup_ctx = replace(ctx, principal=supervisor)
    satisfied = rng.random() < 0.85
    complaints.record_callback(sup_ctx, o.id, s.CallbackIn(outcome="satisfied" if satisfied else "unsatisfied"))
    if satisfied or not later(600):
        return
    # reopened on the callback: worked again and, with time, resolved and called back once more (not left open)
    service.transition(ctx, o.id, s.TransitionIn(to="in_progress"))
    service.add_note(ctx, o.id, s.NoteIn(body="回访不满意，已重新核查处理。", public=True))
    if not later(900):
        return
    service.transition(ctx, o.id, s.TransitionIn(to="resolved", solution_code=solution_for(title, (o.id % 4) / 4)))
    if later(300):
        complaints.record_callback(sup_ctx, o.id, s.CallbackIn(outcome="satisfied"))
