"""Work-order rules: create, read, assign, transition, note and transfer.

Every function takes a `Ctx` first, never commits, audits each state change
and emits the events of the event contract (order.created, order.status_changed,
order.transferred …).  Writes take the row lock (`SELECT … FOR UPDATE` on
PostgreSQL; SQLite serialises writers) and compare the caller's `If-Match`
version, so a stale write gets 412 and never overwrites (optimistic concurrency
on top of the `version` column, which SQLAlchemy also checks on flush).

Complaint closed loop: `telqc.orders.complaints`; repairs: `telqc.orders.repairs`;
escalation: `telqc.orders.escalations`; SLA sweep: `telqc.orders.sweep`;
timelines: `telqc.orders.timeline`.
"""

from __future__ import annotations

from sqlalchemy import select

from telqc.core import events
from telqc.core import repository as core_repo
from telqc.core.context import Ctx
from telqc.core.errors import Invalid
from telqc.core.models import User
from telqc.core.rbac import Role
from telqc.orders import complaints, config, escalations, followup, lifecycle, notify, repairs, routing
from telqc.orders import repository as repo
from telqc.orders import schemas as s
from telqc.orders.access import get, get_for_update, principal, require_handling
from telqc.orders.escalation_rules import RiskCategory, decide_escalation, detect_escalation_risk
from telqc.orders.incident_orders import OrderBrief, briefs, open_in_area, resolve_for_incident
from telqc.orders.lifecycle import actor_id, dims, history, iso
from telqc.orders.models import Order, OrderNote, OrderTransfer
from telqc.orders.repository import OrderFilter, Staff
from telqc.orders.sla import derive_priority
from telqc.orders.states import OrderState

S = OrderState
__all__ = ["OrderBrief", "OrderFilter", "add_note", "assign", "briefs", "create", "get", "get_for_update",
           "open_in_area", "recent_for_customer", "resolve_for_incident", "search", "transfer", "transition"]


def search(ctx: Ctx, f: OrderFilter, offset: int = 0, limit: int = 50) -> tuple[list[Order], int]:
    return repo.search(ctx.session, principal(ctx), f, offset, limit)


def create(ctx: Ctx, data: s.OrderCreate, *, caller_unidentified: bool = False) -> Order:
    """Open an order: priority from type × the category's severity × tier × area (a reported severity is kept
    as the order's, not trusted for priority), SLA deadlines from the matching policy,
    escalation risk from complaint text, repeat-complaint link, first-contact owner = the creator.

    ``caller_unidentified``: the customer is a region's placeholder (`customers.service.unidentified_caller`),
    shared by callers who are not the same person, so no repeat complaint is linked through it."""
    p = principal(ctx)
    cat = config.category(ctx, data.category)
    if cat is None:  # a fresh installation writes its default configuration on first use
        config.ensure_defaults(ctx)
        cat = config.category(ctx, data.category)
    if cat is None or not cat.active:
        raise Invalid("error.not_found", field="body.category", what="w.category")
    if cat.order_type != data.type:
        raise Invalid("orders.error.category_type", field="body.category", type=data.type)
    now = ctx.now()
    repeat = cat.code if data.type == "complaint" and not caller_unidentified else None
    customer = repo.customer_facts(ctx.session, data.customer_id, repeat,
                                   now - complaints.REPEAT_WINDOW)
    if customer is None or not p.sees_region(customer.province_code):
        raise Invalid("error.not_found", field="body.customer_id", what="w.customer")
    if data.type == "repair" and data.repair is None:
        raise Invalid("v.missing", field="body.repair")
    priority = derive_priority(data.type, cat.severity, customer.tier, customer.area_type)
    text = f"{data.title}\n{data.description}"
    risk = detect_escalation_risk(text) if data.type == "complaint" else ()
    live = [m for m in risk if not m.negated]
    o = Order(type=data.type, category_code=cat.code, severity=data.severity or cat.severity,
              priority=priority.value, status=S.NEW.value, customer_id=customer.id, contact_id=data.contact_id,
              channel=data.channel, title=data.title, description=data.description, owner_id=p.user_id,
              handler_id=None, team_id=p.team_id, department=cat.department,
              province_code=customer.province_code, city_code=customer.city_code,
              district_code=customer.district_code, area_type=customer.area_type, tier=customer.tier,
              escalation_level="none", escalation_risk=bool(live),
              regulator_risk=any(m.category is RiskCategory.REGULATOR for m in live),
              risk_terms=list(dict.fromkeys(m.term for m in live)), is_repeat=False, sla_status="ok",
              created_at=now, updated_at=now, reopen_count=0)
    pols = config.policies(ctx)
    policy = pols.table.match(o.type, o.priority, o.tier, o.area_type)
    o.sla_policy_id = pols.ids.get(policy.name)
    handler = _initial_handler(ctx, o, cat.skill, data)
    o.handler_id = handler.id if handler else None
    if handler is not None and handler.team_id is not None:
        o.team_id = handler.team_id
    if p.role is Role.customer:  # self-service: the routed agent owns it, not the customer (selfservice.py)
        o.owner_id = handler.id if handler is not None else None
    lifecycle.refresh_sla(o, policy, [], now)
    prior = customer.repeat_of
    complaints.flag_repeat(o, prior)
    ctx.session.add(o)
    ctx.session.flush()  # one INSERT with every field decided
    history(ctx, o, "status", None, S.NEW.value, "created", public=True)
    ctx.audit("order.created", "order", o.id, type=o.type, category=o.category_code, priority=o.priority,
              customer_id=o.customer_id, handler_id=o.handler_id, risk_terms=o.risk_terms,
              site_id=data.site_id)
    if prior is not None:
        complaints.link_repeat(ctx, o, prior)
    if data.repair is not None:
        repairs.attach(ctx, o, data.repair, cat.skill or "repair")
    events.emit(ctx, "order.created", "order", o.id, order_id=o.id, type=o.type, priority=o.priority,
                customer_id=o.customer_id, created_at=iso(now), escalation_risk=o.escalation_risk,
                regulator=o.regulator_risk, dims=dims(o), site_id=data.site_id)
    if live:
        esc = decide_escalation(o.type, o.priority, o.sla_status, 0.0, o.escalation_level, live)
        if esc is not None:
            escalations.apply(ctx, o, esc, policy)
    ctx.session.flush()  # the answer's version (ETag) is the one the commit writes
    return o


