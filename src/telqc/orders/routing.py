"""Who should handle an order: skill, region, load and customer tier (VIP to senior agents).

Rules, in order: the candidate must cover the order's province; among those,
prefer holders of the category's skill (if anyone has it); VIP and gold
customers go to agents with the `senior` skill when one exists (tiered service
promise, KPI "complaint satisfaction"); then the lowest open-order load wins,
ties by user id so routing is deterministic and testable.

Field engineers: where the workforce domain has an engineers' roster for the
moment (`workforce.read.engineers_on_duty`), those on duty in the province come
first; with no roster, or nobody of the candidates on duty, routing is as before.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from telqc.orders import repository as repo
from telqc.orders.repository import Staff
from telqc.workforce import read as workforce_read

SENIOR_SKILL = "senior"
AGENT_ROLES = ("agent", "supervisor")
SENIOR_TIERS = ("vip", "gold")


def _prefer(users: list[Staff], pred: Callable[[Staff], bool]) -> list[Staff]:
    chosen = [u for u in users if pred(u)]
    return chosen or users


def pick_agent(session: Session, province_code: str, skill: str | None, tier: str,
               exclude: Sequence[int] = (), senior_only: bool = False) -> Staff | None:
    """Best agent for an order, or None when nobody covers the province."""
    users = [u for u in repo.agents(session, AGENT_ROLES, province_code) if u.id not in exclude]
    if not users:
        return None
    if skill:
        users = _prefer(users, lambda u: skill in (u.skills or []))
    if senior_only or tier in SENIOR_TIERS:
        users = _prefer(users, lambda u: SENIOR_SKILL in (u.skills or []))
    return min(users, key=lambda u: (u.load, u.id))


def pick_engineer(session: Session, province_code: str, district_code: str | None, skill: str,
                  at: datetime | None = None, tz: ZoneInfo | None = None) -> Staff | None:
    """Field engineer on duty at `at` (the appointment, else now) when a roster says who is, then by area
    (district in skills first, then province scope), product skill, then load."""
    users = repo.staff(session, ("engineer",), province_code)
    if not users:
        return None
    on_duty = workforce_read.engineers_on_duty(session, province_code, at, tz) if at and tz else None
    if on_duty is not None:
        users = _prefer(users, lambda u: u.id in on_duty)
    users = _prefer(users, lambda u: skill in (u.skills or []))
    if district_code:
        users = _prefer(users, lambda u: district_code in (u.skills or []))
    load = repo.open_repairs_load(session, [u.id for u in users])
    return min(users, key=lambda u: (load[u.id], u.id))
