"""Improvement suggestions (合理化建议): staff propose, a manager of their province adopts or rejects.

The handbook encourages the team to propose better processes and faster work, and counts what is implemented in
the evaluation (操作流程 六.1 创新与改进建议): an adopted suggestion may name the plan that carries it out, and
each one adopted counts for its author in `telqc.improvement.read.adopted_counts`.
"""

from __future__ import annotations

from sqlalchemy import select

from telqc.core import repository as core_repo
from telqc.core.context import Ctx
from telqc.core.errors import Conflict, Forbidden, Invalid, NotFound
from telqc.core.models import User
from telqc.core.rbac import Perm
from telqc.improvement import repository as repo
from telqc.improvement import schemas as s
from telqc.improvement.models import ImprovementSuggestion


def submit(ctx: Ctx, data: s.SuggestionIn) -> ImprovementSuggestion:
    assert ctx.principal is not None
    me = ctx.session.get(User, ctx.principal.user_id)
    scope = (me.region_scope or []) if me else []
    row = ImprovementSuggestion(author_id=ctx.principal.user_id, province_code=scope[0] if len(scope) == 1 else None,
                                title=data.title, body=data.body, status="submitted", created_at=ctx.now())
    ctx.session.add(row)
    ctx.session.flush()
    ctx.audit("improvement.suggested", "improvement_suggestion", row.id, title=row.title)
    return row


def _visible(ctx: Ctx) -> list[ImprovementSuggestion]:
    """A manager reads the suggestions of their provinces (national ones without a region scope); anyone else
    their own."""
    p = ctx.principal
    assert p is not None
    stmt = select(ImprovementSuggestion).order_by(ImprovementSuggestion.id.desc()).limit(200)
    if not p.can(Perm.improvement_manage):
        return list(ctx.session.scalars(stmt.where(ImprovementSuggestion.author_id == p.user_id)))
    if p.region_scope is not None:
        stmt = stmt.where(ImprovementSuggestion.province_code.in_(p.region_scope))
    return list(ctx.session.scalars(stmt))


def listing(ctx: Ctx, author_id: int | None = None) -> list[s.SuggestionOut]:
    rows = [x for x in _visible(ctx) if author_id is None or x.author_id == author_id]
    names = core_repo.display_names(ctx.session, [x.author_id for x in rows])
    return [s.SuggestionOut.model_validate(x).model_copy(update={"author": names.get(x.author_id, "")}) for x in rows]


def decide(ctx: Ctx, suggestion_id: int, data: s.SuggestionDecisionIn) -> ImprovementSuggestion:
    assert ctx.principal is not None
    row = next((x for x in _visible(ctx) if x.id == suggestion_id), None)
    if row is None:
        raise NotFound(what="w.improvement_suggestion")
    if row.author_id == ctx.principal.user_id:
        raise Forbidden("improvement.error.own_suggestion")
    if row.status != "submitted":
        raise Conflict("improvement.error.suggestion_decided", field="path.suggestion_id")
    if data.plan_id is not None:
        if not data.adopted:
            raise Invalid("improvement.error.plan_for_rejected", field="body.plan_id")
        if repo.plan(ctx.session, ctx.principal, data.plan_id) is None:
            raise Invalid("error.not_found", field="body.plan_id", what="w.improvement_plan")
    row.status = "adopted" if data.adopted else "rejected"
    row.decision, row.plan_id = data.decision, data.plan_id
    row.decided_by, row.decided_at = ctx.principal.user_id, ctx.now()
    ctx.audit("improvement.suggestion_decided", "improvement_suggestion", row.id, status=row.status,
              author_id=row.author_id, plan_id=row.plan_id)
    return row
