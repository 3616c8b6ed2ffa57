"""User administration: edit role, team and regions, disable or enable, reset a password.

Every change is audited; disabling a user or resetting their password ends their sessions at once (in this
process; within `auth_cache_seconds` elsewhere, see `auth.recently_verified`), so a leaver's open browser
stops working and a reset password is the only way back in."""

from __future__ import annotations

from sqlalchemy import column, delete, func, select, table

from telqc.core import auth
from telqc.core.context import Ctx
from telqc.core.errors import Conflict, Invalid, NotFound
from telqc.core.models import AuthSession, Region, Team, User
from telqc.core.rbac import Role


def _get(ctx: Ctx, user_id: int) -> User:
    u = ctx.session.get(User, user_id)
    if u is None:
        raise NotFound(what="w.user")
    return u


def _end_sessions(ctx: Ctx, u: User) -> None:
    ctx.session.execute(delete(AuthSession).where(AuthSession.user_id == u.id))
    auth.forget_verified()


def check_regions(ctx: Ctx, codes: list[str] | None, field: str = "region_scope") -> list[str] | None:
    """None (every region) or province codes that exist."""
    if codes is None:
        return None
    known = set(ctx.session.scalars(select(Region.code).where(Region.code.in_(codes), Region.level == "province")))
    unknown = [c for c in codes if c not in known]
    if unknown:
        raise Invalid("users.error.region", field=field, codes="、".join(unknown))
    return sorted(set(codes))


def check_team(ctx: Ctx, team_id: int | None) -> int | None:
    if team_id is not None and ctx.session.get(Team, team_id) is None:
        raise Invalid("users.error.team", field="team_id")
    return team_id


def check_customer(ctx: Ctx, customer_id: int | None) -> int | None:
    # The customers table by name: core must not import the customers domain (DESIGN.md import contract).
    customers = table("customers", column("id"))
    if customer_id is not None and ctx.session.scalar(
            select(customers.c.id).where(customers.c.id == customer_id)) is None:
        raise Invalid("users.error.customer", field="customer_id")
    return customer_id


def create(ctx: Ctx, *, username: str, password: str, role: Role, display_name: str | None = None,
           team_id: int | None = None, region_scope: list[str] | None = None,
           customer_id: int | None = None, skills: list[str] | None = None) -> User:
    """A new account from an administrator (API, page, CLI): references checked first, so an unknown region,
    team or customer is a 422 naming the field rather than a foreign-key error (issue 17)."""
    return auth.create_user(
        ctx, username=username, password=password, role=role, display_name=display_name,
        team_id=check_team(ctx, team_id), region_scope=check_regions(ctx, region_scope),
        customer_id=check_customer(ctx, customer_id), skills=skills)


def update(ctx: Ctx, user_id: int, *, display_name: str, role: Role, team_id: int | None,
           region_scope: list[str] | None) -> User:
    u = _get(ctx, user_id)
    if not display_name.strip():
        raise Invalid("v.missing", field="display_name")
    regions, team = check_regions(ctx, region_scope), check_team(ctx, team_id)
    if role is Role.customer and u.customer_id is None:
        raise Invalid("users.error.customer_role", field="role")
    if u.role == Role.admin.value and role is not Role.admin:
        _keep_an_admin(ctx, u)
    before = {"role": u.role, "team_id": u.team_id, "region_scope": u.region_scope, "display_name": u.display_name}
    u.display_name, u.role, u.team_id, u.region_scope = display_name.strip(), role.value, team, regions
    after = {"role": u.role, "team_id": u.team_id, "region_scope": u.region_scope, "display_name": u.display_name}
    if before != after:
        ctx.audit("user.updated", "user", u.id, before=before, after=after)
        _end_sessions(ctx, u)  # the next request resolves the new role and scope
    ctx.session.flush()
    return u


def set_active(ctx: Ctx, user_id: int, active: bool) -> User:
    u = _get(ctx, user_id)
    assert ctx.principal is not None
    if not active and u.id == ctx.principal.user_id:
        raise Conflict("users.error.self_disable", field="user_id")
    if not active and u.role == Role.admin.value:
        _keep_an_admin(ctx, u)
    if u.is_active != active:
        u.is_active = active
        if not active:
            _end_sessions(ctx, u)
        ctx.audit("user.enabled" if active else "user.disabled", "user", u.id)
    ctx.session.flush()
    return u


def reset_password(ctx: Ctx, user_id: int, password: str) -> User:
    u = _get(ctx, user_id)
    if len(password) < 8:
        raise Invalid("v.string_too_short", field="password", min_length=8)
    u.password_hash = auth.hash_password(password)
    u.failed_logins, u.locked_until = 0, None
    u.version += 1
    _end_sessions(ctx, u)
    ctx.audit("user.password_reset", "user", u.id)
    ctx.session.flush()
    return u


def _keep_an_admin(ctx: Ctx, u: User) -> None:
    others = ctx.session.scalar(select(func.count(User.id)).where(
        User.role == Role.admin.value, User.is_active.is_(True), User.id != u.id)) or 0
    if others == 0:
        raise Conflict("users.error.last_admin", field="role")
