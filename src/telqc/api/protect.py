"""Browser protections: the CSRF token of cookie-authenticated writes, and the security headers of every answer.

CSRF: a browser sends the session cookie with whatever a page on another site makes it send. SameSite=Lax
keeps the cookie off cross-site POSTs in current browsers; the token covers the rest (older browsers, a
sibling subdomain, which counts as same-site). The token is an HMAC of the session id under
``TELQC_SECRET_KEY``: nothing to store, valid as long as the session, and a page on another site cannot
read it. Pages carry it in ``<meta name="csrf-token">``, HTMX sends it as the ``X-CSRF-Token`` header
(``hx-headers`` on ``<body>``), plain forms as the ``csrf_token`` field. The login form, which has no
session yet, binds its token to a random pre-session cookie instead (against login CSRF: signing the
victim into the attacker's account). Bearer-token clients are not affected: a page on another site
cannot make a browser send an Authorization header.

Headers: a Content-Security-Policy without inline script (every script is a file under /static), so an
injected ``<script>`` or ``onerror=`` does not run; no framing (clickjacking); no full URLs in Referer
(order ids, search terms); no MIME sniffing; HSTS in production. Swagger UI and ReDoc load from a CDN and
start inline, so /docs and /redoc alone get a wider policy.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

from fastapi import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from telqc.core.errors import Forbidden

CSRF_HEADER = "x-csrf-token"
CSRF_FIELD = "csrf_token"
PRELOGIN_COOKIE = "telqc_login_csrf"
UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
_FORMS = ("application/x-www-form-urlencoded", "multipart/form-data")


def csrf_token(secret: str, binding: str) -> str:
    """The token of a session (``binding`` = its token) or of a pre-session cookie (``"login:" + value``)."""
    return hmac.new(secret.encode(), b"telqc-csrf\x00" + binding.encode(), hashlib.sha256).hexdigest()


def session_csrf_token(secret: str, session_token: str) -> str:
    return csrf_token(secret, "session:" + hashlib.sha256(session_token.encode()).hexdigest())


def login_csrf_token(secret: str, prelogin: str) -> str:
    return csrf_token(secret, "login:" + prelogin)


def new_prelogin_value() -> str:
    return secrets.token_urlsafe(24)


async def sent_token(request: Request) -> str | None:
    """The token the request carries: the header (HTMX, scripts) or the form field (plain forms)."""
    sent = request.headers.get(CSRF_HEADER)
    if sent is None and request.headers.get("content-type", "").startswith(_FORMS):
        value = (await request.form()).get(CSRF_FIELD)  # Starlette keeps the parsed form for the route
        sent = value if isinstance(value, str) else None
    return sent


def check(expected: str, sent: str | None) -> None:
    """Refuse (403) before the route runs, so nothing changes."""
    if sent is None or not hmac.compare_digest(sent.encode(), expected.encode()):
        raise Forbidden("error.csrf")


async def check_session_request(request: Request, session_token: str) -> None:
    """A state-changing request authenticated by the session cookie must carry that session's token."""
    if request.method in UNSAFE_METHODS:
        check(session_csrf_token(request.app.state.settings.secret_key, session_token), await sent_token(request))


class SameOriginWebSockets:
    """A WebSocket signed in by the session cookie must be opened by a page of this site.

    Form tokens do not reach a WebSocket handshake, and a page on any site may open one to us (the
    browser sends the cookie if SameSite lets it: a sibling subdomain is same-site), then stream turns into
    a live call or read the supervisors' alerts. Browsers always send ``Origin`` on a WebSocket; it must
    name the host the handshake went to. Clients without a cookie (call gateways with a bearer token) are
    not browsers and are not affected."""

    def __init__(self, app: ASGIApp, session_cookie: str) -> None:
        self.app = app
        self.cookie = session_cookie.encode() + b"="

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "websocket" and not self._same_origin(scope):
            await receive()  # websocket.connect
            await send({"type": "websocket.close", "code": 1008})  # before accept: the handshake gets 403
            return
        await self.app(scope, receive, send)

    def _same_origin(self, scope: Scope) -> bool:
        headers: dict[bytes, bytes] = dict(scope["headers"])
        origin, cookie = headers.get(b"origin"), headers.get(b"cookie", b"")
        if origin is None or self.cookie not in cookie:
            return True
        return origin.split(b"://", 1)[-1] == headers.get(b"host")


# --- security headers ---------------------------------------------------------------------------------------

CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; "
       "connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'")
# FastAPI's Swagger UI and ReDoc pages: scripts and styles from jsDelivr, an inline start script, Google fonts
# (ReDoc), a favicon from fastapi.tiangolo.com, ReDoc's web worker from a blob.
DOCS_CSP = ("default-src 'self'; script-src 'self' 'unsafe-inline' https://cdn.jsdelivr.net; "
            "style-src 'self' 'unsafe-inline' https://cdn.jsdelivr.net https://fonts.googleapis.com; "
            "img-src 'self' data: https://fastapi.tiangolo.com https://cdn.redoc.ly; "
            "font-src 'self' https://fonts.gstatic.com; worker-src 'self' blob:; connect-src 'self'; "
            "object-src 'none'; base-uri 'none'; frame-ancestors 'none'")
DOCS_PATHS = frozenset({"/docs", "/docs/oauth2-redirect", "/redoc"})
HSTS = "max-age=31536000; includeSubDomains"


def security_headers(path: str, production: bool) -> dict[str, str]:
    """The headers of an answer to ``path``; the 500 handler sets them too (it answers outside the middleware)."""
    headers = {
        "Content-Security-Policy": DOCS_CSP if path in DOCS_PATHS else CSP,
        "X-Frame-Options": "DENY",
        "Referrer-Policy": "strict-origin-when-cross-origin",
        "X-Content-Type-Options": "nosniff",
    }
    if production:  # only behind TLS: a browser that saw it refuses plain http to the host for a year
        headers["Strict-Transport-Security"] = HSTS
    return headers


def _raw(headers: dict[str, str]) -> list[tuple[bytes, bytes]]:
    return [(k.lower().encode("latin-1"), v.encode("latin-1")) for k, v in headers.items()]


class SecurityHeaders:
    """Adds `security_headers` to every HTTP answer that passes it: pages, API, static files, 404s, 422s.

    Plain ASGI, like `telqc.api.app.RememberLanguage` (BaseHTTPMiddleware costs a task group per request).
    A header the route set itself is kept."""

    def __init__(self, app: ASGIApp, production: bool) -> None:
        self.app = app
        self.default = _raw(security_headers("/", production))
        self.docs = {path: _raw(security_headers(path, production)) for path in DOCS_PATHS}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        extra = self.docs.get(scope["path"], self.default)

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", ()))
                present = {name.lower() for name, _ in headers}
                headers.extend(h for h in extra if h[0] not in present)
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, send_with_headers)
