"""Administrator pages: user management (create, edit role/team/regions, disable, reset password) and the
filtered, paged audit log with Chinese headers and action names.

Forms post back and redirect (post/redirect/get); a refused form re-renders with the reason and the values
typed, nothing changed."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Annotated, Any
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import ValidationError

from telqc.api.admin import PasswordReset, UserCreate, UserEdit
from telqc.api.deps import CtxDep, IdPath, require
from telqc.core import audit, users
from telqc.core import repository as core_repo
from telqc.core.audit_keys import keys_for
from telqc.core.context import Ctx
from telqc.core.errors import DomainError, Invalid, NotFound
from telqc.core.i18n import MESSAGES, field_label
from telqc.core.rbac import Perm, Principal, Role
from telqc.core.schemas import MAX_INT
from telqc.web.render import render, validation_text

router = APIRouter(include_in_schema=False)
Admin = Annotated[Principal, require(Perm.users_admin)]
PAGE = 50
_TZ = ZoneInfo("Asia/Shanghai")
ASSIGNABLE_ROLES = [r for r in Role if r is not Role.customer]


def _regions(values: list[str]) -> list[str] | None:
    """The provinces picked in the form; none picked means every region."""
    return [c.strip() for c in values if c.strip()] or None


def _team(value: str) -> int | None:
    if not value.strip():
        return None
    if not (value.isascii() and value.isdigit()) or int(value) > MAX_INT:  # "²" is a digit that `int` refuses
        raise Invalid("users.error.team", field="team_id")
    return int(value)


def _role(value: str) -> Role:
    try:
        return Role(value)
    except ValueError:
        raise Invalid("v.enum", field="role", expected="、".join(r.value for r in Role)) from None


def _users_page(request: Request, ctx: Ctx, active: bool | None = None, error: str | None = None,
                values: dict[str, Any] | None = None, status_code: int = 200) -> Response:
    rows = core_repo.users(ctx.session)
    if active is not None:
        rows = [u for u in rows if u.is_active == active]
    teams = core_repo.team_names(ctx.session)
    provinces = {r.code: r.name for r in core_repo.regions(ctx.session)}
    return render(request, "users.html", users=rows, teams=teams, provinces=provinces, roles=ASSIGNABLE_ROLES,
                  active=active, error=error, v=values or {}, may_admin=ctx.principal is not None
                  and ctx.principal.can(Perm.users_admin), status_code=status_code)


def _message(ctx: Ctx, e: DomainError | ValidationError) -> str:
    if isinstance(e, DomainError):
        msg = e.message(ctx.lang)
        label = field_label(e.field.split("."), ctx.lang) if e.field else ""
        return f"{label}：{msg}" if label and label not in msg else msg
    return validation_text(e, ctx.lang)


@router.get("/users", response_class=HTMLResponse)
def users_page(request: Request, ctx: CtxDep, _: Annotated[Principal, require(Perm.users_read)],
               active: bool | None = None) -> Response:
    return _users_page(request, ctx, active)


@router.post("/users/new")
def user_create(request: Request, ctx: CtxDep, _: Admin, username: Annotated[str, Form()],
                display_name: Annotated[str, Form()], role: Annotated[str, Form()],
                password: Annotated[str, Form()], team_id: Annotated[str, Form()] = "",
                region_scope: Annotated[list[str] | None, Form()] = None) -> Response:
    region_scope = region_scope or []
    values: dict[str, Any] = {"username": username, "display_name": display_name, "role": role, "team_id": team_id,
              "region_scope": region_scope}
    try:
        body = UserCreate.model_validate({"username": username.strip(), "password": password, "role": role,
                                          "display_name": display_name.strip() or None, "team_id": _team(team_id),
                                          "region_scope": _regions(region_scope)})
        if body.role is Role.customer:
            raise Invalid("users.error.customer_role", field="role")
        u = users.create(ctx, **body.model_dump())
    except (DomainError, ValidationError) as e:
        ctx.uow.rollback()
        status = e.status if isinstance(e, DomainError) else 422
        return _users_page(request, ctx, error=_message(ctx, e), values=values, status_code=status)
    return RedirectResponse(f"/users/{u.id}", status_code=303)


def _user_page(request: Request, ctx: Ctx, user_id: int, error: str | None = None, done: str | None = None,
               status_code: int = 200) -> Response:
    u = next((x for x in core_repo.users(ctx.session) if x.id == user_id), None)
    if u is None:
        raise NotFound(what="w.user")
    teams = core_repo.team_names(ctx.session)
    provinces = {r.code: r.name for r in core_repo.regions(ctx.session)}
    history = core_repo.audit_rows(ctx.session, 20, "user", str(u.id))
    return render(request, "user_edit.html", u=u, teams=teams, provinces=provinces, roles=ASSIGNABLE_ROLES,
                  error=error, done=done, history=history, action_label=action_label, status_code=status_code)


@router.get("/users/{user_id}", response_class=HTMLResponse)
def user_page(request: Request, ctx: CtxDep, user_id: IdPath, _: Admin,
              done: Annotated[str | None, Query(pattern="^(saved|disabled|enabled|password)$")] = None) -> Response:
    return _user_page(request, ctx, user_id, done=done)


def _user_act(request: Request, ctx: Ctx, user_id: int, done: str, action: Any) -> Response:
    try:
        action()
    except (DomainError, ValidationError) as e:
        ctx.uow.rollback()
        if isinstance(e, DomainError) and e.status == 404:
            raise
        status = e.status if isinstance(e, DomainError) else 422
        return _user_page(request, ctx, user_id, error=_message(ctx, e), status_code=status)
    return RedirectResponse(f"/users/{user_id}?done={done}", status_code=303)


@router.post("/users/{user_id}")
def user_update(request: Request, ctx: CtxDep, user_id: IdPath, _: Admin, display_name: Annotated[str, Form()],
                role: Annotated[str, Form()], team_id: Annotated[str, Form()] = "",
                region_scope: Annotated[list[str] | None, Form()] = None) -> Response:
    def save() -> object:
        edit = UserEdit.model_validate({"display_name": display_name, "region_scope": _regions(region_scope or [])})
        return users.update(ctx, user_id, display_name=edit.display_name, role=_role(role), team_id=_team(team_id),
                            region_scope=edit.region_scope)
    return _user_act(request, ctx, user_id, "saved", save)


@router.post("/users/{user_id}/active")
def user_active(request: Request, ctx: CtxDep, user_id: IdPath, _: Admin, active: Annotated[bool, Form()]) -> Response:
    return _user_act(request, ctx, user_id, "enabled" if active else "disabled",
                     lambda: users.set_active(ctx, user_id, active))


@router.post("/users/{user_id}/password")
def user_password(request: Request, ctx: CtxDep, user_id: IdPath, _: Admin,
                  password: Annotated[str, Form()]) -> Response:
    return _user_act(request, ctx, user_id, "password", lambda: users.reset_password(
        ctx, user_id, PasswordReset.model_validate({"password": password}).password))


def action_label(action: str, lang: str) -> str:
    """The action's name in the reader's language (the code itself only when no wording exists yet)."""
    entry = MESSAGES.get(f"auditaction.{action}")
    return (entry.get(lang) or entry["zh-CN"]) if entry else action


def _day_bounds(start: date | None, end: date | None) -> tuple[datetime | None, datetime | None]:
    lo = datetime.combine(start, time(), _TZ) if start else None
    hi = datetime.combine(end, time(), _TZ) + timedelta(days=1) if end else None
    return lo, hi


@router.get("/audit", response_class=HTMLResponse)
def audit_page(request: Request, ctx: CtxDep, _: Annotated[Principal, require(Perm.audit_read)],
               actor: Annotated[str | None, Query(max_length=80)] = None,
               action: Annotated[str | None, Query(max_length=80)] = None,
               entity_type: Annotated[str | None, Query(max_length=40)] = None,
               entity_id: Annotated[str | None, Query(max_length=64)] = None,
               start: Annotated[date | None, Query(alias="from")] = None,
               end: Annotated[date | None, Query(alias="to")] = None,
               offset: Annotated[int, Query(ge=0, le=MAX_INT)] = 0) -> Response:
    result = audit.verify(ctx.session, keys_for(ctx.settings))
    lo, hi = _day_bounds(start, end)
    f = core_repo.AuditFilter(actor=actor or None, action=action or None, entity_type=entity_type or None,
                              entity_id=entity_id or None, at_from=lo, at_to=hi)
    rows, total = core_repo.audit_page(ctx.session, f, offset, PAGE)
    query = {k: v for k, v in {"actor": actor, "action": action, "entity_type": entity_type,
                               "entity_id": entity_id, "from": start, "to": end}.items() if v}
    return render(request, "audit.html", rows=rows, result=result, total=total, offset=offset, page=PAGE,
                  query=query, actions=core_repo.audit_actions(ctx.session), action_label=action_label)
