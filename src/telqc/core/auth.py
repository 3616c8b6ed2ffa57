"""Passwords, throttled logins, and resolving a token to a principal."""

from __future__ import annotations

import hashlib
import math
import secrets
import time
from datetime import datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerifyMismatchError
from sqlalchemy import bindparam, delete, select

from telqc.core import audit, login_throttle
from telqc.core.context import Ctx
from telqc.core.errors import Conflict, Invalid, TooManyRequests, Unauthenticated
from telqc.core.models import AuthSession, User
from telqc.core.rbac import Principal, Role

# Argon2id at OWASP's recommended floor (19 MiB, t=2, p=1): ~60 ms on one core, so logins
# stay cheap for the server while offline guessing stays expensive.
_hasher = PasswordHasher(time_cost=2, memory_cost=19456, parallelism=1)
# Checked when the user does not exist, so response time does not reveal valid usernames.
_DUMMY_HASH = _hasher.hash("telqc-dummy-password")


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def check_password(stored: str, password: str) -> bool:
    try:
        return _hasher.verify(stored, password)
    except (VerifyMismatchError, InvalidHashError):
        return False


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def login(ctx: Ctx, username: str, password: str, address: str | None = None) -> tuple[str, datetime]:
    """Return a new session token, within the login throttle (`telqc.core.login_throttle`).

    A locked account answers exactly as a wrong password or an unknown user does (401, same message, a
    password hash checked either way), so the answer reveals neither the lock nor that the account exists;
    a client address over its limit gets 429 with Retry-After (an address is no secret)."""
    now = ctx.now()
    limits = ctx.settings
    # an IPv4 client counts by its address, an IPv6 one by its /64 (`login_throttle.address_key`)
    counted = login_throttle.address_key(address) if address else None
    if counted and limits.login_max_failures_per_address > 0:
        seen = login_throttle.current(ctx, login_throttle.ADDRESS, counted)
        if seen is not None and seen.failures >= limits.login_max_failures_per_address:
            wait = (login_throttle.ends_at(ctx, seen) - now).total_seconds()
            raise TooManyRequests("error.too_many_logins", retry_after=math.ceil(wait), minutes=math.ceil(wait / 60))
    # Reserved before the password is checked: parallel guesses on one account take turns (see the module).
    tries = login_throttle.add_failure(ctx, login_throttle.ACCOUNT, username) if limits.login_max_failures else None
    locked = tries is not None and tries.failures > limits.login_max_failures
    user = ctx.session.scalar(select(User).where(User.username == username))
    if user is None or not user.is_active or locked:
        check_password(_DUMMY_HASH, password)
        ok = False
    else:
        ok = check_password(user.password_hash, password)
    if not ok:
        _failed(ctx, user, username, address, counted, tries, locked)
        raise Unauthenticated("error.bad_credentials", persist=True)
    assert user is not None
    if tries is not None:
        login_throttle.forget(ctx, login_throttle.ACCOUNT, username)
    token = secrets.token_urlsafe(32)
    expires = now + timedelta(hours=ctx.settings.session_hours)
    ctx.session.add(AuthSession(token_hash=_token_hash(token), user_id=user.id, created_at=now, expires_at=expires))
    # nobody is signed in yet (the context's actor is 系统): the entry names the person who just signed in
    audit.record(ctx.uow, audit.Actor(user.id, user.username), "auth.login", "user", user.id, now)
    return token, expires


def _failed(ctx: Ctx, user: User | None, username: str, address: str | None, counted: str | None,
            tries: login_throttle.Count | None, locked: bool) -> None:
    """Count a failure against the address and audit it; the account's try was counted when reserved."""
    limits = ctx.settings
    who = ("user", user.id) if user is not None else ("login", username[:64])
    if user is not None:
        ctx.audit("auth.login_failed", "user", user.id, failures=tries.failures if tries else None,
                  locked=locked, address=address)
    if tries is not None and tries.failures == limits.login_max_failures:
        until = login_throttle.ends_at(ctx, tries).isoformat()
        ctx.audit("auth.locked", *who, until=until, failures=tries.failures, address=address)
    if counted and limits.login_max_failures_per_address > 0:
        count = login_throttle.add_failure(ctx, login_throttle.ADDRESS, counted)
        if count.failures == limits.login_max_failures_per_address:
            ctx.audit("auth.address_locked", "address", counted, until=login_throttle.ends_at(ctx, count).isoformat(),
                      failures=count.failures, username=username[:64], address=address)


def logout(ctx: Ctx, token: str) -> None:
    _verified.pop(_token_hash(token), None)
    ctx.session.execute(delete(AuthSession).where(AuthSession.token_hash == _token_hash(token)))


def principal_of(user: User) -> Principal:
    return Principal(
        user_id=user.id, username=user.username, display_name=user.display_name, role=Role(user.role),
        region_scope=tuple(user.region_scope) if user.region_scope is not None else None,
        team_id=user.team_id, customer_id=user.customer_id,
    )


# Every request runs it: built once (building and cache-keying a statement costs more than running it).
_RESOLVE = (select(User, AuthSession.expires_at).join(AuthSession, AuthSession.user_id == User.id)
            .where(AuthSession.token_hash == bindparam("token_hash")))


def resolve(ctx: Ctx, token: str) -> Principal | None:
    key = _token_hash(token)
    row = ctx.session.execute(_RESOLVE, {"token_hash": key}).first()
    if row is None:
        return None
    user, expires = row
    if expires <= ctx.now() or not user.is_active:
        return None
    principal = principal_of(user)
    if ctx.settings.auth_cache_seconds > 0:
        if len(_verified) >= _VERIFIED_MAX:
            _verified.clear()
        _verified[key] = (time.monotonic() + ctx.settings.auth_cache_seconds, expires, principal)
    return principal


# token hash -> (monotonic time to check again, session expiry, principal): what `resolve` found, reused
# for `auth_cache_seconds` so a busy client costs one session lookup per process per interval.
_verified: dict[str, tuple[float, datetime, Principal]] = {}
_VERIFIED_MAX = 50_000


def recently_verified(ctx: Ctx, token: str) -> Principal | None:
    """The principal `resolve` returned for this token in this process less than `auth_cache_seconds` ago.

    The trade-off: a session deleted or a user deactivated by another process stays usable here for at
    most that long (logout evicts at once in its own process); the session's expiry is always checked."""
    hit = _verified.get(_token_hash(token))
    if hit is None:
        return None
    recheck_at, expires, principal = hit
    if recheck_at <= time.monotonic() or expires <= ctx.now():
        return None
    return principal


def forget_verified() -> None:
    """Drop every cached verification (tests, and after changing users in bulk)."""
    _verified.clear()


def create_user(
    ctx: Ctx, *, username: str, password: str, role: Role, display_name: str | None = None,
    team_id: int | None = None, region_scope: list[str] | None = None, customer_id: int | None = None,
    skills: list[str] | None = None,
) -> User:
    if len(password) < 8:
        raise Invalid("v.string_too_short", field="password", min_length=8)
    if ctx.session.scalar(select(User.id).where(User.username == username)) is not None:
        raise Conflict("error.duplicate", field="username", what="w.user")
    user = User(
        username=username, display_name=display_name or username, password_hash=hash_password(password),
        role=role.value, team_id=team_id, region_scope=region_scope, customer_id=customer_id,
        skills=skills or [], is_active=True, failed_logins=0, created_at=ctx.now(),
    )
    ctx.session.add(user)
    ctx.session.flush()
    ctx.audit("user.created", "user", user.id, username=username, role=role.value, region_scope=region_scope)
    return user