def _initial_handler(ctx: Ctx, o: Order, skill: str | None, data: s.OrderCreate) -> User | Staff | None:
    """首问负责制: the creator handles it unless routing or a named handler is asked for."""
    if data.handler_id is not None:
        return _assignable(ctx, o, data.handler_id, "body.handler_id")
    if data.auto_assign or principal(ctx).role.value not in routing.AGENT_ROLES:
        return routing.pick_agent(ctx.session, o.province_code, skill, o.tier)
    return ctx.session.get(User, principal(ctx).user_id)


def _assignable(ctx: Ctx, o: Order, user_id: int, field: str) -> User:
    u = ctx.session.get(User, user_id)
    if (u is None or not u.is_active or u.role not in (*routing.AGENT_ROLES, "manager")
            or not (u.region_scope is None or o.province_code in u.region_scope)):
        raise Invalid("orders.error.not_assignable", field=field)
    return u


def assign(ctx: Ctx, order_id: int, data: s.AssignIn, if_match: int | None = None) -> Order:
    """Hand or automatic assignment of the handler; the first-contact owner never changes."""
    o = get_for_update(ctx, order_id, if_match)
    if S(o.status) in (S.CLOSED, S.CANCELLED):
        raise Invalid("orders.error.final", field="path.order_id")
    if data.handler_id is not None:
        u: User | Staff | None = _assignable(ctx, o, data.handler_id, "body.handler_id")
    else:
        cat = config.category(ctx, o.category_code)
        u = routing.pick_agent(ctx.session, o.province_code, cat.skill if cat else None, o.tier,
                               exclude=[o.handler_id] if o.handler_id else [])
        if u is None:
            raise Invalid("orders.error.no_candidate", field="body.handler_id")
    assert u is not None
    old = o.handler_id
    o.handler_id = u.id
    o.team_id = u.team_id or o.team_id
    o.updated_at = ctx.now()
    history(ctx, o, "handler", old, u.id, data.reason or ("auto" if data.handler_id is None else "manual"))
    ctx.audit("order.assigned", "order", o.id, **{"from": old, "to": u.id, "auto": data.handler_id is None})
    ctx.session.flush()  # the answer's version (ETag) is the one the commit writes
    return o


def transition(ctx: Ctx, order_id: int, data: s.TransitionIn, if_match: int | None = None) -> Order:
    """One lifecycle step (409 with the allowed list if illegal); resolve/callback/close side effects included."""
    o = get_for_update(ctx, order_id, if_match)
    require_handling(ctx, o)
    target = S(data.to)
    if target is S.PENDING and data.pending_reason is None:
        raise Invalid("v.missing", field="body.pending_reason")
    lifecycle.change_state(ctx, o, target, data.reason, data.pending_reason, data.solution_code)
    followup.after_transition(ctx, o, target)
    ctx.session.flush()  # the answer's version (ETag) is the one the commit writes
    return o


