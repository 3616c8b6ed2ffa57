"""Applying escalations (升级): by hand (team lead → manager → crisis) or from the SLA sweep.

The decision is pure (`orders.escalation_rules.decide_escalation`); this module does
what it says and records it: an escalation row, history, audit, the
supervisor's notification, a raised priority (re-matching the SLA policy is
deliberately *not* done: the customer's promised deadline does not move) and,
for REASSIGN, a senior agent as handler while the first-contact owner stays.
"""

from __future__ import annotations

from telqc.core import events
from telqc.core.context import Ctx
from telqc.core.errors import Invalid
from telqc.orders import lifecycle, notify, routing
from telqc.orders import schemas as s
from telqc.orders.access import get_for_update
from telqc.orders.escalation_rules import Escalation, EscalationAction, EscalationLevel, raise_priority
from telqc.orders.lifecycle import actor_id, dims, history, iso
from telqc.orders.models import Order, OrderEscalation
from telqc.orders.sla import Priority, SlaPolicy
from telqc.orders.states import FINAL_STATES, OrderState

_LEVELS = list(EscalationLevel)


def apply(ctx: Ctx, o: Order, esc: Escalation, policy: SlaPolicy | None = None,
          notices: list[dict[str, object]] | None = None) -> None:
    """Record and carry out one escalation decision on a locked order.

    A bulk caller (the sweep) passes `notices` to collect the supervisor notifications and insert them
    in one statement afterwards (`notify.queue_many`)."""
    now = ctx.now()
    old_level = o.escalation_level
    ctx.session.add(OrderEscalation(order_id=o.id, at=now, by_id=actor_id(ctx), from_level=old_level,
                                    level=esc.level.value, actions=[a.value for a in esc.actions],
                                    reasons=list(esc.reasons)))
    o.escalation_level = esc.level.value
    history(ctx, o, "escalation", old_level, esc.level.value, "; ".join(esc.reasons))
    if esc.new_priority is not None and esc.new_priority.value != o.priority:
        history(ctx, o, "priority", o.priority, esc.new_priority.value, "escalation")
        o.priority = esc.new_priority.value
    if EscalationAction.NOTIFY_SUPERVISOR in esc.actions:
        n = notify.row(ctx, o.id, f"escalation.{esc.level.value}", 0, f"team:{o.team_id or 0}:{esc.level.value}",
                       f"工单 {o.id} 升级至 {esc.level.value}：{'; '.join(esc.reasons)}", via="internal")
        if notices is None:
            notify.queue_many(ctx, [n])
        else:
            notices.append(n)
    if EscalationAction.REASSIGN in esc.actions:
        senior = routing.pick_agent(ctx.session, o.province_code, None, o.tier,
                                    exclude=[o.handler_id] if o.handler_id else [], senior_only=True)
        if senior is not None:
            history(ctx, o, "handler", o.handler_id, senior.id, f"escalation {esc.level.value}")
            o.handler_id = senior.id
            o.team_id = senior.team_id or o.team_id
    o.updated_at = now
    ctx.audit("order.escalated", "order", o.id, **{"from": old_level, "to": esc.level.value,
                                                    "actions": [a.value for a in esc.actions],
                                                    "reasons": list(esc.reasons), "priority": o.priority})
    events.emit(ctx, "order.escalated", "order", o.id, order_id=o.id, type=o.type, at=iso(now),
                level=esc.level.value, actions=[a.value for a in esc.actions], priority=o.priority,
                automatic=ctx.principal is None, dims=dims(o))


def escalate(ctx: Ctx, order_id: int, data: s.EscalateIn, if_match: int | None = None) -> Order:
    """Manual escalation to a higher level only (an escalation is never silently undone)."""
    o = get_for_update(ctx, order_id, if_match)
    if OrderState(o.status) in FINAL_STATES:
        raise Invalid("orders.error.final", field="path.order_id")
    target = EscalationLevel(data.level)
    if _LEVELS.index(target) <= _LEVELS.index(EscalationLevel(o.escalation_level)):
        raise Invalid("orders.error.level_not_higher", field="body.level", current=f"olevel.{o.escalation_level}")
    actions = [EscalationAction.NOTIFY_SUPERVISOR]
    if target is not EscalationLevel.TEAM_LEAD:
        actions.append(EscalationAction.RAISE_PRIORITY)
    new_p = raise_priority(Priority(o.priority)) if EscalationAction.RAISE_PRIORITY in actions else None
    apply(ctx, o, Escalation(target, tuple(actions), (data.reason,), new_p))
    ctx.session.flush()
    lifecycle.refresh_sla(o, lifecycle.policy_of(ctx, o), lifecycle.pauses_of(ctx, o.id), ctx.now())
    ctx.session.flush()
    return o
