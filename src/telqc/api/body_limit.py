"""Refuse request bodies above a size cap with 413, before the app reads them whole.

Without a cap a 60 MB JSON body was read and parsed before a field-length error (issue 17). The check
looks at Content-Length first and also counts the bytes of streamed (chunked) bodies, so a client cannot
slip past it by leaving the header out. File uploads (``multipart/form-data``: call and sample imports)
get their own, larger cap. Plain ASGI for the same reason as ``app.RememberLanguage``."""

from __future__ import annotations

import json

from starlette.types import ASGIApp, Message, Receive, Scope, Send


class BodyLimit:
    def __init__(self, app: ASGIApp, max_bytes: int, max_upload_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes
        self.max_upload_bytes = max_upload_bytes

    def _cap(self, scope: Scope) -> int:
        for name, value in scope.get("headers", []):
            if name == b"content-type" and value.lower().startswith(b"multipart/form-data"):
                return self.max_upload_bytes
        return self.max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        cap = self._cap(scope)
        for name, value in scope.get("headers", []):
            if name == b"content-length" and value.isdigit() and int(value) > cap:
                await _refuse(send, cap)
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
                        await _refuse(send, cap)
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


async def _refuse(send: Send, cap: int) -> None:
    body = json.dumps(
        {"detail": f"请求体过大：上限 {cap} 字节", "code": "request.too_large", "field": None},
        ensure_ascii=False,
    ).encode()
    await send({"type": "http.response.start", "status": 413,
                "headers": [(b"content-type", b"application/json; charset=utf-8"),
                            (b"content-length", str(len(body)).encode()), (b"connection", b"close")]})
    await send({"type": "http.response.body", "body": body})
