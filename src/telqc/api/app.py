"""Application factory: one stateless web process serving API, TMF API and pages."""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter, Depends, FastAPI
from fastapi.staticfiles import StaticFiles
from starlette.datastructures import MutableHeaders, QueryParams
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send
from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware

import telqc
from telqc.api import admin, auth, customer360, deps, errors, protect
from telqc.api.body_limit import BodyLimit, upload_routes
from telqc.api.deps import LANG_COOKIE, SESSION_COOKIE
from telqc.core import pii
from telqc.core.clock import Clock, SystemClock
from telqc.core.db import make_engine, make_sessionmaker, write_gate
from telqc.core.i18n import LANGUAGES
from telqc.core.settings import Settings, get_settings
from telqc.domains import modules
from telqc.web import admin_pages, pages

STATIC = Path(__file__).resolve().parent.parent / "web" / "static"


HOT_API = "telqc.orders.api"
"""Matched first: FastAPI tries routes in order, and every work-order call (most of the API's traffic) would
otherwise pass the auth, admin, customer and contact routes on the way (no path of theirs overlaps it)."""


def routers() -> list[APIRouter]:
    """Every router the app serves, in matching order; the route × role authorization test walks this list."""
    apis = list(modules("api"))
    hot = [m.router for m in apis if m.__name__ == HOT_API]
    found = [*hot, auth.router, admin.router, customer360.router, *(m.router for m in apis if m.__name__ != HOT_API)]
    # a domain whose pages span several modules lists their routers in ROUTERS (orders: orders and repairs)
    found += [r for m in modules("pages") for r in getattr(m, "ROUTERS", [m.router])]
    return [*found, admin_pages.router, pages.router]


class RememberLanguage:
    """``?lang=en`` on any page sets the language cookie for the next visits.

    Plain ASGI rather than ``@app.middleware("http")``: Starlette's BaseHTTPMiddleware runs every request
    through an extra task group and memory streams, a measurable share of a small API request's CPU."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        lang = None
        if scope["type"] == "http" and b"lang=" in scope.get("query_string", b""):
            lang = QueryParams(scope["query_string"]).get("lang")
        if lang not in LANGUAGES:
            await self.app(scope, receive, send)
            return

        async def send_with_cookie(message: Message) -> None:
            if message["type"] == "http.response.start":
                cookie = Response()
                cookie.set_cookie(LANG_COOKIE, str(lang), samesite="lax", max_age=365 * 86400)
                headers = MutableHeaders(scope=message)
                for name, value in cookie.raw_headers:
                    if name == b"set-cookie":
                        headers.append("set-cookie", value.decode("latin-1"))
            await send(message)

        await self.app(scope, receive, send_with_cookie)


def create_app(settings: Settings | None = None, clock: Clock | None = None) -> FastAPI:
    settings = settings or get_settings()
    pii.configure(settings)
    app = FastAPI(
        title="TelQC API", version=telqc.__version__,
        description="TelQC 客户服务与服务质量管理平台 API · customer service and service-quality control",
        dependencies=[Depends(deps.clean_parameters)],
    )
    app.state.settings = settings
    app.state.clock = clock or SystemClock()
    app.state.engine = make_engine(settings.effective_database_url)
    app.state.sessionmaker = make_sessionmaker(app.state.engine)
    app.state.write_gate = write_gate(app.state.engine)  # SQLite: see telqc.core.db.WriteGate

    errors.install(app)

    served = routers()
    app.add_middleware(RememberLanguage)
    app.add_middleware(BodyLimit, max_bytes=settings.max_body_bytes, max_upload_bytes=settings.max_upload_bytes,
                       uploads=[r for router in served for r in upload_routes(router.routes)])
    app.add_middleware(protect.SecurityHeaders, production=settings.env == "production")
    app.add_middleware(protect.SameOriginWebSockets, session_cookie=SESSION_COOKIE)
    if settings.trusted_proxies.strip():  # the client is the peer, unless the peer is a proxy named here
        trusted = [h.strip() for h in settings.trusted_proxies.split(",") if h.strip()]
        app.add_middleware(ProxyHeadersMiddleware, trusted_hosts=trusted)
    for router in served:
        app.include_router(router)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    return app
