"""After-commit reactions: send the notifications that order changes queued.

The rows were written in the change's own transaction (`notify.queue`); this
handler only delivers them, and `deliver` is claim-based, so a re-run
relay or a retried job never sends one twice: the relay keeps no delivery
rows for it (``ledger=False``).
"""

from __future__ import annotations

from telqc.core import events
from telqc.core.context import Ctx
from telqc.orders import notify


@events.subscribe_batch("order.*", ledger=False)
def deliver_notifications(ctx: Ctx, batch: list[events.Event]) -> None:
    """Once per relay batch: `deliver` sends whatever is queued, whichever events queued it."""
    notify.deliver(ctx.session, ctx.clock)
