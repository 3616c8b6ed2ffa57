"""Orders' notifications and incidents' notices and escalations share one claim-first sender.

`orders/notify.py` kept its own copy of the insert-by-key, claim, send, release loop that incidents had in
`incidents/sending.SendQueue`; a fix to one (the claim's condition, a release after a failed send) would have
missed the other. The loop's behaviour is tested through each domain (`test_orders_customer.py`'s flaky
channel, tests/incidents); this checks that there is one loop.
"""

from __future__ import annotations

from pathlib import Path

import telqc
from telqc.core.sending import SendQueue
from telqc.incidents import broadcast, escalation
from telqc.orders import notify

SRC = Path(telqc.__file__).parent
CLAIM = ".values(sent_at=bindparam(\"now\")"  # the conditional UPDATE that claims a batch


def test_every_message_table_is_sent_through_the_core_send_queue() -> None:
    queues = [notify._QUEUE, broadcast._QUEUE, escalation._QUEUE]
    assert all(type(q) is SendQueue for q in queues)
    tables = [str(getattr(q._claim.table, "name", "")) for q in queues]
    assert tables == ["order_notifications", "incident_notices", "incident_escalations"]


def test_no_module_builds_its_own_claim_statement() -> None:
    builders = sorted(str(p.relative_to(SRC)) for p in SRC.rglob("*.py") if CLAIM in p.read_text(encoding="utf-8"))
    assert builders == ["core/sending.py"]
