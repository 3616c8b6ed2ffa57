"""Request dependencies: one session and one commit per request, the caller, and authorization.

``require(perm)`` is the only place a route states who may call it; the route × role
test reads the same declarations.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from typing import Annotated, Any

from fastapi import Depends, Request

from telqc.core import auth, events
from telqc.core.context import Ctx
from telqc.core.errors import DomainError, Forbidden, Unauthenticated
from telqc.core.i18n import pick_language
from telqc.core.rbac import Perm, Principal
from telqc.jobs.dispatch import after_commit

log = logging.getLogger("telqc.events")
SESSION_COOKIE = "telqc_session"
LANG_COOKIE = "telqc_lang"


def request_language(request: Request) -> str:
    """Pages are zh-CN unless the user picked English; API clients may also ask by Accept-Language."""
    api = request.url.path.startswith(("/api/", "/tmf-api/"))
    accept = request.headers.get("accept-language") if api else None
    return pick_language(request.query_params.get("lang"), request.cookies.get(LANG_COOKIE), accept)


def get_ctx(request: Request) -> Iterator[Ctx]:
    """Commit once when the route returns; roll back on error unless the error must persist."""
    state = request.app.state
    session = state.sessionmaker()
    ctx = Ctx(session=session, clock=state.clock, settings=state.settings, lang=request_language(request))
    request.state.ctx = ctx
    try:
        yield ctx
        emitted = events.pending_in(session)
        session.commit()
        if emitted:
            try:
                after_commit(state.sessionmaker, state.clock, state.settings)
            except Exception:
                log.exception("event delivery after commit failed; the relay will retry")
    except DomainError as e:
        if e.persist:
            session.commit()
        else:
            session.rollback()
        raise
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


CtxDep = Annotated[Ctx, Depends(get_ctx, scope="function")]


def _token(request: Request) -> str | None:
    header = request.headers.get("authorization", "")
    if header.lower().startswith("bearer "):
        return header[7:].strip()
    return request.cookies.get(SESSION_COOKIE)


def current_principal(request: Request, ctx: CtxDep) -> Principal:
    token = _token(request)
    principal = auth.resolve(ctx, token) if token else None
    if principal is None:
        raise Unauthenticated()
    ctx.principal = principal
    return principal


AUTHENTICATED = "authenticated"


def require(perm: Perm | None) -> Any:
    """Dependency marker: the caller must hold ``perm`` (or just be signed in when None)."""

    def dependency(principal: Annotated[Principal, Depends(current_principal, scope="function")]) -> Principal:
        if perm is not None and not principal.can(perm):
            raise Forbidden(permission=perm.value)
        return principal

    dependency.telqc_permission = perm.value if perm else AUTHENTICATED  # type: ignore[attr-defined]
    return Depends(dependency, scope="function")


def route_permission(route: Any) -> str | None:
    """The permission a route declares through ``require`` (None: public)."""
    stack = list(getattr(route, "dependant", None).dependencies) if getattr(route, "dependant", None) else []
    while stack:
        dep = stack.pop()
        perm = getattr(dep.call, "telqc_permission", None)
        if perm is not None:
            return str(perm)
        stack.extend(dep.dependencies)
    return None


def set_etag(response: Any, version: int) -> None:
    """Weak ETag of a versioned row; clients send it back in If-Match."""
    response.headers["ETag"] = f'W/"{version}"'


def if_match_version(value: str | None) -> int | None:
    """The version an ``If-Match: W/"7"`` header names; an unparsable one matches nothing (-1 → 412)."""
    if value is None:
        return None
    digits = value.removeprefix("W/").strip('"')
    return int(digits) if digits.isdigit() else -1
