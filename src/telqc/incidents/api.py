"""Incident routes under /api/v1: incidents (same data scope as orders), planned works, network KPI samples
(feed and file import), and /me/incidents for customers. Writes answer the incident with its ETag and honour
If-Match (412 if stale); an illegal transition answers 409 with the `allowed` next states."""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated

from fastapi import APIRouter, File, Header, Query, Response, UploadFile

from telqc.api.deps import CtxDep, IdPath, if_match_version, require, set_etag
from telqc.core.context import Ctx
from telqc.core.errors import BadRequest, Invalid
from telqc.core.rbac import Perm, Principal
from telqc.core.schemas import MAX_INT, Moment, SiteId
from telqc.incidents import config, kpis, network, planned, progress, review, service
from telqc.incidents import repository as repo
from telqc.incidents import schemas as s
from telqc.incidents.models import Incident, IncidentHistory

router = APIRouter(prefix="/api/v1", tags=["incidents"])
Read = Annotated[Principal, require(Perm.incidents_read)]
Manage = Annotated[Principal, require(Perm.incidents_manage)]
IfMatch = Annotated[str | None, Header()]
MAX_UPLOAD = 5 * 1024 * 1024


def detail(ctx: Ctx, i: Incident) -> s.IncidentDetail:
    """The incident with its timeline: the stored rows and those this request added (still in the unit of
    work, written by its commit)."""
    base = s.IncidentOut.model_validate(i).model_dump()
    stored = [s.HistoryOut.model_validate(h) for h in repo.history(ctx.session, i.id)]
    added = [s.HistoryOut.model_validate(r) for r in ctx.uow.pending(IncidentHistory.__table__)
             if r["incident_id"] == i.id]
    return s.IncidentDetail(**base, timeline=stored + added,
                            links=[s.LinkOut.model_validate(x) for x in repo.links(ctx.session, i.id)])


def _answer(ctx: Ctx, response: Response, i: Incident) -> s.IncidentDetail:
    set_etag(response, i.version)
    return detail(ctx, i)


@router.get("/incidents", response_model=list[s.IncidentOut])
def list_incidents(ctx: CtxDep, _: Read, status: str | None = None) -> list[s.IncidentOut]:
    return [s.IncidentOut.model_validate(i) for i in service.search(ctx, status.split(",") if status else None)]


@router.post("/incidents", response_model=s.IncidentDetail, status_code=201)
def declare(ctx: CtxDep, body: s.IncidentCreate, response: Response, _: Manage) -> s.IncidentDetail:
    return _answer(ctx, response, service.create(ctx, body))


@router.get("/incidents/kpis", response_model=kpis.IncidentKpis)
def incident_kpis(ctx: CtxDep, _: Read, start: Moment | None = None,
                  end: Moment | None = None) -> kpis.IncidentKpis:
    """Incident KPIs of the period (default: the last 30 days)."""
    end = end or ctx.now()
    return kpis.compute(ctx, start or end - timedelta(days=30), end)


@router.get("/incidents/active", response_model=list[s.IncidentOut])
def active_for_customer(ctx: CtxDep, customer_id: Annotated[int, Query(ge=1, le=MAX_INT)],
                        _: Annotated[Principal, require(Perm.orders_write)],
                        site_id: Annotated[SiteId | None, Query()] = None) -> list[s.IncidentOut]:
    """What the agent's banner shows while creating an order for this customer (on `site_id`, when named)."""
    return [s.IncidentOut.model_validate(i) for i in progress.active_for_customer(ctx, customer_id, site_id)]


@router.get("/incidents/{incident_id}", response_model=s.IncidentDetail)
def get_incident(ctx: CtxDep, incident_id: IdPath, response: Response, _: Read) -> s.IncidentDetail:
    return _answer(ctx, response, service.get(ctx, incident_id))


@router.post("/incidents/{incident_id}/transition", response_model=s.IncidentDetail)
def transition(ctx: CtxDep, incident_id: IdPath, body: s.TransitionIn, response: Response, _: Manage,
               if_match: IfMatch = None) -> s.IncidentDetail:
    return _answer(ctx, response, service.transition(ctx, incident_id, body, if_match_version(if_match)))


@router.post("/incidents/{incident_id}/updates", response_model=s.IncidentDetail)
def update(ctx: CtxDep, incident_id: IdPath, body: s.UpdateIn, response: Response, _: Manage,
           if_match: IfMatch = None) -> s.IncidentDetail:
    return _answer(ctx, response, service.update(ctx, incident_id, body, if_match_version(if_match)))


