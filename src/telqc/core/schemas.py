"""Base schema: unknown fields are refused everywhere, so typos never pass silently."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, field_validator
from pydantic_core import PydanticCustomError

MAX_INT = 2**63 - 1
"""The largest integer a BIGINT column (PostgreSQL) or an SQLite INTEGER holds: a larger one sent by a client is
a 422 naming the field, not an OverflowError in the driver."""

Id = Annotated[int, Field(ge=1, le=MAX_INT)]
"""A row id a client names (path, query or body)."""

MIN_DAY = date(1900, 1, 1)
MAX_DAY = date(2100, 12, 31)
Day = Annotated[date, Field(ge=MIN_DAY, le=MAX_DAY)]
"""A calendar day a client sends (query or body): 1900-01-01..2100-12-31, so a year-1 or year-9999 date is a 422
naming the field, not an OverflowError in date arithmetic (issue 17)."""

Count = Annotated[int, Field(ge=0, le=MAX_INT)]
"""A non-negative integer a client sends (an offset, a duration in seconds or milliseconds)."""


_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def _texts(value: Any) -> Iterator[str]:
    """Every text in a value: itself, the items of a list, tuple or set, a dict's keys and values, at any depth
    (an improvement plan's fishbone is a dict of lists of texts)."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from _texts(key)
            yield from _texts(item)
    elif isinstance(value, list | tuple | set | frozenset):
        for item in value:
            yield from _texts(item)


def refuse_control_characters(value: Any) -> Any:
    """A text a client sends may hold tabs and line breaks but no other control character: a NUL is refused by
    PostgreSQL's text type (a driver error, not a 422) and the others corrupt exports and pages (issue 17)."""
    for text in _texts(value):
        m = _CONTROL.search(text)
        if m:
            raise PydanticCustomError(
                "string_control_character",
                "含有控制字符 U+{code}（第 {position} 个字符）/ control character U+{code} at position {position}",
                {"code": f"{ord(m.group()):04X}", "position": m.start() + 1})
    return value


class CleanText(BaseModel):
    """Refuses control characters in every text field of an input model (see `refuse_control_characters`)."""

    @field_validator("*", mode="after")
    @classmethod
    def _no_control_characters(cls, value: Any) -> Any:
        return refuse_control_characters(value)


class In(CleanText):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class Out(BaseModel):
    model_config = ConfigDict(from_attributes=True)
