"""Request dependencies: one session and one commit per request, the caller, and authorization.

``require(perm)`` is the only place a route states who may call it; the route × role
test reads the same declarations.
"""

from __future__ import annotations

import functools
import inspect
import logging
from collections.abc import Callable, Coroutine
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Annotated, Any

import anyio
from fastapi import Depends, Request, Response
from fastapi.responses import StreamingResponse
from fastapi.routing import APIRoute
from starlette.concurrency import run_in_threadpool

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


@dataclass
class _Tx:
    request: Request
    ctx: Ctx
    done: bool = False


# The request's transaction, for the route wrapper below (worker threads get a copy of the request's context).
_tx: ContextVar[_Tx | None] = ContextVar("telqc_tx", default=None)


async def get_ctx(request: Request) -> Ctx:
    """The request's context and session; `TxRoute` commits or rolls it back when the route is done.

    Async so that opening costs no worker thread (a Session connects on first use). A plain function, not
    a dependency with yield: FastAPI's exit stack, cancel scope and shielded exit cost more per request
    than the route wrapper that does the same work (`TxRoute`)."""
    state = request.app.state
    ctx = Ctx(session=state.sessionmaker(), clock=state.clock, settings=state.settings,
              lang=request_language(request))
    request.state.ctx = ctx  # pages render their navigation for the caller (`telqc.web.render`)
    _tx.set(_Tx(request, ctx))
    return ctx


def _commit_on_return(endpoint: Callable[..., Any]) -> Callable[..., Any]:
    """Wrap a sync route so that, when it returns a finished Response, it commits in the same worker thread.

    Saves the request one of its two thread hops. Only a finished Response qualifies: a model is still to
    be serialized (and may read the session), a streaming body is still to be produced."""
    if inspect.iscoroutinefunction(endpoint) or inspect.isgeneratorfunction(endpoint):
        return endpoint

    @functools.wraps(endpoint)
    def run(*args: Any, **kwargs: Any) -> Any:
        result = endpoint(*args, **kwargs)
        tx = _tx.get()
        if (tx is not None and not tx.done and isinstance(result, Response)
                and not isinstance(result, StreamingResponse)):
            tx.done = True
            _finish(tx.request, tx.ctx)
        return result

    return run  # FastAPI reads the signature and annotations of `endpoint` through __wrapped__


class TxRoute(APIRoute):
    """The route class of every TelQC router: one commit per request (see `get_ctx`, `_commit_on_return`).

    When the route is done (its answer serialized, not yet sent), the request's session commits, or rolls
    back on error unless the error must persist, and the event relay runs: in one thread hop, shielded
    from cancellation so a dropped client never leaves a transaction open. A sync route returning a
    finished Response has already committed in its own worker thread."""

    def __init__(self, path: str, endpoint: Callable[..., Any], **kwargs: Any) -> None:
        super().__init__(path, _commit_on_return(endpoint), **kwargs)

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def run(request: Request) -> Response:
            _tx.set(None)
            try:
                response = await handler(request)
            except BaseException as exc:
                tx = _tx.get()
                if tx is not None and not tx.done:
                    tx.done = True
                    with anyio.CancelScope(shield=True):
                        await run_in_threadpool(_abort, tx.ctx, exc)
                raise
            tx = _tx.get()
            if tx is not None and not tx.done:
                tx.done = True
                with anyio.CancelScope(shield=True):
                    await run_in_threadpool(_finish, request, tx.ctx)
            return response

        return run


def _finish(request: Request, ctx: Ctx) -> None:
    state = request.app.state
    session = ctx.session
    try:
        emitted = events.pending_in(session)
        session.commit()
    except BaseException:
        session.rollback()
        session.close()
        raise
    session.close()
    if emitted:
        try:
            after_commit(state.sessionmaker, state.clock, state.settings)
        except Exception:
            log.exception("event delivery after commit failed; the relay will retry")


def _abort(ctx: Ctx, exc: BaseException) -> None:
    session = ctx.session
    try:
        if isinstance(exc, DomainError) and exc.persist:
            session.commit()
        else:
            session.rollback()
    finally:
        session.close()


CtxDep = Annotated[Ctx, Depends(get_ctx)]


def _token(request: Request) -> str | None:
    header = request.headers.get("authorization", "")
    if header.lower().startswith("bearer "):
        return header[7:].strip()
    return request.cookies.get(SESSION_COOKIE)


async def _caller(request: Request, ctx: Ctx) -> Principal:
    """Async so that a token verified moments ago costs no worker-thread hop; otherwise one lookup."""
    token = _token(request)
    principal = None
    if token:
        principal = auth.recently_verified(ctx, token) or await run_in_threadpool(auth.resolve, ctx, token)
    if principal is None:
        raise Unauthenticated()
    ctx.principal = principal
    return principal


AUTHENTICATED = "authenticated"


def require(perm: Perm | None) -> Any:
    """Dependency marker: the caller must hold ``perm`` (or just be signed in when None).

    One dependency, not one per step (context, caller, check): each level of FastAPI's dependency solving
    costs the request more than the check itself."""

    # async: a pure check, so FastAPI runs it on the event loop instead of sending it to a worker thread
    async def dependency(request: Request, ctx: CtxDep) -> Principal:
        principal = await _caller(request, ctx)
        if perm is not None and not principal.can(perm):
            raise Forbidden(permission=perm.value)
        return principal

    dependency.telqc_permission = perm.value if perm else AUTHENTICATED  # type: ignore[attr-defined]
    return Depends(dependency)


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
