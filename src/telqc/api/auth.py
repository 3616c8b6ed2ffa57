"""Sign-in for the API (bearer token) and the current user's identity."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.exceptions import RequestValidationError
from fastapi.security import OAuth2PasswordRequestForm
from pydantic import BaseModel, ValidationError

from telqc.api.deps import CtxDep, _token, require
from telqc.core import auth
from telqc.core.rbac import Principal
from telqc.core.schemas import CleanText

router = APIRouter(prefix="/api/v1/auth", tags=["auth"])


class SignIn(CleanText):
    """A sign-in's name and password under the text policy, before the login throttle stores the name (its
    counter row, the audit entry): a NUL there was a driver error, an override a misleading audit line. Not
    stripped: the password is compared as typed."""

    username: str
    password: str


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
    try:
        creds = SignIn.model_validate({"username": form.username, "password": form.password})
    except ValidationError as e:
        raise RequestValidationError([{**err, "loc": ("body", *err["loc"])} for err in e.errors()]) from e
    tok, expires = auth.login(ctx, creds.username, creds.password, request.client.host if request.client else None)
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
