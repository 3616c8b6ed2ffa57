"""Administration routes: users, regions, plans and the audit log."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Query
from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from telqc.api.deps import CtxDep, require
from telqc.core import audit, users
from telqc.core import repository as core_repo
from telqc.core.audit_keys import keys_for
from telqc.core.models import Region, User
from telqc.core.rbac import Perm, Principal, Role
from telqc.core.schemas import CleanText, Id, In, Out
from telqc.customers import service as customers

router = APIRouter(prefix="/api/v1", tags=["admin"])


Password = Annotated[str, StringConstraints(strip_whitespace=False, min_length=8, max_length=128)]
"""A new password as typed: not stripped like `In`'s other texts, since sign-in compares it unstripped (a
password created with a trailing space could otherwise never be used), but under the text policy."""


class UserCreate(In):
    username: str = Field(min_length=2, max_length=60, pattern=r"^[A-Za-z0-9_.@-]+$")
    password: Password
    role: Role
    display_name: str | None = Field(default=None, max_length=60)
    team_id: Id | None = None
    region_scope: list[str] | None = None
    customer_id: Id | None = None
    skills: list[str] = Field(default_factory=list)


class UserEdit(In):
    """What the user page's edit form changes besides role, team and regions (no API route edits users yet):
    through the text policy like every text a client sends, so a name cannot hold an override or a zero-width
    space."""

    display_name: str = Field(max_length=60)  # empty: `users.update` names it missing
    region_scope: list[str] | None = None  # checked before `users.check_regions` looks the codes up (a NUL: 500)


class PasswordReset(CleanText):
    """The administrator's new password for a user: the text policy and `UserCreate`'s length, but not `In`'s
    whitespace stripping (a password is what was typed; sign-in compares it unstripped)."""

    model_config = ConfigDict(extra="forbid")
    password: Password


class UserOut(Out):
    id: int
    username: str
    display_name: str
    role: str
    team_id: int | None
    region_scope: list[str] | None
    is_active: bool


class RegionOut(Out):
    code: str
    name: str
    name_en: str
    level: str
    parent_code: str | None
    area_type: str | None


class PlanOut(Out):
    code: str
    name: str
    name_en: str
    kind: str
    monthly_fee: float


class AuditOut(Out):
    id: int
    at: datetime
    actor: str
    action: str
    entity_type: str
    entity_id: str
    data: str
    hash: str


class VerifyOut(BaseModel):
    ok: bool
    checked: int
    bad_id: int | None
    reason: str


@router.get("/users", response_model=list[UserOut])
def list_users(ctx: CtxDep, _: Annotated[Principal, require(Perm.users_read)]) -> list[User]:
    return core_repo.users(ctx.session)


@router.post("/users", response_model=UserOut, status_code=201)
def create_user(ctx: CtxDep, body: UserCreate, _: Annotated[Principal, require(Perm.users_admin)]) -> User:
    return users.create(ctx, **body.model_dump())


@router.get("/regions", response_model=list[RegionOut])
def list_regions(ctx: CtxDep, _: Annotated[Principal, require(None)],
                 parent: str | None = None) -> list[Region]:
    return core_repo.regions(ctx.session, parent)


@router.get("/plans", response_model=list[PlanOut])
def list_plans(ctx: CtxDep, _: Annotated[Principal, require(None)]) -> list[PlanOut]:
    return [PlanOut.model_validate(p) for p in customers.plans(ctx)]


@router.get("/audit", response_model=list[AuditOut])
def list_audit(
    ctx: CtxDep, _: Annotated[Principal, require(Perm.audit_read)],
    entity_type: str | None = None, entity_id: str | None = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> list[audit.AuditEntry]:
    return core_repo.audit_rows(ctx.session, limit, entity_type, entity_id)


@router.get("/audit/verify", response_model=VerifyOut)
def verify_audit(ctx: CtxDep, _: Annotated[Principal, require(Perm.audit_read)]) -> VerifyOut:
    r = audit.verify(ctx.session, keys_for(ctx.settings))
    return VerifyOut(ok=r.ok, checked=r.checked, bad_id=r.bad_id, reason=r.reason)
