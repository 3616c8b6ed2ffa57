"""What a service call needs besides its arguments: the unit of work, the clock and who is acting."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from telqc.core import audit
from telqc.core.clock import Clock
from telqc.core.rbac import Principal
from telqc.core.settings import Settings
from telqc.core.uow import UnitOfWork


@dataclass
class Ctx:
    uow: UnitOfWork
    clock: Clock
    settings: Settings
    principal: Principal | None = None
    lang: str = "zh-CN"

    @property
    def session(self) -> Session:
        return self.uow.session

    def now(self) -> datetime:
        return self.clock.now()

    @property
    def actor(self) -> audit.Actor:
        p = self.principal
        return audit.Actor(p.user_id, p.username) if p else audit.Actor.system()

    def audit(self, action: str, entity_type: str, entity_id: object, **data: Any) -> None:
        """Audit a state change: the entry is written with the change (see `telqc.core.audit`)."""
        audit.record(self.uow, self.actor, action, entity_type, entity_id, self.now(), data)
