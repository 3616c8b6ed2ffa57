"""Server-rendered pages (Jinja2 + HTMX). They call the same services as the API."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import ValidationError

from telqc.api import customer360, protect
from telqc.api.auth import SignIn
from telqc.api.deps import SESSION_COOKIE, CtxDep, IdPath, _token, require
from telqc.core import auth
from telqc.core.errors import DomainError, Invalid, Locked, NotFound
from telqc.core.rbac import Perm, Principal, Role
from telqc.customers import service as customers
from telqc.customers.schemas import VerifyIn
from telqc.insight import campaigns as retention_tasks
from telqc.insight import retention
from telqc.insight import service as insight
from telqc.orders import pages as order_pages
from telqc.web import home
from telqc.web.render import render, validation_text

router = APIRouter(include_in_schema=False)


def _safe_next(value: str | None) -> str:
    return value if value and value.startswith("/") and not value.startswith("//") else "/"


def _login_form(request: Request, status_code: int = 200, **context: object) -> Response:
    """The login page with its CSRF token, bound to a pre-session cookie (set here if the browser has none)."""
    settings = request.app.state.settings
    prelogin = request.cookies.get(protect.PRELOGIN_COOKIE) or protect.new_prelogin_value()
    resp = render(request, "login.html", status_code=status_code,
                  csrf_token=protect.login_csrf_token(settings.secret_key, prelogin), **context)
    resp.set_cookie(protect.PRELOGIN_COOKIE, prelogin, httponly=True, samesite="strict", path="/login",
                    max_age=24 * 3600, secure=settings.env == "production")
    return resp


@router.get("/login", response_class=HTMLResponse)
def login_page(request: Request, next: str = "/") -> Response:
    return _login_form(request, next=_safe_next(next), error=None)


@router.post("/login")
def login_submit(
    request: Request, ctx: CtxDep, username: Annotated[str, Form()], password: Annotated[str, Form()],
    next: Annotated[str, Form()] = "/", csrf_token: Annotated[str | None, Form()] = None,
) -> Response:
    prelogin = request.cookies.get(protect.PRELOGIN_COOKIE)
    try:
        # a page on another site must not sign the browser in (into the attacker's account, say)
        protect.check(protect.login_csrf_token(ctx.settings.secret_key, prelogin or ""),
                      csrf_token if prelogin else None)
        creds = SignIn.model_validate({"username": username, "password": password})  # the text policy
        token, expires = auth.login(ctx, creds.username, creds.password,
                                    request.client.host if request.client else None)
    except ValidationError as e:  # refused before anything is counted or stored
        return _login_form(request, status_code=422, next=_safe_next(next), error=validation_text(e, ctx.lang))
    except DomainError as e:  # answered as a page, so the request commits what must persist (failed attempts)
        resp = _login_form(request, status_code=e.status, next=_safe_next(next), error=e.message(ctx.lang))
        resp.headers.update(e.headers())
        return resp
    resp = RedirectResponse(_safe_next(next), status_code=303)
    # max_age, not an absolute date: the server's clock decides expiry, not the browser's.
    max_age = int((expires - ctx.now()).total_seconds())
    resp.set_cookie(SESSION_COOKIE, token, httponly=True, samesite="lax", max_age=max_age,
                    secure=ctx.settings.env == "production")
    resp.delete_cookie(protect.PRELOGIN_COOKIE, path="/login")
    return resp


@router.post("/logout")
def logout(request: Request, ctx: CtxDep, _: Annotated[Principal, require(None)]) -> Response:
    tok = _token(request)
    if tok:
        auth.logout(ctx, tok)
    resp = RedirectResponse("/login", status_code=303)
    resp.delete_cookie(SESSION_COOKIE)
    return resp


@router.get("/", response_class=HTMLResponse)
def home_page(request: Request, ctx: CtxDep, _: Annotated[Principal, require(None)]) -> Response:
    """工作台: the caller's to-do list for the day (`telqc.web.home`)."""
    return render(request, "home.html", home=home.view(ctx), now=ctx.now(), sla_class=order_pages.sla_class,
                  remaining=order_pages.remaining)


@router.get("/customers", response_class=HTMLResponse)
def customers_page(request: Request, ctx: CtxDep, _: Annotated[Principal, require(Perm.customers_read)],
                   phone: str | None = None) -> Response:
    found = customers.present(ctx, customers.search(ctx, phone=phone)) if phone else None
    return render(request, "customers.html", customers=found, phone=phone)


@router.get("/customers/results", response_class=HTMLResponse)
def customers_results(request: Request, ctx: CtxDep, _: Annotated[Principal, require(Perm.customers_read)],
                      phone: str = "") -> Response:
    found = customers.present(ctx, customers.search(ctx, phone=phone)) if phone.strip() else []
    return render(request, "customer_rows.html", customers=found)


@router.get("/customers/{customer_id}", response_class=HTMLResponse)
def customer_page(request: Request, ctx: CtxDep, customer_id: IdPath,
                  p: Annotated[Principal, require(Perm.customers_read)],
                  verify: Annotated[str | None, Query(pattern="^(ok|failed|locked|not_found|invalid)$")] = None,
                  ) -> Response:
    view = customer360.view(ctx, customer_id)
    latest = view.recent_contacts[0].id if view.recent_contacts else None
    state = customers.verification_state(ctx, customer_id, latest) if p.can(Perm.customers_verify) else None
    return render(request, "customer_360.html", view=view, verification=state, verify_msg=verify,
                  verify_next=f"/customers/{customer_id}", profile=insight.profile(ctx, customer_id),
                  retention=retention_tasks.my_tasks(ctx, include_done=False, customer_id=customer_id)
                  if p.can(Perm.insight_tasks) and p.role is Role.agent else [],
                  retention_actions=retention.ACTION_LABELS)


_VERIFY_OUTCOME = {Locked: "locked", NotFound: "not_found", Invalid: "failed"}


@router.post("/contacts/{contact_id}/verify")
def verify_submit(request: Request, ctx: CtxDep, contact_id: IdPath,
                  _: Annotated[Principal, require(Perm.customers_verify)], phone: Annotated[str, Form()],
                  method: Annotated[str, Form()], secret: Annotated[str, Form()],
                  next: Annotated[str, Form()] = "/") -> Response:
    """The verification control of the order and customer pages: the API's check, then back to the page.

    A failed attempt is committed (it counts towards the lockout) like the API's ``persist`` errors."""
    secret_field = "service_password" if method == "service_password" else "id_last4"
    try:
        body = VerifyIn.model_validate({"phone": phone.strip(), secret_field: secret.strip()})
        customers.verify_identity(ctx, contact_id, body)
        outcome = "ok"
    except ValidationError:
        outcome = "invalid"
    except (Locked, NotFound, Invalid) as e:
        if not e.persist:
            ctx.uow.rollback()
        outcome = _VERIFY_OUTCOME[type(e)]
    target = _safe_next(next)
    sep = "&" if "?" in target else "?"
    return RedirectResponse(f"{target}{sep}verify={outcome}#verify", status_code=303)


@router.get("/my", response_class=HTMLResponse)
def my_page(request: Request, ctx: CtxDep, p: Annotated[Principal, require(Perm.self_read)]) -> Response:
    if p.customer_id is None:
        raise NotFound(what="w.customer")
    return render(request, "customer_360.html", view=customer360.view(ctx, p.customer_id),
                  profile=insight.profile(ctx, p.customer_id))
