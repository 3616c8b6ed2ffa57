"""Sign-in for the API (bearer token) and the current user's identity."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.security import OAuth2PasswordRequestForm
from pydantic import BaseModel

from telqc.api.deps import CtxDep, _token, require
from telqc.core import auth
from telqc.core.rbac import Principal

router = APIRouter(prefix="/api/v1/auth", tags=["auth"])


class TokenOut(BaseModel):
    access_token: str
    token_type: str = "bearer"
    expires_at: datetime


class MeOut(BaseModel):
    id: int
    username: str
    display_name: str
    role: str
    permissions: list[str]
    region_scope: list[str] | None
    customer_id: int | None


@router.post("/token", response_model=TokenOut)
def token(ctx: CtxDep, request: Request, form: Annotated[OAuth2PasswordRequestForm, Depends()]) -> TokenOut:
    tok, expires = auth.login(ctx, form.username, form.password, request.client.host if request.client else None)
    return TokenOut(access_token=tok, expires_at=expires)


@router.post("/logout", status_code=204)
def logout(ctx: CtxDep, request: Request, _: Annotated[Principal, require(None)]) -> None:
    tok = _token(request)
    if tok:
        auth.logout(ctx, tok)


@router.get("/me", response_model=MeOut)
def me(p: Annotated[Principal, require(None)]) -> MeOut:
    return MeOut(
        id=p.user_id, username=p.username, display_name=p.display_name, role=p.role.value,
        permissions=sorted(x.value for x in p.permissions),
        region_scope=list(p.region_scope) if p.region_scope is not None else None, customer_id=p.customer_id,
    )
