"""Quality-inspection share of the home page (工作台): the inspector's samples and appeals to rule, the
agent's appeals answered in the last week."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select

from telqc.core.context import Ctx
from telqc.inspection import appeals
from telqc.inspection import repository as repo
from telqc.inspection.models import Appeal


def inspector_counts(ctx: Ctx) -> dict[str, int]:
    assert ctx.principal is not None
    return {"assigned": len(repo.queue(ctx.session, ctx.principal.user_id, limit=1000)),
            "appeals": len(appeals.to_rule(ctx))}


def agent_appeals_answered(ctx: Ctx, days: int = 7) -> int:
    """Appeals of the agent ruled in the last ``days`` days: the agent should read the ruling."""
    assert ctx.principal is not None
    since = ctx.now() - timedelta(days=days)
    stmt = select(func.count(Appeal.id)).where(Appeal.agent_id == ctx.principal.user_id,
                                              Appeal.ruled_at.is_not(None), Appeal.ruled_at >= since)
    return int(ctx.session.scalar(stmt) or 0)
