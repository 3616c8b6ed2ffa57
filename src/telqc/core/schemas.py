"""Base schema: unknown fields are refused everywhere, so typos never pass silently."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

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


class In(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class Out(BaseModel):
    model_config = ConfigDict(from_attributes=True)
