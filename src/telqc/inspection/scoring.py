"""Automatic and manual inspection of one interaction (智能质检 + 人工复核).

The automatic pass stores every hit with its evidence and a pre-score over the items the
engine can judge; an inspector then scores the manual items, confirms or overrides the
``automatic_review`` ones and leaves time-coded comments. The final score follows
:func:`telqc.inspection.carddef.compute` (a failed fatal item zeroes it), which feeds the
QA score, pass rate and fatal error rate KPIs through the "inspection.scored" event.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import delete

from telqc.contacts import read as contact_read
from telqc.contacts import service as contacts
from telqc.core import events
from telqc.core.context import Ctx
from telqc.core.errors import Conflict, Forbidden, Invalid, NotFound
from telqc.core.i18n import t
from telqc.inspection import carddef, scorecards
from telqc.inspection import repository as repo
from telqc.inspection import schemas as s
from telqc.inspection.calls import Transcript
from telqc.inspection.carddef import Mode
from telqc.inspection.models import AutoHit, Inspection, Kind, ScorecardVersion, Status


def auto_inspect(ctx: Ctx, contact_id: int, sc: ScorecardVersion | None = None) -> Inspection:
    """Run the engine over a stored transcript; re-running replaces the previous hits of that version."""
    sc = sc or scorecards.ensure_default(ctx)
    card, inspector = scorecards.compiled(sc)
    call = contact_read.interaction(ctx.session, contact_id)
    if call is None:
        raise NotFound(what="w.interaction")
    hits = inspector.evaluate(Transcript.from_dicts(call.turns))
    ctx.session.execute(delete(AutoHit).where(AutoHit.contact_id == contact_id, AutoHit.scorecard_id == sc.id))
    rule_item, now = card.rule_item, ctx.now()
    for h in hits:
        item = rule_item.get(h.rule_id)
        it = card.item(item) if item else None
        ctx.session.add(AutoHit(
            contact_id=contact_id, scorecard_id=sc.id, rule_id=h.rule_id, kind=h.kind, severity=h.severity,
            item=item, turn_index=h.turn_index, start_ms=h.start_ms, span_start=h.span_start, span_end=h.span_end,
            text=h.text, value=h.value, review="pending" if it and it.mode == Mode.automatic_review else "none",
            at=now))
    values = carddef.auto_values(card, (h.rule_id for h in hits))
    result = carddef.compute(card, values, only=values)
    ins = repo.auto_inspection(ctx.session, contact_id, sc.id)
    if ins is None:
        ins = Inspection(contact_id=contact_id, scorecard_id=sc.id, agent_id=call.agent_id, inspector_id=None,
                         kind=Kind.auto.value, status=Status.final.value, reason="auto", blind=False,
                         comments=[], created_at=now)
        ctx.session.add(ins)
    ins.items = {code: {"score": v, "auto": True} for code, v in values.items()}
    ins.score, ins.passed, ins.fatal, ins.scored_at = result.score, result.passed, result.fatal, now
    ctx.session.flush()
    ctx.audit("inspection.auto", "inspection", ins.id, contact_id=contact_id, scorecard_id=sc.id,
              hits=len(hits), score=result.score, fatal=result.fatal)
    return ins


def queue(ctx: Ctx, limit: int = 100) -> list[Inspection]:
    """The caller's assigned inspections, oldest first (the workbench queue)."""
    assert ctx.principal is not None
    return repo.queue(ctx.session, ctx.principal.user_id, limit)


def get(ctx: Ctx, inspection_id: int) -> Inspection:
    assert ctx.principal is not None
    ins = repo.get_readable(ctx.session, ctx.principal, inspection_id)
    if ins is None:
        raise NotFound(what="w.inspection")
    return ins


def hits_for(ctx: Ctx, ins: Inspection) -> list[AutoHit]:
    found = repo.auto_hits(ctx.session, ins.contact_id, ins.scorecard_id)
    if not found and repo.auto_inspection(ctx.session, ins.contact_id, ins.scorecard_id) is None:
        auto_inspect(ctx, ins.contact_id, scorecards.get(ctx, ins.scorecard_id))
        found = repo.auto_hits(ctx.session, ins.contact_id, ins.scorecard_id)
    return found


def proposed_values(ctx: Ctx, ins: Inspection) -> dict[str, float]:
    """The engine's proposal per automatic item, from the stored hits of this scorecard version."""
    card, _ = scorecards.compiled(scorecards.get(ctx, ins.scorecard_id))
    return carddef.auto_values(card, (h.rule_id for h in hits_for(ctx, ins)))


_ENGLISH = {"unknown": "unknown item", "range": "expected a number between 0 and {top:g}", "missing": "missing",
            "automatic": "scored automatically"}


