"""Refuse request bodies above a size cap with 413, before the app reads them whole.

Without a cap a 60 MB JSON body was read and parsed before a field-length error (issue 17). The check
looks at Content-Length first and also counts the bytes of streamed (chunked) bodies, so a client cannot
slip past it by leaving the header out. Routes that take a file (``UploadFile``: call and sample imports)
get their own, larger cap, chosen by the route the request is for, not by the client's Content-Type: any
body labelled ``multipart/form-data`` used to get 64 MiB on every route. Under /tmf-api the 413 is a TMF630
error body. Plain ASGI for the same reason as ``app.RememberLanguage``."""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence

from fastapi.dependencies.models import Dependant
from fastapi.params import File
from fastapi.routing import APIRoute
from starlette.requests import HTTPConnection
from starlette.routing import BaseRoute, Match
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from telqc.api.deps import request_language
from telqc.api.tmf621 import errors as tmf_errors
from telqc.core.i18n import t


def _takes_file(dependant: Dependant) -> bool:
    return any(isinstance(p.field_info, File) for p in dependant.body_params) \
        or any(_takes_file(d) for d in dependant.dependencies)


def upload_routes(routes: Iterable[BaseRoute]) -> list[APIRoute]:
    """The routes with a file parameter: the only ones a body up to the upload cap is for."""
    return [r for r in routes if isinstance(r, APIRoute) and _takes_file(r.dependant)]


class BodyLimit:
    def __init__(self, app: ASGIApp, max_bytes: int, max_upload_bytes: int,
                 uploads: Sequence[APIRoute] = ()) -> None:
        self.app = app
        self.max_bytes = max_bytes
        self.max_upload_bytes = max_upload_bytes
        self.uploads = tuple(uploads)

    def _cap(self, scope: Scope) -> int:
        if any(route.matches(scope)[0] is Match.FULL for route in self.uploads):
            return self.max_upload_bytes
        return self.max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        cap = self._cap(scope)
        for name, value in scope.get("headers", []):
            if name == b"content-length" and value.isdigit() and int(value) > cap:
                await _refuse(scope, send, cap)
                return
        seen = 0
        started = refused = False

        async def counting_receive() -> Message:
            # Past the cap the client gets its 413 at once; the app sees a disconnect, and whatever it
            # answers to that is dropped.
            nonlocal seen, refused
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > cap and not refused:
                    refused = True
                    if not started:
                        await _refuse(scope, send, cap)
                    return {"type": "http.disconnect"}
            return message

        async def tracking_send(message: Message) -> None:
            nonlocal started
            if refused:
                return
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        await self.app(scope, counting_receive, tracking_send)


async def _refuse(scope: Scope, send: Send, cap: int) -> None:
    lang = request_language(HTTPConnection(scope))
    message = t("request.too_large", lang, cap=cap)
    if tmf_errors.is_tmf(scope.get("path", "")):
        shape = tmf_errors.body(413, "request.too_large", message, lang)
    else:
        shape = {"detail": message, "code": "request.too_large", "field": None}
    body = json.dumps(shape, ensure_ascii=False).encode()
    await send({"type": "http.response.start", "status": 413,
                "headers": [(b"content-type", b"application/json; charset=utf-8"),
                            (b"content-length", str(len(body)).encode()), (b"connection", b"close")]})
    await send({"type": "http.response.body", "body": body})
