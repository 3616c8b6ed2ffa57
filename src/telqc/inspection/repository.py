"""Quality-inspection queries, starting with who may read which inspection.

Agents read only their own finished results (never blind second scorings or calibration
runs); inspectors read all inspections except another inspector's blind scoring while its
group is still being scored (blind double scoring must stay blind); QA admins read all.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Select, and_, false, func, or_, select
from sqlalchemy.orm import Session

from telqc.contacts.read import CONTACTS, INTERACTIONS
from telqc.core.models import User
from telqc.core.rbac import Perm, Principal
from telqc.inspection.models import Appeal, AutoHit, Inspection, Kind, Status

SHOWN_TO_AGENT = (Status.scored.value, Status.appealed.value, Status.final.value)


def readable(principal: Principal) -> Select[Inspection]:
    stmt = select(Inspection)
    if principal.can(Perm.inspection_admin):
        return stmt  # QA management organises the blind scorings; it does not take part in them
    if principal.can(Perm.inspection_score):
        pending_blind = select(Inspection.group_key).where(
            Inspection.blind.is_(True), Inspection.status == Status.assigned.value).scalar_subquery()
        return stmt.where(or_(Inspection.blind.is_(False), Inspection.inspector_id == principal.user_id,
                              Inspection.group_key.is_(None), Inspection.group_key.not_in(pending_blind)))
    if principal.can(Perm.inspection_mine):
        return stmt.where(Inspection.agent_id == principal.user_id, Inspection.kind == Kind.manual.value,
                          Inspection.status.in_(SHOWN_TO_AGENT))
    return stmt.where(false())


def get_readable(session: Session, principal: Principal, inspection_id: int) -> Inspection | None:
    return session.scalar(readable(principal).where(Inspection.id == inspection_id))


def queue(session: Session, inspector_id: int, limit: int = 100) -> list[Inspection]:
    stmt = (select(Inspection).where(Inspection.inspector_id == inspector_id,
                                     Inspection.status == Status.assigned.value)
            .order_by(Inspection.created_at, Inspection.id).limit(limit))
    return list(session.scalars(stmt))


def for_agent(session: Session, principal: Principal, agent_id: int, limit: int = 100) -> list[Inspection]:
    stmt = readable(principal).where(Inspection.agent_id == agent_id, Inspection.kind == Kind.manual.value,
                                     Inspection.status.in_(SHOWN_TO_AGENT))
    return list(session.scalars(stmt.order_by(Inspection.scored_at.desc(), Inspection.id.desc()).limit(limit)))


def auto_hits(session: Session, contact_id: int, scorecard_id: int) -> list[AutoHit]:
    stmt = (select(AutoHit).where(AutoHit.contact_id == contact_id, AutoHit.scorecard_id == scorecard_id)
            .order_by(AutoHit.turn_index.is_(None), AutoHit.turn_index, AutoHit.id))
    return list(session.scalars(stmt))


def auto_inspection(session: Session, contact_id: int, scorecard_id: int) -> Inspection | None:
    return session.scalar(select(Inspection).where(Inspection.contact_id == contact_id,
                                                   Inspection.scorecard_id == scorecard_id,
                                                   Inspection.kind == Kind.auto.value))


def appeal_of(session: Session, inspection_id: int) -> Appeal | None:
    return session.scalar(select(Appeal).where(Appeal.inspection_id == inspection_id).order_by(Appeal.id.desc()))


def open_appeals(session: Session, exclude_inspector: int | None, limit: int = 100) -> list[Appeal]:
    stmt = select(Appeal).join(Inspection, Inspection.id == Appeal.inspection_id).where(Appeal.status == "open")
    if exclude_inspector is not None:
        stmt = stmt.where(or_(Inspection.inspector_id.is_(None), Inspection.inspector_id != exclude_inspector))
    return list(session.scalars(stmt.order_by(Appeal.filed_at, Appeal.id).limit(limit)))


_C, _I = CONTACTS.c, INTERACTIONS.c


def candidates(session: Session, since: datetime, until: datetime) -> Sequence[Any]:
    """Interactions with a transcript started in [since, until) that no inspector has sampled yet: the
    sampling criteria of each (contact_id, agent_id, started_at, category, talk_s, complaint, csat)."""
    sampled = select(Inspection.contact_id).where(Inspection.kind.in_((Kind.manual.value, Kind.double.value)))
    stmt = (select(_C.id.label("contact_id"), _C.agent_id, _C.started_at, _C.category, _C.talk_s, _I.complaint,
                   _I.csat)
            .join(INTERACTIONS, _I.contact_id == _C.id)
            .where(_C.started_at >= since, _C.started_at < until, _C.agent_id.is_not(None), _C.id.not_in(sampled))
            .order_by(_C.id))
    return session.execute(stmt).all()


def with_transcript(session: Session, contact_ids: Sequence[int]) -> set[int]:
    """Which of these contacts have an interaction (a transcript to inspect)."""
    return set(session.scalars(select(_I.contact_id).where(_I.contact_id.in_(contact_ids))))


def agents_of(session: Session, contact_ids: Sequence[int]) -> dict[int, int | None]:
    return {cid: agent for cid, agent in session.execute(select(_C.id, _C.agent_id).where(_C.id.in_(contact_ids)))}


def contacts_with_hits(session: Session, contact_ids: Sequence[int], scored_items_only: bool = True) -> set[int]:
    if not contact_ids:
        return set()
    stmt = select(AutoHit.contact_id).where(AutoHit.contact_id.in_(contact_ids))
    if scored_items_only:
        stmt = stmt.where(AutoHit.item.is_not(None))
    return set(session.scalars(stmt.distinct()))


def open_workload(session: Session, inspector_ids: Sequence[int]) -> dict[int, int]:
    """Assigned-but-unscored inspections per inspector: what balanced assignment evens out."""
    rows = session.execute(select(Inspection.inspector_id, func.count()).where(
        Inspection.inspector_id.in_(inspector_ids), Inspection.status == Status.assigned.value)
        .group_by(Inspection.inspector_id)).all()
    out = dict.fromkeys(inspector_ids, 0)
    out.update({int(k): int(v) for k, v in rows if k is not None})
    return out


def users(session: Session, ids: Sequence[int]) -> dict[int, User]:
    return {u.id: u for u in session.scalars(select(User).where(User.id.in_(ids)))} if ids else {}


def group(session: Session, group_key: str) -> list[Inspection]:
    return list(session.scalars(select(Inspection).where(Inspection.group_key == group_key)
                                .order_by(Inspection.contact_id, Inspection.inspector_id)))


def calibration_pending(session: Session, group_key: str) -> bool:
    return bool(session.scalar(select(func.count()).where(and_(Inspection.group_key == group_key,
                                                               Inspection.status == Status.assigned.value))))
