"""Error responses: field path and reason in the request's language; never a stack trace."""

from __future__ import annotations

import logging
import secrets
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from telqc.api import protect
from telqc.api.deps import request_language
from telqc.api.tmf621 import errors as tmf_errors
from telqc.core.errors import DomainError, Unauthenticated
from telqc.core.i18n import field_label, t, validation_message
from telqc.web.render import render_error

log = logging.getLogger("telqc.api")


BODY_UNPARSABLE = "There was an error parsing the body"
"""FastAPI's own 400 for a body json.loads raised on with something other than a JSONDecodeError (nesting past
the parser's stack, an integer of more than 4,300 digits, bytes that are not UTF-8): answered in the
request's language like every other error."""


def _is_page(request: Request) -> bool:
    path = request.url.path
    return not (path.startswith("/api/") or path.startswith("/tmf-api/") or path in ("/docs", "/openapi.json"))


def _is_form(request: Request) -> bool:
    """A person's request to a page: a link (GET), a plain HTML form post (the browser shows whatever comes back
    as the page) or an HTMX form post (its answer is swapped into the page). All of them are answered in HTML, in
    the reader's language; only a script's JSON call to a page path gets JSON."""
    kind = request.headers.get("content-type", "")
    return request.method == "GET" or "hx-request" in request.headers \
        or kind.startswith(("application/x-www-form-urlencoded", "multipart/form-data"))


def field_errors(errors: Any, lang: str) -> list[dict[str, Any]]:
    out = []
    for e in errors:
        loc = [str(p) for p in e.get("loc", ())]
        out.append({"loc": loc, "field": ".".join(loc), "msg": validation_message(e, lang), "type": e.get("type", "")})
    return out


def install(app: FastAPI) -> None:
    @app.exception_handler(RequestValidationError)
    async def _validation(request: Request, exc: RequestValidationError) -> Response:
        lang = request_language(request)
        if _is_page(request) and _is_form(request):
            # a person followed a bad link or sent a form: a page (or an HTMX fragment) naming the fields as the
            # form labels them
            fields = [{**f, "field": field_label(f["loc"], lang)} for f in field_errors(exc.errors(), lang)]
            return render_error(request, 422, "", fields=fields)
        return JSONResponse(
            {"detail": field_errors(exc.errors(), lang), "message": t("error.validation", lang)}, status_code=422
        )

    @app.exception_handler(DomainError)
    async def _domain(request: Request, exc: DomainError) -> Response:
        lang = request_language(request)
        if isinstance(exc, Unauthenticated) and _is_page(request):
            return RedirectResponse(f"/login?next={request.url.path}", status_code=303)
        msg = exc.message(lang)
        if exc.status == 422 and exc.field:
            loc = exc.field.split(".")
            body: dict[str, Any] = {"detail": [{"loc": loc, "field": exc.field, "msg": msg, "type": exc.key}],
                                    "message": msg}
        else:
            body = {"detail": msg, "code": exc.key, "field": exc.field, **exc.extra()}
        if _is_page(request) and (exc.status in (403, 404) or _is_form(request)):
            return render_error(request, exc.status, msg, headers=exc.headers())
        return JSONResponse(body, status_code=exc.status, headers=exc.headers())

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> Response:
        lang = request_language(request)
        detail = exc.detail if isinstance(exc.detail, str) else str(exc.detail)
        if exc.status_code == 404:
            detail = t("error.not_found", lang, what=request.url.path)
        elif exc.status_code == 400 and detail == BODY_UNPARSABLE:
            detail = t("error.bad_body", lang)
        if tmf_errors.is_tmf(request.url.path):  # no route or method here: still a TMF630 body
            return tmf_errors.response(exc.status_code, f"http.{exc.status_code}", detail, lang, headers=exc.headers)
        if _is_page(request) and exc.status_code == 404 and not request.url.path.startswith("/static/"):
            return render_error(request, 404, "")
        return JSONResponse({"detail": detail}, status_code=exc.status_code, headers=exc.headers)

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> Response:
        ref = secrets.token_hex(4)
        log.exception("unhandled error ref=%s path=%s", ref, request.url.path)
        # answered by Starlette's outermost middleware, past `protect.SecurityHeaders`: the headers are set here
        headers = protect.security_headers(request.url.path, request.app.state.settings.env == "production")
        lang = request_language(request)
        if tmf_errors.is_tmf(request.url.path):
            return tmf_errors.response(500, "error.internal", t("error.internal", lang, ref=ref), lang,
                                       headers=headers)
        return JSONResponse({"detail": t("error.internal", lang, ref=ref)}, status_code=500, headers=headers)
