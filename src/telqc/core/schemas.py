"""Base schema: unknown fields are refused everywhere, so typos never pass silently."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StringConstraints, field_validator
from pydantic_core import PydanticCustomError

from telqc.core.textchars import Kind, first_unsafe

MAX_INT = 2**31 - 1
"""The largest integer a client may send: what a PostgreSQL INTEGER column holds (most ids and counts are INTEGER
columns; BIGINT ones hold more, but no id a client names comes near 2^31). A larger one is a 422 naming the
field, not an OverflowError or "integer out of range" in the driver (issue 17)."""

Id = Annotated[int, Field(ge=1, le=MAX_INT)]
"""A row id a client names (path, query or body)."""

MIN_DAY = date(1900, 1, 1)
MAX_DAY = date(2100, 12, 31)
Day = Annotated[date, Field(ge=MIN_DAY, le=MAX_DAY)]
"""A calendar day a client sends (query or body): 1900-01-01..2100-12-31, so a year-1 or year-9999 date is a 422
naming the field, not an OverflowError in date arithmetic (issue 17)."""


def refuse_out_of_range_time(value: Any) -> Any:
    """Dates and times a client sends lie in 1900..2100: a year-1 `end` made `end - window` an OverflowError."""
    for v in _values(value):
        if isinstance(v, date) and not MIN_DAY.year <= v.year <= MAX_DAY.year:
            raise PydanticCustomError("date_out_of_range",
                                      "日期须在 {low} 至 {high} 之间 / a date between {low} and {high}",
                                      {"low": MIN_DAY.isoformat(), "high": MAX_DAY.isoformat()})
    return value


Moment = Annotated[datetime, AfterValidator(refuse_out_of_range_time)]
"""A point in time a client sends as a query parameter (body fields of `In` models are checked by the model)."""

Count = Annotated[int, Field(ge=0, le=MAX_INT)]
"""A non-negative integer a client sends (an offset, a duration in seconds or milliseconds)."""

SiteId = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=40,
                                          pattern=r"^[A-Za-z0-9][A-Za-z0-9_.:/-]*$")]
"""A cell id or broadband access point (OLT/port) a client names: letters, digits and `_ . : / -`, at most 40
(the `site_id` columns), so a site is matched by equality and never carries spaces or markup."""


def _values(value: Any) -> Iterator[Any]:
    """Every scalar in a value: itself, or the items of a list, tuple or set, a dict's keys and values, at any
    depth (an improvement plan's fishbone is a dict of lists of texts)."""
    if isinstance(value, dict):
        for key, item in value.items():
            yield from _values(key)
            yield from _values(item)
    elif isinstance(value, list | tuple | set | frozenset):
        for item in value:
            yield from _values(item)
    else:
        yield value


def _texts(value: Any) -> Iterator[str]:
    return (v for v in _values(value) if isinstance(v, str))


_WORDS = {
    Kind.control: ("string_control_character", "控制字符", "control character"),
    Kind.bidi: ("string_bidi_control", "双向文本控制字符", "bidirectional control character"),
    Kind.invisible: ("string_invisible_character", "不可见字符", "invisible character"),
}


def refuse_unsafe_characters(value: Any) -> Any:
    """A text a client sends holds no control character but tab and line breaks, no bidirectional control and
    no invisible character outside an emoji (`core.textchars`): a NUL is refused by PostgreSQL's text type (a
    driver error, not a 422), the others corrupt exports and pages, reorder what a page shows, or hide a word
    from search and inspection rules (issue 17). The 422 names the character and its position."""
    for text in (value,) if isinstance(value, str) else _texts(value):  # a lone text: no walk (imports' rows)
        bad = first_unsafe(text)
        if bad is not None:
            kind, zh, en = _WORDS[bad.kind]
            raise PydanticCustomError(
                kind, f"含有{zh} {{code}}（第 {{position}} 个字符）/ {en} {{code}} at position {{position}}",
                {"code": bad.code, "position": bad.index + 1})
    return value


SafeText = Annotated[str, AfterValidator(refuse_unsafe_characters)]
"""One text field under the same policy, for models checked by the million (an import's rows): `CleanText`'s
validator of every field costs more than the rest of a row's validation together."""


class CleanText(BaseModel):
    """Refuses unsafe characters in every text field of an input model, nested ones included (see
    `refuse_unsafe_characters`): the one place forms, the JSON API and TMF621 share."""

    @field_validator("*", mode="after")
    @classmethod
    def _no_unsafe_characters(cls, value: Any) -> Any:
        return refuse_out_of_range_time(refuse_unsafe_characters(value))


class In(CleanText):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class Out(BaseModel):
    model_config = ConfigDict(from_attributes=True)
