"""Appeals (申诉): an agent disputes a score within a window; a different inspector rules.

The ruling inspector must not be the one who scored (复核独立), and an overturned
inspection is re-scored with the corrected items; both the ruling and the score change are
audited, and the new score is re-announced so the QA KPIs follow it.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from telqc.core.context import Ctx
from telqc.core.errors import Conflict, Forbidden, NotFound
from telqc.inspection import repository as repo
from telqc.inspection import schemas as s
from telqc.inspection import scoring
from telqc.inspection.models import Appeal, AppealStatus, Inspection, Kind, Status

APPEAL_DAYS = 7  # service standard: an agent may appeal within 7 calendar days of the score


def deadline(ins: Inspection) -> datetime | None:
    return ins.scored_at + timedelta(days=APPEAL_DAYS) if ins.scored_at else None


def present(ctx: Ctx, ins: Inspection) -> s.InspectionOut:
    """An inspection as its reader sees it, with the date until which the agent may still appeal."""
    out = s.InspectionOut.model_validate(ins)
    if ins.kind == Kind.manual.value and ins.scored_at is not None:
        out.appeal_deadline = deadline(ins)
    return out


def file(ctx: Ctx, inspection_id: int, data: s.AppealIn) -> Appeal:
    """The agent's own scored inspection only, once, before the deadline."""
    assert ctx.principal is not None
    ins = scoring.get(ctx, inspection_id)
    if ins.agent_id != ctx.principal.user_id or ins.kind != Kind.manual.value:
        raise NotFound(what="w.inspection")
    if repo.appeal_of(ctx.session, ins.id) is not None:
        raise Conflict("qa.appeal_exists")
    if ins.status != Status.scored.value:
        raise Conflict("qa.not_scored")
    until = deadline(ins)
    if until is None or ctx.now() > until:
        raise Conflict("qa.appeal_window", field="body.reason", days=APPEAL_DAYS)
    appeal = Appeal(inspection_id=ins.id, agent_id=ctx.principal.user_id, reason=data.reason,
                    status=AppealStatus.open.value, filed_at=ctx.now(), score_before=ins.score)
    ctx.session.add(appeal)
    ins.status = Status.appealed.value
    ctx.session.flush()
    ctx.audit("appeal.filed", "appeal", appeal.id, inspection_id=ins.id, reason=data.reason)
    return appeal


def get(ctx: Ctx, appeal_id: int) -> Appeal:
    assert ctx.principal is not None
    appeal = ctx.session.get(Appeal, appeal_id)
    if appeal is None or repo.get_readable(ctx.session, ctx.principal, appeal.inspection_id) is None:
        raise NotFound(what="w.appeal")
    return appeal


def rule(ctx: Ctx, appeal_id: int, data: s.RulingIn) -> Appeal:
    """Upheld: the score stands. Overturned: the corrected items replace the inspector's."""
    assert ctx.principal is not None
    appeal = get(ctx, appeal_id)
    if appeal.status != AppealStatus.open.value:
        raise Conflict("qa.appeal_closed")
    ins = scoring.get(ctx, appeal.inspection_id)
    if ins.inspector_id == ctx.principal.user_id:
        raise Forbidden("qa.own_ruling")
    if data.decision == "overturned":
        assert data.items is not None
        card, values = scoring.resolve_values(ctx, ins, dict(data.items))
        before = dict(ins.items)
        scoring.apply_values(ctx, ins, card, values, scoring.proposed_values(ctx, ins))
        ctx.audit("inspection.rescored", "inspection", ins.id, by_appeal=appeal.id, before=before,
                  after=values, score_before=appeal.score_before, score_after=ins.score)
    appeal.status = data.decision
    appeal.ruling = data.ruling
    appeal.ruled_by = ctx.principal.user_id
    appeal.ruled_at = ctx.now()
    appeal.score_after = ins.score
    ins.status = Status.final.value
    ctx.session.flush()
    ctx.audit("appeal.ruled", "appeal", appeal.id, decision=data.decision, ruling=data.ruling,
              score_before=appeal.score_before, score_after=appeal.score_after)
    if data.decision == "overturned":
        scoring.emit_scored(ctx, ins)
    return appeal


def to_rule(ctx: Ctx) -> list[Appeal]:
    """Open appeals an inspector may rule on: not those against their own scoring."""
    assert ctx.principal is not None
    return repo.open_appeals(ctx.session, ctx.principal.user_id)
