"""Survey routes: managers list invitations; the customer's app answers with the link's token. The satisfaction
campaigns' routes are here too, under /api/v1/survey-campaigns."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query
from fastapi.responses import Response

from telqc.api.deps import CtxDep, IdPath, require
from telqc.core.rbac import Perm, Principal
from telqc.surveys import campaigns, service
from telqc.surveys import schemas as s

router = APIRouter(tags=["surveys"])
S = "/api/v1/surveys"
C = "/api/v1/survey-campaigns"  # periodic satisfaction campaigns (`telqc.surveys.campaigns`)
Manage = Annotated[Principal, require(Perm.surveys_manage)]
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@router.get(f"{S}/invitations", response_model=list[s.InvitationOut])
def list_invitations(
    ctx: CtxDep, _: Annotated[Principal, require(Perm.surveys_manage)],
    status: Annotated[Literal["sent", "answered", "expired"] | None, Query()] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> list[s.InvitationOut]:
    return [s.InvitationOut.model_validate(i) for i in service.invitations(ctx, status, limit)]


@router.post(S + "/{token}/answer", response_model=s.AnswerOut)
def answer(ctx: CtxDep, token: str, body: s.AnswerIn) -> s.AnswerOut:
    """Public: the token in the one-time link is the credential."""
    inv = service.answer(ctx, token, body)
    return s.AnswerOut(survey_id=inv.id, status=inv.status)


@router.get(C, response_model=list[s.CampaignOut])
def list_campaigns(ctx: CtxDep, _: Manage) -> list[s.CampaignOut]:
    return [s.CampaignOut.model_validate(c) for c in campaigns.listing(ctx)]


@router.post(C, response_model=s.CampaignOut, status_code=201)
def create_campaign(ctx: CtxDep, _: Manage, body: s.CampaignIn) -> s.CampaignOut:
    return s.CampaignOut.model_validate(campaigns.create(ctx, body))


@router.get(C + "/{campaign_id}", response_model=s.CampaignOut)
def get_campaign(ctx: CtxDep, _: Manage, campaign_id: IdPath) -> s.CampaignOut:
    return s.CampaignOut.model_validate(campaigns.get(ctx, campaign_id))


@router.post(C + "/{campaign_id}/send", response_model=s.CampaignOut)
def send_campaign(ctx: CtxDep, _: Manage, campaign_id: IdPath) -> s.CampaignOut:
    """Draw the stratified sample and send every sampled customer a single-use link."""
    return s.CampaignOut.model_validate(campaigns.send(ctx, campaign_id))


@router.post(C + "/{campaign_id}/close", response_model=s.CampaignOut)
def close_campaign(ctx: CtxDep, _: Manage, campaign_id: IdPath) -> s.CampaignOut:
    return s.CampaignOut.model_validate(campaigns.close(ctx, campaign_id))


@router.get(C + "/{campaign_id}/results", response_model=s.ResultsOut)
def campaign_results(ctx: CtxDep, _: Manage, campaign_id: IdPath,
                     by: Annotated[list[s.Cut] | None, Query(max_length=3)] = None) -> s.ResultsOut:
    """Raw and stratum-weighted means and satisfied shares per dimension × ``by`` (default: province)."""
    return campaigns.results(ctx, campaign_id, list(dict.fromkeys(by)) if by else ["province"])


@router.get(C + "/{campaign_id}/report", response_class=Response)
def campaign_report(ctx: CtxDep, _: Manage, campaign_id: IdPath,
                    format: Annotated[str, Query(pattern="^(xlsx|pdf)$")] = "xlsx") -> Response:
    """The quarterly report: a sheet (or PDF section) per dimension by province, the low items and the comments."""
    c, data = campaigns.report(ctx, campaign_id, format)
    return Response(data, media_type="application/pdf" if format == "pdf" else XLSX, headers={
        "Content-Disposition": f'attachment; filename="survey-campaign-{c.id}-{c.period_label}.{format}"'})


@router.post(C + "/answers/{token}", response_model=s.AnswerOut)
def answer_campaign(ctx: CtxDep, token: str, body: s.CampaignAnswerIn) -> s.AnswerOut:
    """Public: the token in the one-time link is the credential."""
    inv = campaigns.answer(ctx, token, body)
    return s.AnswerOut(survey_id=inv.id, status=inv.status)