@router.post("/incidents/{incident_id}/joint-test", response_model=s.IncidentDetail)
def joint_test(ctx: CtxDep, incident_id: IdPath, body: s.JointTestIn, response: Response, _: Manage,
               if_match: IfMatch = None) -> s.IncidentDetail:
    return _answer(ctx, response, service.record_joint_test(ctx, incident_id, body, if_match_version(if_match)))


@router.post("/incidents/{incident_id}/links", response_model=s.LinkResult)
def link_orders(ctx: CtxDep, incident_id: IdPath, body: s.LinkIn, _: Manage) -> s.LinkResult:
    return service.link_orders(ctx, incident_id, body)


@router.post("/incidents/{incident_id}/review", response_model=s.ReviewOut, status_code=201)
def record_review(ctx: CtxDep, incident_id: IdPath, body: s.ReviewIn, _: Manage,
                  if_match: IfMatch = None) -> s.ReviewOut:
    return s.ReviewOut.model_validate(review.record(ctx, incident_id, body, if_match_version(if_match)))


@router.get("/incidents/{incident_id}/review", response_model=s.ReviewOut)
def get_review(ctx: CtxDep, incident_id: IdPath, _: Read) -> s.ReviewOut:
    r = review.of(ctx, incident_id)
    if r is None:
        raise Invalid("error.not_found", field="path.incident_id", what="w.review")
    return s.ReviewOut.model_validate(r)


@router.get("/incident-settings", response_model=s.SettingsOut)
def incident_settings(ctx: CtxDep, _: Read) -> s.SettingsOut:
    """The severity scale and the detection rules in force."""
    return config.settings(ctx)


@router.put("/incident-settings/levels/{code}", response_model=s.LevelOut)
def set_level(ctx: CtxDep, code: s.Severity, body: s.LevelIn, _: Manage) -> s.LevelOut:
    return s.LevelOut.model_validate(config.set_level(ctx, code, body))


@router.put("/incident-settings/rules", response_model=list[s.RuleOut])
def set_rules(ctx: CtxDep, body: s.RulesIn, _: Manage) -> list[s.RuleOut]:
    return [s.RuleOut.model_validate(r) for r in config.set_rules(ctx, body)]


@router.get("/planned-works", response_model=list[s.PlannedWorkOut])
def list_planned(ctx: CtxDep, _: Read) -> list[s.PlannedWorkOut]:
    return [s.PlannedWorkOut.model_validate(w) for w in planned.calendar(ctx)]


@router.post("/planned-works", response_model=s.PlannedWorkOut, status_code=201)
def create_planned(ctx: CtxDep, body: s.PlannedWorkIn, _: Manage) -> s.PlannedWorkOut:
    return s.PlannedWorkOut.model_validate(planned.create(ctx, body))


@router.post("/planned-works/{work_id}/cancel", response_model=s.PlannedWorkOut)
def cancel_planned(ctx: CtxDep, work_id: IdPath, _: Manage) -> s.PlannedWorkOut:
    return s.PlannedWorkOut.model_validate(planned.cancel(ctx, work_id))


@router.post("/network-samples", response_model=s.ImportResult)
def feed_samples(ctx: CtxDep, body: s.SamplesIn, _: Manage) -> s.ImportResult:
    out = network.ingest(ctx, body.samples)
    if out.rejected:
        raise RejectedRows(out.rejected)
    return out


@router.post("/network-samples/import", response_model=s.ImportResult)
def import_samples(ctx: CtxDep, file: Annotated[UploadFile, File()], _: Manage) -> s.ImportResult:
    content = file.file.read(MAX_UPLOAD + 1)
    if len(content) > MAX_UPLOAD:
        raise Invalid("incidents.error.bad_file", field="file", reason="larger than 5 MB")
    rows, rejected = network.parse(file.filename or "samples.csv", content)
    if rejected:
        raise RejectedRows(rejected)
    out = network.ingest(ctx, rows)
    if out.rejected:
        raise RejectedRows(out.rejected)
    return out


class RejectedRows(BadRequest):
    """400 listing every rejected row (`rows`: row number, field, reason); nothing of the file is stored."""

    key = "incidents.error.bad_row"

    def __init__(self, rows: list[dict[str, object]]) -> None:
        first = rows[0]
        super().__init__(self.key, field=str(first.get("field") or "file"), row=first.get("row"),
                         reason=first.get("reason"))
        self.rows = rows

    def extra(self) -> dict[str, object]:
        return {"rows": self.rows}


@router.get("/me/incidents", response_model=list[progress.CustomerProgress])
def my_incidents(ctx: CtxDep, _: Annotated[Principal, require(Perm.self_read)]) -> list[progress.CustomerProgress]:
    return progress.for_me(ctx)
