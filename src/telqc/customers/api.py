"""Customer routes: search, profile, identity verification and account changes.

The 360 view composes several domains: `telqc.api.customer360`.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Header, Path, Query, Response

from telqc.api.deps import CtxDep, IdPath, if_match_version, require, set_etag
from telqc.core.rbac import Perm, Principal
from telqc.customers import schemas as s
from telqc.customers import service

router = APIRouter(prefix="/api/v1", tags=["customers"])

Read = Annotated[Principal, require(Perm.customers_read)]


_if_match = if_match_version


@router.get("/customers", response_model=list[s.CustomerOut])
def search_customers(
    ctx: CtxDep, _: Read,
    phone: Annotated[str | None, Query(min_length=3, max_length=20)] = None,
    name: Annotated[str | None, Query(min_length=1, max_length=60)] = None,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
) -> list[s.CustomerOut]:
    return service.present(ctx, service.search(ctx, phone=phone, name=name, limit=limit))


@router.post("/customers", response_model=s.CustomerOut, status_code=201)
def create_customer(
    ctx: CtxDep, body: s.CustomerCreate, response: Response,
    _: Annotated[Principal, require(Perm.customers_write)],
) -> s.CustomerOut:
    c = service.create(ctx, body)
    set_etag(response, c.version)
    return service.present(ctx, [c])[0]


@router.get("/customers/{customer_id}", response_model=s.CustomerOut)
def get_customer(ctx: CtxDep, customer_id: IdPath, response: Response, _: Read) -> s.CustomerOut:
    c = service.get(ctx, customer_id)
    set_etag(response, c.version)
    return service.present(ctx, [c])[0]


@router.patch("/customers/{customer_id}", response_model=s.CustomerOut)
def patch_customer(
    ctx: CtxDep, customer_id: IdPath, body: s.CustomerPatch, response: Response,
    _: Annotated[Principal, require(Perm.customers_write)],
    if_match: Annotated[str | None, Header()] = None,
) -> s.CustomerOut:
    c = service.update(ctx, customer_id, body, _if_match(if_match))
    set_etag(response, c.version)
    return service.present(ctx, [c])[0]


@router.post("/customers/{customer_id}/plan-change", response_model=s.CustomerOut)
def change_plan(
    ctx: CtxDep, customer_id: IdPath, body: s.PlanChangeIn,
    _: Annotated[Principal, require(Perm.customers_account)],
) -> s.CustomerOut:
    return service.present(ctx, [service.change_plan(ctx, customer_id, body)])[0]


@router.put("/customers/{customer_id}/plans/{plan_code}/site", response_model=s.CustomerOut)
def set_plan_site(
    ctx: CtxDep, customer_id: IdPath, plan_code: Annotated[str, Path(min_length=1, max_length=20)],
    body: s.PlanSiteIn, response: Response, _: Annotated[Principal, require(Perm.customers_write)],
) -> s.CustomerOut:
    """The cell or access point serving one current subscription (network-incident matching by site)."""
    c = service.set_plan_site(ctx, customer_id, plan_code, body)
    set_etag(response, c.version)
    return service.present(ctx, [c])[0]


@router.post("/customers/{customer_id}/address-change", response_model=s.CustomerOut)
def change_address(
    ctx: CtxDep, customer_id: IdPath, body: s.AddressChangeIn,
    _: Annotated[Principal, require(Perm.customers_account)],
) -> s.CustomerOut:
    return service.present(ctx, [service.change_address(ctx, customer_id, body)])[0]


@router.post("/contacts/{contact_id}/verify", response_model=s.VerifyOut)
def verify_identity(
    ctx: CtxDep, contact_id: IdPath, body: s.VerifyIn,
    _: Annotated[Principal, require(Perm.customers_verify)],
) -> s.VerifyOut:
    return service.verify_identity(ctx, contact_id, body)
