"""Periodic satisfaction campaigns (满意度测评): create, draw and send, answer, close, read the results.

手册 8.3.2 asks for an evaluation every quarter or half-year, 4.3.2 for the four dimensions asked here (服务态度,
办理效率, 服务质量, 服务礼仪), 8.3.3 for low items to get improvement measures. A campaign is drawn once, when it
is sent: a stratified sample (`telqc.surveys.sampling`) of the customers in its scope, each sent a single-use
link (``/sq/{token}``, only its SHA-256 stored) that expires after ``validity_days``. Each sampled customer's
segment is frozen on the invitation when it is drawn: province and tier, and the service channel, which is the
channel of the customer's latest contact before the draw ("none" if they never contacted us) — the channel
they know the service from, not the SMS that carried the link. Results (`telqc.surveys.campaign_results`) are
cut by those frozen values, so a customer moving province during the campaign does not move their answer.
Every change is audited.
"""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from datetime import timedelta

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError

from telqc.core import repository as core_repo
from telqc.core.context import Ctx
from telqc.core.errors import Conflict, Invalid, NotFound
from telqc.surveys import campaign_export, campaign_pdf, channels, sampling
from telqc.surveys import campaign_results as res
from telqc.surveys import repository as repo
from telqc.surveys import schemas as s
from telqc.surveys.models import DIMENSIONS, SurveyCampaign, SurveyCampaignAnswer, SurveyCampaignInvitation
from telqc.surveys.service import token_hash

IMPROVEMENT_LINK = "/improvement/new?kpi=csat&source=survey"
ALL = "*"  # the one stratum of a campaign without strata


def link_for(token: str) -> str:
    return f"/sq/{token}"


def stratum_key(strata: Sequence[str], province: str, tier: str) -> str:
    values = {"province": province, "tier": tier}
    return "|".join(values[x] for x in strata) or ALL


def get(ctx: Ctx, campaign_id: int) -> SurveyCampaign:
    c = repo.campaign(ctx.session, ctx.principal, campaign_id)
    if c is None:
        raise NotFound(what="w.survey_campaign")
    return c


def listing(ctx: Ctx) -> list[SurveyCampaign]:
    return repo.campaigns(ctx.session, ctx.principal)


def create(ctx: Ctx, data: s.CampaignIn) -> SurveyCampaign:
    scope = ctx.principal.region_scope if ctx.principal else None
    if data.province is not None and data.province not in {r.code for r in core_repo.regions(ctx.session)}:
        raise Invalid("error.not_found", field="body.province", what="w.region")
    if scope is not None and (data.province is None or data.province not in scope):
        raise Invalid("campaign.error.scope", field="body.province")
    c = SurveyCampaign(
        name=data.name, period_kind=data.period_kind, period_label=data.period_label, strata=list(data.strata),
        sample_size=data.sample_size, min_per_stratum=data.min_per_stratum,
        seed=data.seed if data.seed is not None else secrets.randbelow(2**31), validity_days=data.validity_days,
        province_code=data.province, min_cell_n=data.min_cell_n, low_mean=data.low_mean, low_share=data.low_share,
        status="draft", population={}, sampled=0, created_by=ctx.principal.user_id if ctx.principal else None,
        created_at=ctx.now())
    ctx.session.add(c)
    ctx.session.flush()
    ctx.audit("survey_campaign.created", "survey_campaign", c.id, name=c.name, period=c.period_label,
              strata=c.strata, sample_size=c.sample_size, seed=c.seed, province=c.province_code)
    return c


