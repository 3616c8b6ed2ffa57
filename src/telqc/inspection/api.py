"""Quality-inspection routes: interactions import, scorecards, sampling, scoring, appeals, calibration.

The live WebSocket handlers are in :mod:`telqc.inspection.live_api`, registered here.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, File, Query, Request, UploadFile
from fastapi.responses import JSONResponse

from telqc.api.deps import CtxDep, IdPath, require
from telqc.core import textfile
from telqc.core.i18n import t
from telqc.core.rbac import Perm, Principal
from telqc.core.schemas import MAX_INT
from telqc.inspection import (
    appeals,
    calibration,
    importer,
    live_api,
    sampling,
    sampling_plans,
    scorecards,
    scoring,
    store_visits,
)
from telqc.inspection import repository as repo
from telqc.inspection import schemas as s
from telqc.inspection.models import Appeal, CalibrationSession, ScorecardVersion

router = APIRouter(prefix="/api/v1", tags=["inspection"])
# WebSockets (not HTTP: listed in route_rules.WEBSOCKET_RULES, permission checked inside the handler).
router.add_api_websocket_route(live_api.CALL_PATH.removeprefix("/api/v1"), live_api.live_call)
router.add_api_websocket_route(live_api.ALERTS_PATH.removeprefix("/api/v1"), live_api.live_alerts)

Score = Annotated[Principal, require(Perm.inspection_score)]
Admin = Annotated[Principal, require(Perm.inspection_admin)]
Import = Annotated[Principal, require(Perm.interactions_import)]
Mine = Annotated[Principal, require(Perm.inspection_mine)]


def _interaction_out(ctx: CtxDep, contact_ids: list[int], with_turns: bool = False) -> list[Any]:
    shape = s.TranscriptOut if with_turns else s.InteractionOut
    return [shape.model_validate(scoring.transcript(ctx, cid)) for cid in contact_ids]


def _rejected(ctx: CtxDep, exc: importer.ImportRejected) -> JSONResponse:
    return JSONResponse({"message": t("qa.import_rejected", ctx.lang, count=len(exc.errors)),
                         "errors": [e.as_dict() for e in exc.errors]}, status_code=422)


def _recognizer(request: Request) -> importer.SpeechRecognizer | None:
    """Speech recognition is a plug-in: a deployment sets ``app.state.speech_recognizer``."""
    return getattr(request.app.state, "speech_recognizer", None)


@router.post("/interactions", response_model=s.InteractionOut, status_code=201)
def post_interaction(ctx: CtxDep, request: Request, body: s.InteractionIn, _: Import) -> Any:
    """One interaction with its transcript, or ``audio`` for the recognizer (same checks as a JSONL line)."""
    try:
        ids = importer.import_interactions(ctx, [body.model_dump_json(exclude_none=True)], source="api",
                                           recognizer=_recognizer(request))
    except importer.ImportRejected as exc:
        return _rejected(ctx, exc)
    return _interaction_out(ctx, ids)[0]


@router.post("/interactions/import", response_model=s.ImportOut, status_code=201)
def import_file(ctx: CtxDep, request: Request, file: Annotated[UploadFile, File()], _: Import) -> Any:
    """A JSON Lines file, all or nothing: 422 lists every bad line and field."""
    try:
        lines = textfile.decode(file.file.read(), file.filename or "file").splitlines()
    except textfile.BadFile as exc:  # named by line, as the CLI does; not stored as U+FFFD replacement marks
        error = importer.LineError(exc.line, f"(encoding) column {exc.column}",
                                   t("qa.bad_encoding", ctx.lang, column=exc.column, byte=exc.byte))
        return _rejected(ctx, importer.ImportRejected([error]))
    try:
        ids = importer.import_interactions(ctx, lines, recognizer=_recognizer(request))
    except importer.ImportRejected as exc:
        return _rejected(ctx, exc)
    return s.ImportOut(imported=len(ids), contact_ids=ids)


@router.get("/interactions/{contact_id}", response_model=s.TranscriptOut)
def get_interaction(ctx: CtxDep, contact_id: IdPath, _: Annotated[Principal, require(Perm.contacts_read)]) -> Any:
    """Metadata and transcript, for whoever may read the contact (region scope or own calls)."""
    return _interaction_out(ctx, [contact_id], with_turns=True)[0]


@router.get("/interactions/{contact_id}/hits", response_model=list[s.HitOut])
def interaction_hits(ctx: CtxDep, contact_id: IdPath, _: Score) -> Any:
    scoring.transcript(ctx, contact_id)
    sc = scorecards.ensure_default(ctx)
    ins = repo.auto_inspection(ctx.session, contact_id, sc.id) or scoring.auto_inspect(ctx, contact_id, sc)
    return scoring.hits_for(ctx, ins)


def _card_out(sc: ScorecardVersion) -> s.ScorecardOut:
    card, _ = scorecards.compiled(sc)
    out = s.ScorecardOut.model_validate(sc)
    out.items = [i.model_dump(mode="json") for i in card.items]
    return out


@router.get("/qa/scorecards", response_model=list[s.ScorecardOut])
def list_scorecards(ctx: CtxDep, _: Score) -> Any:
    return [_card_out(sc) for sc in scorecards.listing(ctx)]


@router.post("/qa/scorecards", response_model=s.ScorecardOut, status_code=201)
def publish_scorecard(ctx: CtxDep, body: s.ScorecardIn, _: Admin) -> Any:
    return _card_out(scorecards.publish(ctx, body.definition))


@router.post("/qa/samples", response_model=s.SampleOut, status_code=201)
def run_sampling(ctx: CtxDep, body: s.SampleIn, _: Admin) -> s.SampleOut:
    return sampling.run(ctx, body)


@router.get("/qa/sampling-plans", response_model=list[s.PlanOut])
def list_sampling_plans(ctx: CtxDep, _: Annotated[Principal, require(Perm.inspection_view)]) -> list[s.PlanOut]:
    return sampling_plans.listing(ctx)


@router.post("/qa/sampling-plans", response_model=s.PlanOut, status_code=201)
def create_sampling_plan(ctx: CtxDep, body: s.PlanIn, _: Admin) -> s.PlanOut:
    return sampling_plans.create(ctx, body)


@router.post("/qa/sampling-plans/{plan_id}/active", response_model=s.PlanOut)
def set_sampling_plan_active(ctx: CtxDep, plan_id: IdPath, body: s.PlanActiveIn, _: Admin) -> s.PlanOut:
    return sampling_plans.set_active(ctx, plan_id, body.active)


@router.post("/qa/sampling-plans/{plan_id}/run", response_model=s.BatchOut, status_code=201)
def run_sampling_plan(ctx: CtxDep, plan_id: IdPath,
                      _: Annotated[Principal, require(Perm.inspection_sample)]) -> s.BatchOut:
    """Sample the plan's last complete day or week now; refused if that period was sampled already."""
    return sampling_plans.run(ctx, plan_id)


