"""Request dependencies: the request's unit of work (one commit per request), the caller, and authorization.

``require(perm)`` is the only place a route states who may call it; the route × role
test reads the same declarations.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import nullcontext
from typing import Annotated, Any, TypeVar

from fastapi import Depends, Path, Query, Request
from fastapi.exceptions import RequestValidationError, WebSocketRequestValidationError
from pydantic_core import PydanticCustomError
from starlette.concurrency import run_in_threadpool
from starlette.requests import HTTPConnection

from telqc.api import protect
from telqc.core import auth
from telqc.core.context import Ctx
from telqc.core.errors import DomainError, Forbidden, Unauthenticated
from telqc.core.i18n import pick_language
from telqc.core.rbac import Perm, Principal
from telqc.core.schemas import MAX_INT, refuse_unsafe_characters
from telqc.core.uow import UnitOfWork
from telqc.jobs.dispatch import after_commit

T = TypeVar("T")
SESSION_COOKIE = "telqc_session"
LANG_COOKIE = "telqc_lang"


def request_language(request: HTTPConnection) -> str:
    """Pages are zh-CN unless the user picked English; API clients may also ask by Accept-Language."""
    scope = request.scope
    api = scope["path"].startswith(("/api/", "/tmf-api/"))
    accept = request.headers.get("accept-language") if api else None
    query = request.query_params.get("lang") if b"lang=" in scope.get("query_string", b"") else None
    return pick_language(query, request.cookies.get(LANG_COOKIE), accept)


async def open_ctx(request: Request) -> AsyncIterator[Ctx]:
    """The request's unit of work: committed when the route is done, rolled back if it raised.

    A FastAPI dependency with yield, declared with ``scope="function"`` (`CtxDep`): its exit runs after the
    route returned and its answer was serialized, before the answer is sent, so a client never reads a
    201 that did not commit. Async, so that opening it costs no worker thread (a session connects on first
    use); the commit, which blocks, runs in Starlette's thread pool. An error that must persist what it
    wrote (a failed login attempt, ``persist=True``) commits, then goes on to its error response. After
    the commit the relay is woken for the events and audit entries it wrote (`telqc.jobs.dispatch`)."""
    state = request.app.state
    gate = state.write_gate  # SQLite: one unit of work at a time, waited for without a thread (core.db.WriteGate)
    async with gate.hold() if gate is not None else nullcontext():
        ctx = Ctx(uow=UnitOfWork(state.sessionmaker()), clock=state.clock, settings=state.settings,
                  lang=request_language(request))
        request.state.ctx = ctx  # pages render their navigation for the caller (`telqc.web.render`)
        try:
            yield ctx
        except BaseException as exc:
            if not ctx.uow.closed:
                await run_in_threadpool(_end, request, ctx, isinstance(exc, DomainError) and exc.persist)
            raise
        if not ctx.uow.closed:  # an async route that used `run_and_commit` has committed already
            await run_in_threadpool(_end, request, ctx, True)


def _end(request: Request, ctx: Ctx, commit: bool) -> None:
    state = request.app.state
    written: frozenset[str] = frozenset()
    try:
        if commit:
            written = ctx.uow.commit()
        else:
            ctx.uow.rollback()
    finally:
        ctx.uow.close()
    after_commit(written, state.sessionmaker, state.clock, state.settings)


async def run_and_commit(request: Request, ctx: Ctx, work: Callable[[], T]) -> T:
    """For an `async` route: run its work, then commit the request's unit of work, in one worker thread.

    A sync route costs two thread hops, its own and the commit's in `open_ctx`'s exit; this is one, which the
    hot work-order writes take (about 250,000 instructions less per request: `bench/request_hops.py`). If
    `work` raises, nothing is committed and `open_ctx` rolls back as for any route."""
    return await run_in_threadpool(_work_then_commit, request, ctx, work)


def _work_then_commit(request: Request, ctx: Ctx, work: Callable[[], T]) -> T:
    result = work()
    _end(request, ctx, True)
    return result


async def run_gated(conn: HTTPConnection, work: Callable[..., T], *args: Any) -> T:
    """Blocking database work outside a request's unit of work (a WebSocket's): in a worker thread, and on
    SQLite through the write gate every request passes (`open_ctx`), waited for on the event loop.

    Without the gate such work waits for SQLite's write lock in the busy handler, holding a worker thread the
    request that holds the lock may need to commit (`tests/inspection/test_live_sqlite_gate.py`)."""
    gate = conn.app.state.write_gate
    async with gate.hold() if gate is not None else nullcontext():
        return await run_in_threadpool(work, *args)


CtxDep = Annotated[Ctx, Depends(open_ctx, scope="function")]

IdPath = Annotated[int, Path(ge=1, le=MAX_INT)]
"""A row id in the path: one the database cannot hold is a 422 naming it (issue 17), not an OverflowError."""
IdQuery = Annotated[int | None, Query(ge=1, le=MAX_INT)]
OffsetQuery = Annotated[int, Query(ge=0, le=MAX_INT)]


def _bearer(request: Request) -> bool:
    return request.headers.get("authorization", "").lower().startswith("bearer ")


def _token(request: Request) -> str | None:
    if _bearer(request):
        return request.headers["authorization"][7:].strip()
    return request.cookies.get(SESSION_COOKIE)


async def _caller(request: Request, ctx: Ctx) -> Principal:
    """Async so that a token verified moments ago costs no worker-thread hop; otherwise one lookup.

    A write signed in by the session cookie must carry the session's CSRF token (`telqc.api.protect`):
    the browser sends the cookie whoever made the page; a bearer header only the client itself."""
    token = _token(request)
    principal = None
    if token:
        principal = auth.recently_verified(ctx, token) or await run_in_threadpool(auth.resolve, ctx, token)
    if principal is None:
        raise Unauthenticated()
    if token and not _bearer(request):
        await protect.check_session_request(request, token)
    ctx.principal = principal
    return principal


AUTHENTICATED = "authenticated"


def require(perm: Perm | None) -> Any:
    """Dependency marker: the caller must hold ``perm`` (or just be signed in when None)."""

    # async: a check, so FastAPI runs it on the event loop instead of sending it to a worker thread
    async def dependency(request: Request, ctx: CtxDep) -> Principal:
        principal = await _caller(request, ctx)
        if perm is not None and not principal.can(perm):
            raise Forbidden(permission=perm.value)
        return principal

    # read by route_permission(); set through vars(), as a type checker knows no attributes of a function
    vars(dependency)["telqc_permission"] = perm.value if perm else AUTHENTICATED
    return Depends(dependency)


def route_permission(route: Any) -> str | None:
    """The permission a route declares through ``require`` (None: public)."""
    dependant = getattr(route, "dependant", None)
    stack = list(dependant.dependencies) if dependant else []
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


def clean_parameters(request: HTTPConnection) -> None:
    """Query and path parameters hold no unsafe character (`core.textchars`), like every text field of a body
    (`core.schemas.In`):
    a NUL in `?status=` reached PostgreSQL as a driver error, a 500 (issue 17). Installed on the app as a
    dependency of every route; the 422 names the parameter."""
    for where, items in (("query", request.query_params.multi_items()), ("path", list(request.path_params.items()))):
        for name, value in items:
            try:
                refuse_unsafe_characters(str(value))
            except PydanticCustomError as exc:
                error = [{"loc": (where, name), "msg": exc.message(), "type": exc.type, "input": value}]
                if request.scope["type"] == "websocket":  # closed with 1008 (policy violation) by FastAPI
                    raise WebSocketRequestValidationError(error) from None
                raise RequestValidationError(error) from None
