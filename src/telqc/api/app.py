"""Application factory: one stateless web process serving API, TMF API and pages."""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter, FastAPI, Request, Response
from fastapi.staticfiles import StaticFiles
from starlette.middleware.base import RequestResponseEndpoint

import telqc
from telqc.api import admin, auth, errors
from telqc.api.deps import LANG_COOKIE
from telqc.core import pii
from telqc.core.clock import Clock, SystemClock
from telqc.core.db import make_engine, make_sessionmaker
from telqc.core.i18n import LANGUAGES
from telqc.core.settings import Settings, get_settings
from telqc.domains import modules
from telqc.web import pages

STATIC = Path(__file__).resolve().parent.parent / "web" / "static"


def routers() -> list[APIRouter]:
    """Every router the app serves; the route × role authorization test walks this list."""
    found = [auth.router, admin.router]
    found += [m.router for m in modules("api")]
    found += [m.router for m in modules("pages")]
    return [*found, pages.router]


def create_app(settings: Settings | None = None, clock: Clock | None = None) -> FastAPI:
    settings = settings or get_settings()
    pii.configure(settings)
    app = FastAPI(
        title="TelQC API", version=telqc.__version__,
        description="TelQC 客户服务与服务质量管理平台 API · customer service and service-quality control",
    )
    app.state.settings = settings
    app.state.clock = clock or SystemClock()
    app.state.engine = make_engine(settings.effective_database_url)
    app.state.sessionmaker = make_sessionmaker(app.state.engine)

    errors.install(app)

    @app.middleware("http")
    async def remember_language(request: Request, call_next: RequestResponseEndpoint) -> Response:
        response = await call_next(request)
        lang = request.query_params.get("lang")
        if lang in LANGUAGES:
            response.set_cookie(LANG_COOKIE, lang, samesite="lax", max_age=365 * 86400)
        return response

    for router in routers():
        app.include_router(router)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    return app
