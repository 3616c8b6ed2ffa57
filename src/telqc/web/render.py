"""Template rendering with the request's language and the signed-in user's navigation."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates
from jinja2 import pass_context
from jinja2.runtime import Context
from markupsafe import Markup
from pydantic import ValidationError

from telqc.api import protect
from telqc.api.deps import SESSION_COOKIE, request_language
from telqc.core import display
from telqc.core.context import Ctx
from telqc.core.errors import DomainError
from telqc.core.i18n import MESSAGES, field_label, t, validation_message
from telqc.core.rbac import Perm, Principal
from telqc.domains import modules
from telqc.web import audit_messages
from telqc.web import messages as web_messages

MESSAGES.update(web_messages.MESSAGES)
MESSAGES.update(audit_messages.MESSAGES)

templates = Jinja2Templates(directory=str(Path(__file__).parent / "templates"))
display.install(templates.env)


@pass_context
def local_hm(context: Context, value: Any) -> str:
    """The time of day alone, in the viewer's zone (the end of a slot whose date the start already shows)."""
    return display.viewer_in(context).time(value, "%H:%M") if value is not None else ""


templates.env.filters["local_hm"] = local_hm


def viewer_of(request: Request) -> display.Viewer:
    """Who reads the page: language, time zone (the viewer's ``telqc_tz`` cookie, else the operator's zone,
    Beijing by default) and the request's session for names (people, teams, regions)."""
    ctx = getattr(request.state, "ctx", None)
    settings = request.app.state.settings
    tz = display.zone(request.cookies.get(display.TZ_COOKIE), settings.timezone)
    return display.Viewer(request_language(request), tz, ctx.session if ctx else None)


@pass_context
def csrf_field(context: Context) -> Markup:
    """``{{ csrf_field() }}`` in every ``<form method="post">``: the token a plain form sends (`telqc.api.protect`)."""
    return Markup('<input type="hidden" name="csrf_token" value="{}">').format(context.get("csrf_token", ""))


templates.env.globals["csrf_field"] = csrf_field

# (permission needed, link, label key); None means any signed-in user.
NAV: list[tuple[Perm | None, str, str]] = [
    (None, "/", "ui.home"),
    (Perm.customers_read, "/customers", "ui.customers"),
    (Perm.self_read, "/my", "ui.my_account"),
    (Perm.users_read, "/users", "ui.users"),
    (Perm.audit_read, "/audit", "ui.audit"),
]


# Items the header shows inline; more fold into 更多. Seven keep the admin's header on one line at 1366 px
# (tests/web/test_role_flows.py measures it).
NAV_INLINE = 7


def _all_nav() -> list[tuple[Perm | None, str, str]]:
    extra = [item for m in modules("pages") for item in getattr(m, "NAV", [])]
    return [*NAV[:2], *extra, *NAV[2:]]


def nav_for(principal: Principal | None) -> list[tuple[str, str]]:
    if principal is None:
        return []
    return [(href, key) for perm, href, key in _all_nav() if perm is None or principal.can(perm)]


def render(request: Request, name: str, status_code: int = 200, **context: Any) -> HTMLResponse:
    lang = request_language(request)
    ctx = getattr(request.state, "ctx", None)
    principal = ctx.principal if ctx else None

    def _(key: str, **kw: Any) -> str:
        return t(key, lang, **kw)

    base = {"_": _, "lang": lang, "principal": principal, "nav": nav_for(principal), "nav_inline": NAV_INLINE,
            "path": request.url.path,
            "csrf_token": _csrf_token(request), "viewer": context.pop("viewer", None) or viewer_of(request)}
    return templates.TemplateResponse(request, name, {**base, **context}, status_code=status_code)


def _csrf_token(request: Request) -> str:
    """The session's CSRF token for the page's forms and HTMX requests (`telqc.api.protect`); the login page
    passes its pre-session one."""
    session = request.cookies.get(SESSION_COOKIE)
    return protect.session_csrf_token(request.app.state.settings.secret_key, session) if session else ""


def render_error(request: Request, status: int, message: str, fields: list[dict[str, Any]] | None = None,
                 headers: dict[str, str] | None = None) -> HTMLResponse:
    """An error page in the reader's language: what happened and what to do next (never a permission code). An
    HTMX request gets the same words as a fragment for the element that asked."""
    page = "error_fragment.html" if "hx-request" in request.headers else "error.html"
    resp = render(request, page, status_code=status, status=status, message=message, fields=fields or [])
    if headers:
        resp.headers.update(headers)
    return resp


def validation_text(e: ValidationError, lang: str) -> str:
    """A form's first invalid field as a person reads it: "标题：长度不能少于 5", not pydantic's English."""
    err = e.errors()[0]
    label = field_label(err.get("loc", ()), lang)
    msg = validation_message(err, lang)
    return (f"{label}：{msg}" if lang == "zh-CN" else f"{label}: {msg}") if label else msg


def form_error(e: ValidationError | DomainError, lang: str) -> tuple[str, int]:
    """A form's refusal as the page shows it: the message in the reader's language and the status to answer."""
    if isinstance(e, ValidationError):
        return validation_text(e, lang), 422
    return e.message(lang), e.status


def form_action(ctx: Ctx, action: Callable[[], Any], then: Callable[[Any], str],
                page: Callable[[str, int], Response],
                message: Callable[[ValidationError | DomainError, str], tuple[str, int]] = form_error) -> Response:
    """Run a form's service call: on success redirect (303) to ``then(result)``; on a refusal roll back (unless the
    error asks to keep what it wrote, ``persist``) and re-render the page with the message. A 404 stays a 404."""
    try:
        result = action()
    except (ValidationError, DomainError) as e:
        if isinstance(e, DomainError) and e.status == 404:
            raise
        if not (isinstance(e, DomainError) and e.persist):
            ctx.uow.rollback()
        return page(*message(e, ctx.lang))
    return RedirectResponse(then(result), status_code=303)