def resolve_values(ctx: Ctx, ins: Inspection, submitted: dict[str, float],
                   field: str = "body.items") -> tuple[carddef.CardDef, dict[str, float]]:
    """Merge an inspector's values with the engine's; refuse unknown, missing or out-of-range items, named as the
    form names them (身份核实：未评分) for a zh-CN reader and by code for an English one."""
    card, _ = scorecards.compiled(scorecards.get(ctx, ins.scorecard_id))
    auto = proposed_values(ctx, ins)
    problems = carddef.check_values(card, submitted, {i.code for i in card.items if i.mode == Mode.manual})
    problems += [(code, "automatic", 0.0) for code in submitted
                 if (it := card.item(code)) is not None and it.mode == Mode.automatic]
    if problems:
        raise Invalid("qa.bad_items", field=f"{field}.{problems[0][0]}",
                      problems="; ".join(f"items.{c}: {_ENGLISH[k].format(top=top)}" for c, k, top in problems),
                      problems_zh="；".join(_chinese(card, c, k, top) for c, k, top in problems))
    return card, {**auto, **submitted}


def _chinese(card: carddef.CardDef, code: str, kind: str, top: float) -> str:
    it = card.item(code)
    return f"{it.name if it else code}：{t('qa.item_problem.' + kind, 'zh-CN', top=f'{top:g}')}"


def _review_hits(ctx: Ctx, ins: Inspection, card: carddef.CardDef, values: dict[str, float]) -> None:
    """An inspector who gives full marks on a reviewed item rejects its hits; otherwise confirms them."""
    for h in repo.auto_hits(ctx.session, ins.contact_id, ins.scorecard_id):
        it = card.item(h.item) if h.item else None
        if it is not None and it.mode == Mode.automatic_review:
            full = 1.0 if it.fatal else it.weight
            h.review = "rejected" if values.get(it.code) == full else "confirmed"


def apply_values(ctx: Ctx, ins: Inspection, card: carddef.CardDef, values: dict[str, float],
                 auto: dict[str, float]) -> carddef.Result:
    result = carddef.compute(card, values)
    ins.items = {code: {"score": v, "auto": code in auto and auto[code] == v} for code, v in values.items()}
    ins.score, ins.passed, ins.fatal = result.score, result.passed, result.fatal
    return result


def score(ctx: Ctx, inspection_id: int, data: s.ScoreIn) -> Inspection:
    """An inspector scores an assigned inspection (manual, blind double or calibration)."""
    assert ctx.principal is not None
    ins = get(ctx, inspection_id)
    if ins.inspector_id != ctx.principal.user_id:
        raise Forbidden("qa.not_assigned")
    if ins.status != Status.assigned.value:
        raise Conflict("qa.already_scored")
    card, values = resolve_values(ctx, ins, dict(data.items))
    for n, c in enumerate(data.comments):
        if c.item is not None and card.item(c.item) is None:
            raise Invalid("qa.bad_items", field=f"body.comments.{n}.item", problems=f"{c.item}: unknown item",
                          problems_zh=f"{c.item}：{t('qa.item_problem.unknown', 'zh-CN')}")
    auto = proposed_values(ctx, ins)
    result = apply_values(ctx, ins, card, values, auto)
    _review_hits(ctx, ins, card, values)
    ins.comments = [{**c.model_dump(), "by": ctx.principal.user_id} for c in data.comments]
    ins.status, ins.scored_at = Status.scored.value, ctx.now()
    ctx.session.flush()
    ctx.audit("inspection.scored", "inspection", ins.id, kind=ins.kind, score=result.score, fatal=result.fatal,
              failed_fatal=list(result.failed_fatal), items=values)
    if ins.kind == Kind.manual.value:
        emit_scored(ctx, ins)
    return ins


def emit_scored(ctx: Ctx, ins: Inspection) -> None:
    """Metrics upserts by inspection_id: an appeal that changes the score re-emits with the new one."""
    events.emit(ctx, "inspection.scored", "inspection", ins.id, inspection_id=ins.id, interaction_id=ins.contact_id,
                agent_id=ins.agent_id, score=ins.score, passed=ins.passed, fatal=ins.fatal,
                at=ctx.now().isoformat(), dims=contacts.dims(ctx, ins.contact_id))


def detail(ctx: Ctx, inspection_id: int) -> dict[str, Any]:
    """Everything the workbench shows: transcript, hits, scorecard items and the engine's proposal."""
    ins = get(ctx, inspection_id)
    call = contact_read.interaction(ctx.session, ins.contact_id)
    if call is None:
        raise NotFound(what="w.interaction")
    card, _ = scorecards.compiled(scorecards.get(ctx, ins.scorecard_id))
    return {"inspection": ins, "call": call, "turns": call.turns, "hits": hits_for(ctx, ins),
            "card": card, "proposed": proposed_values(ctx, ins), "appeal": repo.appeal_of(ctx.session, ins.id)}


def transcript(ctx: Ctx, contact_id: int) -> contact_read.InteractionView:
    """A contact's interaction for a reader who may read the contact (region scope or own calls)."""
    return contacts.get_interaction(ctx, contact_id)
