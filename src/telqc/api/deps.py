"""Request dependencies: one session and one commit per request, the caller, and authorization.

``require(perm)`` is the only place a route states who may call it; the route × role
test reads the same declarations.
"""

from __future__ import annotations

import functools
import inspect
import logging
import typing
from collections.abc import Callable, Coroutine
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import Depends, Request, Response
from fastapi.responses import StreamingResponse
from fastapi.routing import APIRoute
from starlette.requests import HTTPConnection

from telqc.api.threads import in_thread
from telqc.core import auth, events
from telqc.core.context import Ctx
from telqc.core.errors import DomainError, Forbidden, Unauthenticated
from telqc.core.i18n import pick_language
from telqc.core.rbac import Perm, Principal
from telqc.jobs.dispatch import after_commit

log = logging.getLogger("telqc.events")
SESSION_COOKIE = "telqc_session"
LANG_COOKIE = "telqc_lang"


def request_language(request: HTTPConnection) -> str:
    """Pages are zh-CN unless the user picked English; API clients may also ask by Accept-Language."""
    scope = request.scope
    api = scope["path"].startswith(("/api/", "/tmf-api/"))
    accept = request.headers.get("accept-language") if api else None
    query = request.query_params.get("lang") if b"lang=" in scope.get("query_string", b"") else None
    return pick_language(query, request.cookies.get(LANG_COOKIE), accept)


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
    than the route wrapper that does the same work (`TxRoute`). Called again for the same request (by
    `require`), it answers the context it opened."""
    tx = _tx.get()
    if tx is not None and tx.request.scope is request.scope:
        return tx.ctx
    state = request.app.state
    ctx = Ctx(session=state.sessionmaker(), clock=state.clock, settings=state.settings,
              lang=request_language(request))
    request.state.ctx = ctx  # pages render their navigation for the caller (`telqc.web.render`)
    _tx.set(_Tx(request, ctx))
    return ctx


_REQUEST_PARAM = "telqc_request"


def _ctx_params(endpoint: Callable[..., Any]) -> list[str]:
    """The parameters of `endpoint` declared as `CtxDep` ([] if its annotations cannot be resolved here)."""
    try:
        hints = typing.get_type_hints(endpoint, include_extras=True)
    except (NameError, TypeError):  # e.g. a name imported for type checking only: FastAPI resolves CtxDep
        return []
    return [name for name, hint in hints.items()
            if name != "return" and any(getattr(a, "dependency", None) is get_ctx for a in typing.get_args(hint))]


def _route_endpoint(endpoint: Callable[..., Any]) -> Callable[..., Any]:
    """The endpoint FastAPI calls: it runs a sync route in a worker thread (`in_thread`), committing in the
    same thread when the route returns a finished Response, and hands the route its `CtxDep` itself.

    The commit saves the request one of its two thread hops. Only a finished Response qualifies: a model is
    still to be serialized (and may read the session), a streaming body is still to be produced. Handing
    over the context spares FastAPI solving one dependency per request (it takes the request instead)."""
    if inspect.isgeneratorfunction(endpoint) or inspect.isasyncgenfunction(endpoint):
        return endpoint
    sync = not inspect.iscoroutinefunction(endpoint)
    ctx_names = _ctx_params(endpoint)
    if not sync and not ctx_names:
        return endpoint

    def endpoint_then_commit(kwargs: dict[str, Any]) -> Any:
        result = endpoint(**kwargs)
        tx = _tx.get()
        if (tx is not None and not tx.done and isinstance(result, Response)
                and not isinstance(result, StreamingResponse)):
            tx.done = True
            _finish(tx.request, tx.ctx)
        return result

    sig, request_param = _signature_without(endpoint, ctx_names) if ctx_names else (None, "")

    async def run(**kwargs: Any) -> Any:
        if ctx_names:
            request = kwargs.pop(request_param) if request_param == _REQUEST_PARAM else kwargs[request_param]
            kwargs.update(dict.fromkeys(ctx_names, await get_ctx(request)))
        if sync:
            return await in_thread(endpoint_then_commit, kwargs)
        return await endpoint(**kwargs)

    functools.update_wrapper(run, endpoint)  # FastAPI reads endpoint's signature through __wrapped__ …
    if ctx_names:  # … unless the context parameters are to be replaced
        del run.__wrapped__  # type: ignore[attr-defined]
        run.__signature__ = sig  # type: ignore[attr-defined]
    return run


def _signature_without(endpoint: Callable[..., Any], ctx_names: list[str]) -> tuple[inspect.Signature, str]:
    """`endpoint`'s signature (annotations resolved, as `_ctx_params` could) without its context parameters,
    and the parameter that receives the request: its own, else one added (FastAPI fills only one)."""
    sig = inspect.signature(endpoint, eval_str=True)
    params = [p for name, p in sig.parameters.items() if name not in ctx_names]
    own = next((p.name for p in params if p.annotation is Request), None)
    if own is None:
        params.append(inspect.Parameter(_REQUEST_PARAM, inspect.Parameter.KEYWORD_ONLY, annotation=Request))
    return sig.replace(parameters=params), own or _REQUEST_PARAM


class TxRoute(APIRoute):
    """The route class of every TelQC router: one commit per request (see `get_ctx`, `_route_endpoint`).

    When the route is done (its answer serialized, not yet sent), the request's session commits, or rolls
    back on error unless the error must persist, and the event relay runs: in one thread hop, which a
    cancellation cannot cut short (`in_thread` waits for its thread), so a dropped client never leaves a
    transaction open. A sync route returning a finished Response has already committed in its own worker
    thread."""

    def __init__(self, path: str, endpoint: Callable[..., Any], **kwargs: Any) -> None:
        super().__init__(path, _route_endpoint(endpoint), **kwargs)

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
                    await in_thread(_abort, tx.ctx, exc)
                raise
            tx = _tx.get()
            if tx is not None and not tx.done:
                tx.done = True
                await in_thread(_finish, request, tx.ctx)
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
        principal = auth.recently_verified(ctx, token) or await in_thread(auth.resolve, ctx, token)
    if principal is None:
        raise Unauthenticated()
    ctx.principal = principal
    return principal


AUTHENTICATED = "authenticated"


def require(perm: Perm | None) -> Any:
    """Dependency marker: the caller must hold ``perm`` (or just be signed in when None).

    One dependency, not one per step (context, caller, check): each level of FastAPI's dependency solving
    costs the request more than the check itself."""

    # async: a pure check, so FastAPI runs it on the event loop instead of sending it to a worker thread;
    # it takes the request only (not CtxDep), which spares FastAPI solving a nested dependency
    async def dependency(request: Request) -> Principal:
        principal = await _caller(request, await get_ctx(request))
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
