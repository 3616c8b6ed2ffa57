"""Insight routes under /api/v1/insight: a customer's profile with a plan recommendation, retention campaigns
and tasks, offers and their conversion."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated

from fastapi import APIRouter, Path

from telqc.api.deps import CtxDep, IdPath, require
from telqc.core.context import Ctx
from telqc.core.rbac import Perm, Principal
from telqc.core.schemas import MAX_INT
from telqc.insight import campaigns, offers, service
from telqc.insight import schemas as s

router = APIRouter(prefix="/api/v1/insight", tags=["insight"])
Read = Annotated[Principal, require(Perm.insight_read)]
Manage = Annotated[Principal, require(Perm.insight_manage)]
Tasks = Annotated[Principal, require(Perm.insight_tasks)]
TaskId = Annotated[int, Path(ge=1, le=MAX_INT)]
CampaignId = Annotated[int, Path(ge=1, le=MAX_INT)]
OfferId = Annotated[int, Path(ge=1, le=MAX_INT)]


@router.get("/customers/{customer_id}/profile", response_model=s.ProfileOut)
def customer_profile(
    ctx: CtxDep, customer_id: IdPath, _: Annotated[Principal, require(Perm.customers_read)]
) -> s.ProfileOut:
    """Tier, lifecycle, plans and a plan recommendation; the same access scope as the customer 360 view."""
    return service.profile(ctx, customer_id)


def task_out(t: campaigns.Task, lang: str) -> s.TaskOut:
    m = t.member
    return s.TaskOut(id=m.id, campaign_name=t.campaign_name, customer_id=m.customer_id,
                     customer_name=t.customer_name, stage=m.stage, action=m.action, reasons=m.reasons,
                     churn=m.churn, churn_reasons=t.churn_reasons(lang), model_version=m.model_version,
                     status=m.status, note=m.note, outcome_at=m.outcome_at)


@router.get("/tasks", response_model=list[s.TaskOut])
def my_tasks(ctx: CtxDep, _: Tasks) -> list[s.TaskOut]:
    """The caller's own retention tasks."""
    return [task_out(t, ctx.lang) for t in campaigns.my_tasks(ctx)]


@router.post("/tasks/{task_id}/outcome", response_model=s.TaskOut)
def record_outcome(ctx: CtxDep, _: Tasks, task_id: TaskId, body: s.OutcomeIn) -> s.TaskOut:
    """Another agent's task is 404."""
    campaigns.record_outcome(ctx, task_id, body.outcome, body.note)
    return task_out(campaigns.my_tasks(ctx, member_id=task_id)[0], ctx.lang)


def _yuan(fen: int) -> Decimal:
    return Decimal(fen) / 100


def campaign_out(v: campaigns.CampaignView) -> s.CampaignOut:
    c, e, r = v.campaign, v.effect, v.saved
    return s.CampaignOut(id=c.id, name=c.name, holdout_share=c.holdout_share, treated=v.treated,
                         held_out=v.held_out, outcomes=v.outcomes, measured_at=c.measured_at,
                         uplift=None if e is None else s.UpliftOut(
                             treated_rate=e.treated_rate, control_rate=e.control_rate, difference=e.difference,
                             low=e.low, high=e.high, significant=e.significant),
                         saved_revenue=None if r is None else s.SavedRevenueOut(
                             customers=r.customers, low_customers=r.low_customers, high_customers=r.high_customers,
                             arpu=_yuan(r.arpu_fen), months=r.months, amount=_yuan(r.fen), low=_yuan(r.low_fen),
                             high=_yuan(r.high_fen)))


def _view(ctx: Ctx, campaign_id: int) -> s.CampaignOut:
    return campaign_out(next(v for v in campaigns.campaigns(ctx) if v.campaign.id == campaign_id))


@router.get("/campaigns", response_model=list[s.CampaignOut])
def list_campaigns(ctx: CtxDep, _: Read) -> list[s.CampaignOut]:
    """Counted over the members in the caller's regions; the uplift once measured."""
    return [campaign_out(v) for v in campaigns.campaigns(ctx)]


@router.post("/campaigns", response_model=s.CampaignOut, status_code=201)
def run_campaign(ctx: CtxDep, _: Manage, body: s.CampaignIn) -> s.CampaignOut:
    return _view(ctx, campaigns.run(ctx, body.name).id)


@router.post("/campaigns/{campaign_id}/measure", response_model=s.CampaignOut)
def measure_campaign(ctx: CtxDep, _: Manage, campaign_id: CampaignId) -> s.CampaignOut:
    return _view(ctx, campaigns.measure(ctx, campaign_id).id)


@router.post("/offers", response_model=s.OfferOut, status_code=201)
def offer_shown(ctx: CtxDep, _: Annotated[Principal, require(Perm.customers_read)], body: s.OfferIn) -> s.OfferOut:
    """A recommendation shown to an agent with the customer's context (self-service records its own)."""
    return s.OfferOut.model_validate(offers.shown(ctx, body.customer_id, body.channel, body.plan_code))


@router.post("/offers/{offer_id}/decision", response_model=s.OfferOut)
def offer_decided(ctx: CtxDep, _: Annotated[Principal, require(Perm.customers_read)], offer_id: OfferId,
                  body: s.DecisionIn) -> s.OfferOut:
    return s.OfferOut.model_validate(offers.decide(ctx, offer_id, body.accepted))


@router.get("/conversion", response_model=list[s.ConversionOut])
def conversion(ctx: CtxDep, _: Read) -> list[s.ConversionOut]:
    """Accepted / decided offers by channel and segment, in the caller's regions."""
    return [s.ConversionOut(channel=c.channel, segment=c.segment, shown=c.shown, decided=c.decided,
                            accepted=c.accepted, rate=c.rate) for c in offers.conversion(ctx)]
