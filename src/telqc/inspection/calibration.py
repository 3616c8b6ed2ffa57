"""Calibration sessions (校准): several inspectors blind-score the same interactions.

The report gives each inspector's deviation from the panel mean per scorecard item, so a
lenient or harsh inspector is visible item by item, and the spread of total scores per
interaction (KPI.md 校准偏差). Scores stay hidden from the panel until everyone has scored.
"""

from __future__ import annotations

from collections import defaultdict
from statistics import fmean

from telqc.core import events
from telqc.core.context import Ctx
from telqc.core.errors import Conflict, Invalid, NotFound
from telqc.inspection import repository as repo
from telqc.inspection import schemas as s
from telqc.inspection import scorecards
from telqc.inspection.models import CalibrationSession, Inspection, Kind, Status
from telqc.inspection.sampling import check_inspectors


def _key(session_id: int) -> str:
    return f"cal-{session_id}"


def create(ctx: Ctx, data: s.CalibrationIn) -> CalibrationSession:
    contact_ids = list(dict.fromkeys(data.contact_ids))
    inspector_ids = list(dict.fromkeys(data.inspector_ids))
    if len(inspector_ids) < 2:
        raise Invalid("qa.calibration_panel", field="body.inspector_ids")
    check_inspectors(ctx, inspector_ids)
    have = repo.with_transcript(ctx.session, contact_ids)
    for n, cid in enumerate(contact_ids):
        if cid not in have:
            raise Invalid("error.not_found", field=f"body.contact_ids.{n}", what="w.interaction")
    sc = scorecards.resolve(ctx, data.scorecard_id)
    session = CalibrationSession(name=data.name, scorecard_id=sc.id, contact_ids=contact_ids,
                                 inspector_ids=inspector_ids, created_at=ctx.now(),
                                 created_by=ctx.principal.user_id if ctx.principal else None)
    ctx.session.add(session)
    ctx.session.flush()
    agents = repo.agents_of(ctx.session, contact_ids)
    for cid in contact_ids:
        for uid in inspector_ids:
            ctx.session.add(Inspection(contact_id=cid, scorecard_id=sc.id, agent_id=agents.get(cid), inspector_id=uid,
                                       kind=Kind.calibration.value, status=Status.assigned.value,
                                       reason="calibration", group_key=_key(session.id), blind=True, items={},
                                       comments=[], created_at=ctx.now()))
    ctx.session.flush()
    ctx.audit("calibration.created", "calibration", session.id, contacts=contact_ids, inspectors=inspector_ids,
              scorecard_id=sc.id)
    return session


def get(ctx: Ctx, session_id: int) -> CalibrationSession:
    session = ctx.session.get(CalibrationSession, session_id)
    if session is None:
        raise NotFound(what="w.calibration")
    return session


def _by_contact_item(rows: list[Inspection]) -> dict[tuple[int, str], dict[int, float]]:
    grid: dict[tuple[int, str], dict[int, float]] = defaultdict(dict)
    for ins in rows:
        if ins.status == Status.assigned.value or ins.inspector_id is None:
            continue
        for item, v in ins.items.items():
            grid[(ins.contact_id, item)][ins.inspector_id] = float(v["score"])
    return grid


def report(ctx: Ctx, session_id: int) -> s.CalibrationReport:
    """Per inspector × item: signed and absolute deviation from the panel mean, in item points."""
    cal = get(ctx, session_id)
    rows = repo.group(ctx.session, _key(cal.id))
    scored = [r for r in rows if r.status != Status.assigned.value]
    complete = len(scored) == len(rows)
    out = s.CalibrationReport(session_id=cal.id, complete=complete, scored=len(scored), expected=len(rows),
                              rows=[], score_spread={})
    if not complete:
        return out  # blind until the whole panel has scored
    devs: dict[tuple[int, str], list[float]] = defaultdict(list)
    for (_, item), scores in _by_contact_item(rows).items():
        mean = fmean(scores.values())
        for uid, v in scores.items():
            devs[(uid, item)].append(v - mean)
    out.rows = [s.DeviationRow(inspector_id=uid, item=item, mean_deviation=round(fmean(d), 3),
                               mean_abs_deviation=round(fmean(abs(x) for x in d), 3), n=len(d))
                for (uid, item), d in sorted(devs.items())]
    totals: dict[int, list[float]] = defaultdict(list)
    for r in scored:
        totals[r.contact_id].append(float(r.score or 0))
    out.score_spread = {cid: round(max(v) - min(v), 2) for cid, v in sorted(totals.items())}
    return out


def close(ctx: Ctx, session_id: int) -> CalibrationSession:
    """Close a fully scored session and publish each item's panel scores ("inspection.calibrated")."""
    cal = get(ctx, session_id)
    if cal.closed_at is not None:
        raise Conflict("qa.calibration_closed")
    rows = repo.group(ctx.session, _key(cal.id))
    if any(r.status == Status.assigned.value for r in rows):
        raise Conflict("qa.calibration_incomplete")
    cal.closed_at = ctx.now()
    for (cid, item), scores in sorted(_by_contact_item(rows).items()):
        events.emit(ctx, "inspection.calibrated", "calibration", cal.id, session_id=cal.id, interaction_id=cid,
                    item=item, scores=[scores[u] for u in sorted(scores)], at=ctx.now().isoformat())
    ctx.audit("calibration.closed", "calibration", cal.id)
    return cal