@router.get("/qa/sampling-batches", response_model=list[s.BatchOut])
def list_sampling_batches(ctx: CtxDep, _: Annotated[Principal, require(Perm.inspection_view)],
                          limit: Annotated[int, Query(ge=1, le=200)] = 50) -> list[s.BatchOut]:
    return sampling_plans.batches(ctx, limit)


@router.get("/qa/stores", response_model=list[s.StoreOut])
def list_stores(ctx: CtxDep, _: Annotated[Principal, require(Perm.inspection_view)]) -> list[s.StoreOut]:
    return store_visits.stores(ctx)


@router.post("/qa/stores", response_model=s.StoreOut, status_code=201)
def create_store(ctx: CtxDep, body: s.StoreIn, _: Admin) -> s.StoreOut:
    return store_visits.create_store(ctx, body)


@router.get("/qa/store-visits", response_model=list[s.VisitOut])
def list_store_visits(ctx: CtxDep, _: Annotated[Principal, require(Perm.inspection_view)],
                      store_id: Annotated[int | None, Query(ge=1, le=MAX_INT)] = None,
                      since: Annotated[datetime | None, Query()] = None,
                      until: Annotated[datetime | None, Query()] = None,
                      limit: Annotated[int, Query(ge=1, le=1000)] = 200) -> list[s.VisitOut]:
    """Visits in the caller's regions, newest first, by store and period."""
    return store_visits.visits(ctx, store_id, since, until, limit)


