"""Insight routes under /api/v1/insight: a customer's profile with a plan recommendation."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter

from telqc.api.deps import CtxDep, IdPath, require
from telqc.core.rbac import Perm, Principal
from telqc.insight import schemas as s
from telqc.insight import service

router = APIRouter(prefix="/api/v1/insight", tags=["insight"])


@router.get("/customers/{customer_id}/profile", response_model=s.ProfileOut)
def customer_profile(
    ctx: CtxDep, customer_id: IdPath, _: Annotated[Principal, require(Perm.customers_read)]
) -> s.ProfileOut:
    """Tier, lifecycle, plans and a plan recommendation; the same access scope as the customer 360 view."""
    return service.profile(ctx, customer_id)