def add_note(ctx: Ctx, order_id: int, data: s.NoteIn) -> OrderNote:
    """Internal notes stay with staff; public notes appear on the customer's timeline and notify them."""
    o = get(ctx, order_id)
    require_handling(ctx, o)
    note = OrderNote(order_id=o.id, at=ctx.now(), author_id=actor_id(ctx), public=data.public, body=data.body)
    ctx.session.add(note)
    ctx.session.flush()
    ctx.audit("order.note_added", "order", o.id, note_id=note.id, public=data.public)
    if data.public:
        notify.notify_customer(ctx, o, "progress", note.id, "orders.sms.progress")
    return note


def transfer(ctx: Ctx, order_id: int, data: s.TransferIn, if_match: int | None = None) -> Order:
    """转接 to a second-line seat, a team's queue or another department: the owner stays accountable.

    A team transfer leaves the order unassigned in that team's queue (its supervisor assigns it); a named person
    becomes the handler; a department name alone (API clients) goes to the senior seat routing picks."""
    o = get_for_update(ctx, order_id, if_match)
    require_handling(ctx, o)
    if S(o.status) in (S.CLOSED, S.CANCELLED):
        raise Invalid("orders.error.final", field="path.order_id")
    team_id = data.to_team_id
    to: User | Staff | None
    if data.to_handler_id is not None:
        to = _assignable(ctx, o, data.to_handler_id, "body.to_handler_id")
    elif team_id is not None:
        to = None
    else:
        to = routing.pick_agent(ctx.session, o.province_code, None, o.tier, exclude=[o.handler_id or 0],
                                senior_only=True)
    team_id = team_id if team_id is not None else (to.team_id if to else None)
    teams = core_repo.team_names(ctx.session, [team_id]) if team_id is not None else {}
    if data.to_team_id is not None and data.to_team_id not in teams:
        raise Invalid("orders.error.no_team", field="body.to_team_id")
    queue = (data.to_queue or teams.get(team_id or 0) or o.department)[:40]
    now = ctx.now()
    old = o.handler_id
    ctx.session.add(OrderTransfer(order_id=o.id, at=now, by_id=actor_id(ctx), from_handler_id=old,
                                  to_handler_id=to.id if to else None, to_queue=queue,
                                  handoff_note=data.handoff_note))
    o.handler_id = to.id if to else None
    o.department = queue
    o.team_id = team_id or o.team_id
    o.updated_at = now
    history(ctx, o, "handler", old, o.handler_id, f"transfer → {queue}: {data.handoff_note}")
    ctx.audit("order.transferred", "order", o.id, **{"from": old, "to": o.handler_id, "queue": queue,
                                                      "team": team_id})
    ctx.session.flush()
    events.emit(ctx, "order.transferred", "order", o.id, order_id=o.id, type=o.type, at=iso(now),
                to_queue=queue, dims=dims(o))
    return o


def transfer_targets(ctx: Ctx, o: Order) -> tuple[dict[int, str], list[tuple[int, str, str | None]]]:
    """Whom the transfer form offers: every team, and the active agents and supervisors who may work the order's
    region (id, name, team name), the order's current handler left out."""
    teams = core_repo.team_names(ctx.session)
    people = [(u.id, u.display_name, teams.get(u.team_id or 0))
              for u in repo.transfer_candidates(ctx.session, o.province_code) if u.id != o.handler_id]
    return teams, people


def recent_for_customer(ctx: Ctx, customer_id: int, limit: int = 20) -> list[dict[str, object]]:
    """Brief rows for the customer 360 panel (caller already checked it may read the customer)."""
    rows = ctx.session.scalars(select(Order).where(Order.customer_id == customer_id)
                               .order_by(Order.created_at.desc(), Order.id.desc()).limit(limit))
    return [{"id": o.id, "type": o.type, "category": o.category_code, "title": o.title, "status": o.status,
             "priority": o.priority, "sla_status": o.sla_status, "created_at": iso(o.created_at),
             "resolution_due": iso(o.resolution_due)} for o in rows]



def category_names(ctx: Ctx, lang: str | None = None) -> dict[str, str]:
    """Order category code → its name in the reader's language, or in ``lang`` for a document written in one
    (the monthly report is Chinese whoever downloads it), for charts and lists of other domains."""
    zh = (lang or ctx.lang) == "zh-CN"
    return {c.code: (c.name if zh else c.name_en) for c in config.categories(ctx)}