@router.post("/qa/store-visits", response_model=s.VisitOut, status_code=201)
def record_store_visit(ctx: CtxDep, body: s.VisitIn, _: Score) -> s.VisitOut:
    """现场检查 or 暗访 scored on the visit card; 422 names the item that is missing or out of range."""
    return store_visits.record(ctx, body)


@router.get("/qa/store-visits/summary", response_model=s.VisitSummary)
def store_visit_summary(ctx: CtxDep, _: Annotated[Principal, require(Perm.inspection_view)],
                        since: Annotated[datetime | None, Query()] = None,
                        until: Annotated[datetime | None, Query()] = None) -> s.VisitSummary:
    """The store-visit section of the QA report: average by store, items losing most points."""
    return store_visits.summary(ctx, since, until)


@router.get("/qa/queue", response_model=list[s.InspectionOut])
def my_queue(ctx: CtxDep, p: Score) -> Any:
    return [appeals.present(ctx, i) for i in repo.queue(ctx.session, p.user_id)]


@router.get("/qa/inspections/{inspection_id}", response_model=s.InspectionOut)
def get_inspection(ctx: CtxDep, inspection_id: IdPath, _: Annotated[Principal, require(None)]) -> Any:
    return appeals.present(ctx, scoring.get(ctx, inspection_id))


@router.post("/qa/inspections/{inspection_id}/score", response_model=s.InspectionOut)
def score_inspection(ctx: CtxDep, inspection_id: IdPath, body: s.ScoreIn, _: Score) -> Any:
    return appeals.present(ctx, scoring.score(ctx, inspection_id, body))


@router.get("/qa/my-inspections", response_model=list[s.InspectionOut])
def my_inspections(ctx: CtxDep, p: Mine) -> Any:
    return [appeals.present(ctx, i) for i in repo.for_agent(ctx.session, p, p.user_id)]


@router.post("/qa/inspections/{inspection_id}/appeal", response_model=s.AppealOut, status_code=201)
def file_appeal(ctx: CtxDep, inspection_id: IdPath, body: s.AppealIn, _: Mine) -> Appeal:
    return appeals.file(ctx, inspection_id, body)


@router.get("/qa/appeals", response_model=list[s.AppealOut])
def appeals_to_rule(ctx: CtxDep, _: Score) -> list[Appeal]:
    return appeals.to_rule(ctx)


@router.post("/qa/appeals/{appeal_id}/ruling", response_model=s.AppealOut)
def rule_appeal(ctx: CtxDep, appeal_id: IdPath, body: s.RulingIn, _: Score) -> Appeal:
    return appeals.rule(ctx, appeal_id, body)


@router.post("/qa/calibrations", response_model=s.CalibrationOut, status_code=201)
def create_calibration(ctx: CtxDep, body: s.CalibrationIn, _: Admin) -> CalibrationSession:
    return calibration.create(ctx, body)


@router.get("/qa/calibrations/{session_id}/report", response_model=s.CalibrationReport)
def calibration_report(ctx: CtxDep, session_id: IdPath, _: Score) -> s.CalibrationReport:
    return calibration.report(ctx, session_id)


@router.post("/qa/calibrations/{session_id}/close", response_model=s.CalibrationOut)
def close_calibration(ctx: CtxDep, session_id: IdPath, _: Admin) -> CalibrationSession:
    return calibration.close(ctx, session_id)

