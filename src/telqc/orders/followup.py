"""What a state change means for the customer: a notification when the order is acknowledged and when it
is resolved, and on a complaint's resolution the callback task (回访) of the closed loop."""

from __future__ import annotations

from telqc.core.context import Ctx
from telqc.orders import complaints, notify
from telqc.orders.models import Order
from telqc.orders.states import OrderState, OrderType

S = OrderState


def after_transition(ctx: Ctx, o: Order, target: OrderState) -> None:
    if target is S.ACKNOWLEDGED:
        notify.notify_customer(ctx, o, "acknowledged", o.reopen_count, "orders.sms.acknowledged")
    elif target is S.RESOLVED:
        notify.notify_customer(ctx, o, "resolved", o.reopen_count, "orders.sms.resolved")
        if o.type == OrderType.COMPLAINT:
            complaints.open_callback(ctx, o)