def send(ctx: Ctx, campaign_id: int) -> SurveyCampaign:
    """Draw the sample from the customers in scope now, create the invitations and send each its link."""
    c = get(ctx, campaign_id)
    if c.status != "draft":
        raise Conflict("campaign.error.state", field="path.campaign_id", state=c.status)
    people = repo.population(ctx.session, c.province_code)
    if not people:
        raise Conflict("campaign.error.no_population", field="path.campaign_id")
    segment = {cid: (province, tier) for cid, province, tier in people}
    sample = sampling.draw(((cid, (stratum_key(c.strata, p, t),)) for cid, p, t in people), c.sample_size,
                           c.min_per_stratum, c.seed)
    ids = sample.customer_ids
    last = repo.last_channels(ctx.session, ids)
    now = ctx.now()
    sent: list[tuple[SurveyCampaignInvitation, str]] = []
    for cid in ids:
        province, tier = segment[cid]
        service_channel = last.get(cid, "none")
        token = secrets.token_urlsafe(24)
        sent.append((SurveyCampaignInvitation(
            campaign_id=c.id, customer_id=cid, stratum=stratum_key(c.strata, province, tier), province_code=province,
            tier=tier, service_channel=service_channel, channel="app_push" if service_channel == "app" else "sms",
            token_hash=token_hash(token), status="sent", sent_at=now, expires_at=now + timedelta(
                days=c.validity_days)), token))
    ctx.session.add_all([inv for inv, _ in sent])
    c.population = {key[0]: n for key, n in sample.population.items()}
    c.sampled, c.status, c.sent_at = len(sent), "sent", now
    ctx.session.flush()
    for inv, token in sent:
        channels.current().send(channels.Message(
            channel=inv.channel, customer_id=inv.customer_id, link=link_for(token),
            text=f"【客户服务】{c.period_label}服务满意度测评：请您对我们的服务态度、办理效率、服务质量和服务礼仪打分，"
                 f"{link_for(token)}（{c.validity_days}天内有效）"))
        ctx.audit("survey_campaign.invited", "survey_campaign_invitation", inv.id, campaign_id=c.id,
                  customer_id=inv.customer_id, stratum=inv.stratum, channel=inv.channel)
    ctx.audit("survey_campaign.sent", "survey_campaign", c.id, sampled=c.sampled, strata=len(c.population),
              population=sum(c.population.values()), seed=c.seed)
    return c


def close(ctx: Ctx, campaign_id: int) -> SurveyCampaign:
    """End the fieldwork: unanswered links expire, the results are final."""
    c = get(ctx, campaign_id)
    if c.status != "sent":
        raise Conflict("campaign.error.state", field="path.campaign_id", state=c.status)
    expired = 0
    for inv in ctx.session.scalars(repo.open_campaign_invitations(ctx.session, c.id)):
        inv.status = "expired"
        expired += 1
    c.status, c.closed_at = "closed", ctx.now()
    ctx.session.flush()
    ctx.audit("survey_campaign.closed", "survey_campaign", c.id, expired=expired)
    return c


def expire_due(ctx: Ctx) -> int:
    """Mark links past their validity expired (the link already refuses answers; this keeps counts honest)."""
    n = 0
    for inv in ctx.session.scalars(repo.campaign_invitations_due_to_expire(ctx.now())):
        inv.status = "expired"
        ctx.audit("survey_campaign.expired", "survey_campaign_invitation", inv.id, campaign_id=inv.campaign_id)
        n += 1
    return n


def open_link(ctx: Ctx, token: str) -> SurveyCampaignInvitation:
    inv = repo.campaign_invitation(ctx.session, token_hash(token))
    if inv is None:
        raise NotFound(what="w.survey")
    return inv


def answerable(ctx: Ctx, inv: SurveyCampaignInvitation) -> str | None:
    """Why the link cannot be answered (a message key), or None."""
    if inv.status == "answered":
        return "surveys.error.answered"
    if inv.status == "expired":
        campaign = ctx.session.get(SurveyCampaign, inv.campaign_id)
        return "campaign.error.closed" if campaign and campaign.status == "closed" else "surveys.error.expired"
    if ctx.now() >= inv.expires_at:
        return "surveys.error.expired"
    return None


