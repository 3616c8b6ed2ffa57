"""Expected business errors: each carries its HTTP status and a translatable message."""

from __future__ import annotations

from typing import Any

from telqc.core.i18n import is_key, t


class DomainError(Exception):
    status = 400
    key = "error.validation"

    def __init__(
        self, key: str | None = None, *, field: str | None = None, persist: bool = False, **params: Any
    ) -> None:
        self.key = key or self.key
        self.field = field
        # The boundary commits instead of rolling back: e.g. a failed attempt must still count.
        self.persist = persist
        self.params = params
        super().__init__(f"{self.key} {params}")

    def message(self, lang: str) -> str:
        # the field is a parameter of the message too ("{field} 的取值无效"), unless the error names another
        # and a parameter that is a message key (a state, a level: "ostatus.closed") reads in the language
        params = {k: _word(v, lang) for k, v in {"field": self.field or "", **self.params}.items()}
        return t(self.key, lang, **params)

    def extra(self) -> dict[str, Any]:
        """More fields for the error's JSON body (e.g. the allowed next states of an illegal transition)."""
        return {}

    def headers(self) -> dict[str, str]:
        """Response headers the error carries (e.g. Retry-After)."""
        return {}


def _word(v: Any, lang: str) -> Any:
    if isinstance(v, str) and (v.startswith("w.") or is_key(v)):
        return t(v, lang)
    if isinstance(v, list | tuple):
        return ("、" if lang == "zh-CN" else ", ").join(str(_word(x, lang)) for x in v) or "—"
    return v


class BadRequest(DomainError):
    status = 400


class Unauthenticated(DomainError):
    status = 401
    key = "error.unauthenticated"


class Forbidden(DomainError):
    status = 403
    key = "error.forbidden"


class NotFound(DomainError):
    status = 404
    key = "error.not_found"


class Conflict(DomainError):
    status = 409
    key = "error.conflict"


class PreconditionFailed(DomainError):
    status = 412
    key = "error.stale"


class Locked(DomainError):
    status = 423


class Invalid(DomainError):
    """A value that parsed but breaks a business rule; reported like a validation error."""

    status = 422


class TooManyRequests(DomainError):
    """Too many attempts from one client (the login throttle): the answer says when to retry."""

    status = 429
    key = "error.too_many_requests"

    def __init__(self, key: str | None = None, *, retry_after: int, **params: Any) -> None:
        super().__init__(key, **params)
        self.retry_after = max(1, retry_after)

    def headers(self) -> dict[str, str]:
        return {"Retry-After": str(self.retry_after)}
