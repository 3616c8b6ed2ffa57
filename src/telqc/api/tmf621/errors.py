"""TMF630 error bodies for every answer under /tmf-api: ``{code, reason, message, status, @type}``.

A TM Forum client reads the same shape whatever went wrong (a refused filter, an unknown ticket, a stale
``If-Match``, a path no route serves, a server fault): ``code`` is TelQC's error key (stable, for
programs), ``reason`` the short human reason of the status and ``message`` the full sentence, both in the
request's language with every placeholder filled. ``field`` (an extension; the spec leaves the object open)
names the attribute at fault so a client can point at it. The /api/v1 error shape is not this one
(`telqc.api.errors`).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from fastapi.responses import JSONResponse

from telqc.core.errors import DomainError
from telqc.core.i18n import t

PREFIX = "/tmf-api/"


class UnsupportedMediaType(DomainError):
    status = 415


def is_tmf(path: str) -> bool:
    return path.startswith(PREFIX)


def reason(status: int, lang: str) -> str:
    key = f"tmf.reason.{status}"
    text = t(key, lang)
    return t("tmf.reason.other", lang) if text == key else text


def body(status: int, code: str, message: str, lang: str, field: str | None = None,
         **extra: Any) -> dict[str, Any]:
    out: dict[str, Any] = {"code": code, "reason": reason(status, lang), "message": message,
                           "status": str(status), "@type": "Error"}
    if field:
        out["field"] = field
    return out | extra


def response(status: int, code: str, message: str, lang: str, field: str | None = None,
             headers: Mapping[str, str] | None = None, **extra: Any) -> JSONResponse:
    return JSONResponse(body(status, code, message, lang, field, **extra), status_code=status, headers=headers)
