"""Improvement plan queries, including the one statement that says which plans a caller may read."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from telqc.core.rbac import Principal
from telqc.improvement.models import ImprovementAction, ImprovementHistory, ImprovementPlan


def visible(principal: Principal | None) -> Select[ImprovementPlan]:
    """A provincial manager reads the plans of their provinces; national plans only without a region scope."""
    stmt = select(ImprovementPlan)
    scope = principal.region_scope if principal else None
    if scope is not None:
        stmt = stmt.where(ImprovementPlan.province_code.in_(scope))
    return stmt


def plan(session: Session, principal: Principal | None, plan_id: int) -> ImprovementPlan | None:
    return session.scalar(visible(principal).where(ImprovementPlan.id == plan_id))


def plans(session: Session, principal: Principal | None, states: Sequence[str] | None, offset: int,
          limit: int) -> tuple[list[ImprovementPlan], int]:
    stmt = visible(principal)
    if states:
        stmt = stmt.where(ImprovementPlan.state.in_(states))
    total = session.scalar(select(func.count()).select_from(stmt.subquery())) or 0
    rows = session.scalars(stmt.order_by(ImprovementPlan.id.desc()).offset(offset).limit(limit))
    return list(rows), int(total)


def actions(session: Session, plan_ids: Sequence[int]) -> list[ImprovementAction]:
    if not plan_ids:
        return []
    return list(session.scalars(select(ImprovementAction).where(ImprovementAction.plan_id.in_(plan_ids))
                                .order_by(ImprovementAction.due_on, ImprovementAction.id)))


def action(session: Session, action_id: int) -> ImprovementAction | None:
    return session.get(ImprovementAction, action_id)


def history(session: Session, plan_id: int) -> list[ImprovementHistory]:
    return list(session.scalars(select(ImprovementHistory).where(ImprovementHistory.plan_id == plan_id)
                                .order_by(ImprovementHistory.id)))


def children(session: Session, plan_id: int) -> list[ImprovementPlan]:
    return list(session.scalars(select(ImprovementPlan).where(ImprovementPlan.parent_id == plan_id)
                                .order_by(ImprovementPlan.id)))


def open_actions_due_by(session: Session, day: date) -> list[ImprovementAction]:
    """Open actions due on or before ``day`` that still need a reminder or an escalation."""
    return list(session.scalars(select(ImprovementAction).where(
        ImprovementAction.status == "open", ImprovementAction.due_on <= day,
        (ImprovementAction.reminded_at.is_(None)) | (ImprovementAction.escalated_at.is_(None)))
        .order_by(ImprovementAction.id)))


def overdue(session: Session, principal: Principal | None, today: date) -> list[ImprovementAction]:
    plan_ids = visible(principal).with_only_columns(ImprovementPlan.id)
    return list(session.scalars(select(ImprovementAction).where(
        ImprovementAction.status == "open", ImprovementAction.due_on < today,
        ImprovementAction.plan_id.in_(plan_ids)).order_by(ImprovementAction.due_on)))
