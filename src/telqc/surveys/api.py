"""Survey routes: managers list invitations; the customer's app answers with the link's token."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query

from telqc.api.deps import CtxDep, require
from telqc.core.rbac import Perm, Principal
from telqc.surveys import schemas as s
from telqc.surveys import service

router = APIRouter(prefix="/api/v1/surveys", tags=["surveys"])


@router.get("/invitations", response_model=list[s.InvitationOut])
def list_invitations(
    ctx: CtxDep, _: Annotated[Principal, require(Perm.surveys_manage)],
    status: Annotated[Literal["sent", "answered", "expired"] | None, Query()] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> list[s.InvitationOut]:
    return [s.InvitationOut.model_validate(i) for i in service.invitations(ctx, status, limit)]


@router.post("/{token}/answer", response_model=s.AnswerOut)
def answer(ctx: CtxDep, token: str, body: s.AnswerIn) -> s.AnswerOut:
    """Public: the token in the one-time link is the credential."""
    inv = service.answer(ctx, token, body)
    return s.AnswerOut(survey_id=inv.id, status=inv.status)