def answer(ctx: Ctx, token: str, data: s.CampaignAnswerIn) -> SurveyCampaignInvitation:
    inv = open_link(ctx, token)
    problem = answerable(ctx, inv)
    if problem:
        raise Conflict(problem, field="path.token")
    now = ctx.now()
    rows = [SurveyCampaignAnswer(invitation_id=inv.id, campaign_id=inv.campaign_id, dimension=d,
                                 score=getattr(data, d)) for d in DIMENSIONS]
    comment = (data.comment or "").strip()
    if comment:
        rows.append(SurveyCampaignAnswer(invitation_id=inv.id, campaign_id=inv.campaign_id, dimension="comment",
                                         comment=comment))
    try:
        with ctx.session.begin_nested():
            ctx.session.add_all(rows)
            inv.status, inv.answered_at = "answered", now
            ctx.session.flush()
    except (IntegrityError, StaleDataError) as e:
        # the same link answered at the same moment in another request: the version column (or the unique
        # invitation × dimension) refuses the second, reported as the already-answered link it is
        raise Conflict("surveys.error.answered", field="path.token") from e
    ctx.audit("survey_campaign.answered", "survey_campaign_invitation", inv.id, campaign_id=inv.campaign_id,
              **{d: getattr(data, d) for d in DIMENSIONS}, comment=bool(comment))
    return inv


def _limits(c: SurveyCampaign) -> res.Thresholds:
    return res.Thresholds(min_n=c.min_cell_n, low_mean=c.low_mean, low_share=c.low_share)


def scores(ctx: Ctx, c: SurveyCampaign) -> list[res.Score]:
    return [res.Score(*row) for row in repo.campaign_scores(ctx.session, c.id)]


def _cell(x: res.Cell) -> s.CellOut:
    ok = x.sufficient
    return s.CellOut(dimension=x.dimension, key=x.key, n=x.n, mean=x.mean if ok else None,
                     weighted_mean=x.weighted_mean if ok else None, satisfied=x.satisfied if ok else None,
                     weighted_satisfied=x.weighted_satisfied if ok else None, sufficient=ok, low=x.low,
                     reasons=list(x.reasons))


def results(ctx: Ctx, campaign_id: int, by: Sequence[str] = ("province",)) -> s.ResultsOut:
    """Cells of dimension × ``by`` (province, channel, tier, or several: province × tier), each with the raw
    mean and satisfied share and the stratum-weighted ones (weight of an answer = its stratum's population at
    sending ÷ that stratum's answers, `telqc.surveys.campaign_results`); low items are flagged on the weighted
    values. A cell with fewer than ``min_cell_n`` answers shows its count only."""
    c = get(ctx, campaign_id)
    found = scores(ctx, c)
    counts = repo.campaign_counts(ctx.session, c.id)
    return s.ResultsOut(
        campaign=s.CampaignOut.model_validate(c), by=list(by), sent=sum(counts.values()),
        answered=counts.get("answered", 0),
        cells=[_cell(x) for x in res.aggregate(found, c.population, by, _limits(c))],
        low_items=[_cell(x) for x in res.low_items(found, c.population, _limits(c))],
        improvement_link=IMPROVEMENT_LINK)


def report(ctx: Ctx, campaign_id: int, kind: str = "xlsx") -> tuple[SurveyCampaign, bytes]:
    """The campaign's report as an Excel workbook (`telqc.surveys.campaign_export`) or, ``kind="pdf"``, the same
    tables as a PDF (`telqc.surveys.campaign_pdf`)."""
    c = get(ctx, campaign_id)
    found = scores(ctx, c)
    names = {r.code: r.name for r in core_repo.regions(ctx.session)}
    counts = repo.campaign_counts(ctx.session, c.id)
    build = campaign_pdf.document if kind == "pdf" else campaign_export.workbook
    return c, build(c, found, names, counts, _limits(c), repo.campaign_comments(ctx.session, c.id))


def comments(ctx: Ctx, campaign_id: int) -> list[tuple[str, str, str]]:
    return repo.campaign_comments(ctx.session, get(ctx, campaign_id).id)
