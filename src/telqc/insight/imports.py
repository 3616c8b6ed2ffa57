"""Usage, bill, household and churn event files (CSV or Parquet) into checked rows, all or nothing; pure:
bytes in, rows out.

DESIGN.md: "imports are atomic or report exactly which rows were rejected and why". Every row is validated
(Pydantic) and every problem is collected as (row, field, reason); one problem refuses the whole file with
`ImportRejected`, and that is the only exception a file can make `parse` raise (a Hypothesis test holds it to
that on arbitrary text). References to other data (does the customer exist, is the subscription one of the
customer's plans) are checked by `service`, with the same error type.

Rows are numbered as a spreadsheet shows the file: in a CSV the header is row 1 and the first record row 2;
a Parquet file has no header row, so its first record is row 1. Row 0 is the file itself.

Headers are the English field names or the Chinese ones of `HEADERS` (an operator's export), compared after
NFKC normalisation (full-width brackets and letters), case and spaces aside. A count column left out of a
file is 0 in every row (a broadband-only file has no SMS column); a cell of a column that is there must hold
a number. Parquet needs pyarrow, imported only when a Parquet file is read.
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Annotated, Any, Literal, get_args
from zoneinfo import ZoneInfo

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, ValidationError, ValidationInfo, field_validator

from telqc.core.errors import Invalid
from telqc.core.i18n import MESSAGES, t
from telqc.core.schemas import Moment, SafeText
from telqc.core.textfile import MAX_IMPORT_BYTES
from telqc.insight.messages import MESSAGES as OWN

Kind = Literal["usage", "bills", "households", "churn_events"]
MAX_ERRORS = 1000  # kept for the report; the rest are counted (a wrong file can have an error in every row)
INT_MAX = 2**31 - 1
_MONTH = re.compile(r"(\d{4})\s*[-/.年]?\s*(\d{1,2})\s*(?:月)?(?:\s*[-/.]?\s*(\d{1,2})\s*日?)?")


@dataclass(frozen=True)
class RowError:
    row: int  # 0: the file; in a CSV 1 is the header row
    field: str  # the field's English name, or "(file)" / "(row)"
    reason: str
    column: str | None = None  # the header as written in the file, when it differs from `field`


class ImportRejected(Invalid):
    """The whole file was refused, nothing stored; `errors` lists the problems by row and field (the first
    `MAX_ERRORS` of `total`)."""

    def __init__(self, errors: Sequence[RowError], total: int | None = None) -> None:
        first = errors[0]
        super().__init__("insight.import.rejected", field=first.field, row=first.row, count=total or len(errors))
        self.errors = list(errors)
        self.total = total or len(errors)

    def extra(self) -> dict[str, Any]:
        return {"rows": [{"row": e.row, "field": e.field, "msg": e.reason} for e in self.errors]}


def _month(v: object) -> object:
    """A month as a first-of-month date, from a date, or text like 2026-11, 2026-11-01, 202611, 2026年11月."""
    if isinstance(v, datetime):
        v = v.date()
    if isinstance(v, date):
        if v.day != 1:
            raise ValueError("not_first_day")
        return v
    if not isinstance(v, str):
        return v  # Pydantic names the type
    m = _MONTH.fullmatch(v.strip())
    if m is None:
        raise ValueError("month_format")
    year, month, day = int(m[1]), int(m[2]), int(m[3] or 1)
    if not (1990 <= year <= 2100 and 1 <= month <= 12):
        raise ValueError("month_format")
    if day != 1:
        raise ValueError("not_first_day")
    return date(year, month, 1)


MonthDate = Annotated[date, BeforeValidator(_month)]
Count = Annotated[int, Field(ge=0, le=INT_MAX)]


class _Row(BaseModel):
    """Its text fields take the text policy of every text a client sends (`core.schemas.SafeText`, the check of
    `CleanText` per field, issue 17): an operator's export is client input too, and a terminal model is shown on
    agents' pages, so a control, bidirectional or invisible character refuses the file, named by row and
    column, as any other bad cell. Times lie in 1900..2100 (`Moment`) as everywhere."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True, frozen=True)


class UsageRow(_Row):
    """One subscription's month (`models.InsightUsageMonth`)."""

    customer_id: Annotated[int, Field(ge=1, le=INT_MAX)]
    subscription: Annotated[SafeText, Field(min_length=1, max_length=20)]
    month: MonthDate
    data_mb: Count = 0
    voice_min: Count = 0
    sms: Count = 0
    roaming_mb: Count = 0
    broadband_mbps: Count | None = None
    broadband_gb: Count | None = None
    home_devices: Annotated[int, Field(ge=0, le=1000)] | None = None
    terminal_model: Annotated[SafeText, Field(max_length=60)] | None = None


class BillRow(_Row):
    """A customer's bill of one month (`models.InsightBill`); money in fen."""

    customer_id: Annotated[int, Field(ge=1, le=INT_MAX)]
    month: MonthDate
    amount_fen: Count
    paid_fen: Count = 0
    paid_at: Moment | None = None

    @field_validator("paid_at")
    @classmethod
    def _aware(cls, v: datetime | None, info: ValidationInfo) -> datetime | None:
        """A time without a zone is the operator's local time (`Settings.timezone`); stored in UTC."""
        if v is None:
            return None
        if v.tzinfo is None:
            tz = (info.context or {}).get("tz") or ZoneInfo("Asia/Shanghai")
            v = v.replace(tzinfo=tz)
        return v.astimezone(UTC)


class HouseholdRow(_Row):
    """How many people share a customer's plans (`models.InsightHousehold`)."""

    customer_id: Annotated[int, Field(ge=1, le=INT_MAX)]
    size: Annotated[int, Field(ge=1, le=20)]


Event = Literal["port_out_request", "port_out", "cancelled"]  # `models.CHURN_EVENTS` (a test holds them equal)
# what an operator's export calls the churn events, besides their English names
EVENT_WORDS: dict[str, str] = {
    "携号转网申请": "port_out_request", "携转申请": "port_out_request", "携出申请": "port_out_request",
    "携号转网授权码申请": "port_out_request", "port-out request": "port_out_request",
    "携号转网": "port_out", "携出": "port_out", "携转": "port_out", "port-out": "port_out",
    "销户": "cancelled", "拆机": "cancelled", "离网": "cancelled", "cancellation": "cancelled",
}
_EVENTS = {_e: _e for _e in get_args(Event)} | {re.sub(r"\s+", " ", k).lower(): v for k, v in EVENT_WORDS.items()}


def _event(v: object) -> object:
    """An event kind from its English name or an export's Chinese word (NFKC, case and spaces aside)."""
    if not isinstance(v, str):
        return v
    kind = _EVENTS.get(re.sub(r"\s+", " ", unicodedata.normalize("NFKC", v)).strip().lower())
    if kind is None:
        raise ValueError("churn_event")
    return kind


class ChurnEventRow(_Row):
    """What the operator saw of a customer leaving in a month (`models.InsightChurnEvent`): port-out requests
    (a feature of the churn model), a port-out or a cancellation (its label); `count` 1 when left out."""

    customer_id: Annotated[int, Field(ge=1, le=INT_MAX)]
    month: MonthDate
    kind: Annotated[Event, BeforeValidator(_event)]
    count: Annotated[int, Field(ge=1, le=1000)] = 1


MODELS: dict[str, type[_Row]] = {"usage": UsageRow, "bills": BillRow, "households": HouseholdRow,
                                 "churn_events": ChurnEventRow}
KEYS: dict[str, tuple[str, ...]] = {
    "usage": ("customer_id", "subscription", "month"),
    "bills": ("customer_id", "month"),
    "households": ("customer_id",),
    "churn_events": ("customer_id", "month", "kind"),
}

# Column headers of an operator's export, besides the English field names.
HEADERS: dict[str, str] = {
    "客户编号": "customer_id", "客户id": "customer_id", "客户号": "customer_id",
    "订购套餐": "subscription", "套餐编码": "subscription", "套餐": "subscription", "订购": "subscription",
    "月份": "month", "账期": "month", "统计月份": "month",
    "流量(mb)": "data_mb", "数据流量(mb)": "data_mb", "流量": "data_mb",
    "通话(分钟)": "voice_min", "语音(分钟)": "voice_min", "通话分钟": "voice_min", "通话时长(分钟)": "voice_min",
    "短信": "sms", "短信(条)": "sms", "短信条数": "sms",
    "漫游流量(mb)": "roaming_mb", "漫游流量": "roaming_mb",
    "宽带速率(mbps)": "broadband_mbps", "宽带速率": "broadband_mbps", "宽带带宽(mbps)": "broadband_mbps",
    "宽带流量(gb)": "broadband_gb", "宽带用量(gb)": "broadband_gb", "宽带流量": "broadband_gb",
    "家庭网络设备数": "home_devices", "家庭设备数": "home_devices", "联网设备数": "home_devices",
    "终端型号": "terminal_model", "手机型号": "terminal_model",
    "账单金额(分)": "amount_fen", "应收金额(分)": "amount_fen", "应缴金额(分)": "amount_fen",
    "实收金额(分)": "paid_fen", "已缴金额(分)": "paid_fen", "缴费金额(分)": "paid_fen",
    "缴费时间": "paid_at", "缴费日期": "paid_at",
    "家庭人数": "size", "家庭成员数": "size", "household": "size", "household_size": "size",
    "事件": "kind", "事件类型": "kind", "类型": "kind", "event": "kind",
    "次数": "count", "数量": "count", "申请次数": "count",
}


def _norm(header: str) -> str:
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", header)).lower()


_ALIASES = {_norm(k): v for k, v in HEADERS.items()}


@dataclass(frozen=True)
class Parsed:
    """The checked rows of a file: `rows[i]` holds the values of `columns` and came from row `row_numbers[i]`."""

    kind: Kind
    columns: tuple[str, ...]
    rows: list[tuple[Any, ...]]
    row_numbers: list[int]


class Errors:
    """Collects errors up to `MAX_ERRORS` and counts the rest."""

    def __init__(self) -> None:
        self.kept: list[RowError] = []
        self.total = 0

    def add(self, error: RowError) -> None:
        self.total += 1
        if len(self.kept) < MAX_ERRORS:
            self.kept.append(error)

    def raise_if_any(self) -> None:
        if self.total:
            raise ImportRejected(sorted(self.kept, key=lambda e: e.row), self.total)


def file_error(key: str, lang: str, **params: Any) -> ImportRejected:
    return ImportRejected([RowError(0, "(file)", t(key, lang, **params))])


def parse(kind: Kind, data: bytes, filename: str, *, lang: str = "zh-CN", tz: ZoneInfo | None = None) -> Parsed:
    """The file's rows by its suffix (.csv, .parquet / .pq); raises `ImportRejected` and nothing else."""
    if len(data) > MAX_IMPORT_BYTES:
        raise file_error("insight.import.too_large", lang, size=len(data), limit=MAX_IMPORT_BYTES)
    suffix = filename.lower().rsplit(".", 1)[-1] if "." in filename else ""
    if suffix in ("parquet", "pq"):
        return parse_parquet(kind, data, lang=lang, tz=tz)
    if suffix in ("csv", "txt"):
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            line = data.count(b"\n", 0, exc.start) + 1
            raise ImportRejected([RowError(line, "(row)", t("insight.import.not_utf8", lang))]) from exc
        return parse_csv(kind, text, lang=lang, tz=tz)
    raise file_error("insight.import.format", lang, name=filename)


def parse_csv(kind: Kind, text: str, *, lang: str = "zh-CN", tz: ZoneInfo | None = None) -> Parsed:
    lines = io.StringIO(text.removeprefix("\ufeff"), newline="")
    reader = csv.reader(lines)
    try:
        header = next(reader, None)
        while header is not None and not any(cell.strip() for cell in header):
            header = next(reader, None)
        if header is None:
            raise file_error("insight.import.empty", lang)
        header_row = reader.line_num
        records = list(_numbered(reader))
    except csv.Error as exc:
        raise ImportRejected([RowError(reader.line_num, "(row)", t("insight.import.bad_csv", lang,
                                                                    error=str(exc)))]) from exc
    return _validate(kind, header, header_row, records, lang, tz)


def _numbered(reader: Any) -> Iterator[tuple[int, list[str]]]:
    """(row, cells) of every non-blank record, the row being where it starts (a quoted cell may span lines)."""
    start = reader.line_num + 1
    for cells in reader:
        if any(cell.strip() for cell in cells):
            yield start, cells
        start = reader.line_num + 1


def parse_parquet(kind: Kind, data: bytes, *, lang: str = "zh-CN", tz: ZoneInfo | None = None) -> Parsed:
    try:
        import pyarrow.parquet as pq  # noqa: PLC0415  (optional: only for Parquet files, not a runtime dependency)
    except ImportError as exc:
        raise file_error("insight.import.no_pyarrow", lang) from exc
    try:
        table = pq.read_table(io.BytesIO(data))
        header = [str(name) for name in table.column_names]
        columns = [table.column(i).to_pylist() for i in range(table.num_columns)]
    except Exception as exc:  # any failure to decode an untrusted binary file means "not a Parquet file"
        raise file_error("insight.import.not_parquet", lang, error=str(exc)[:200]) from exc
    records = [(n, list(cells)) for n, cells in enumerate(zip(*columns, strict=True), start=1)]
    return _validate(kind, header, 0, records, lang, tz)


def _columns(kind: Kind, header: Sequence[object], header_row: int, lang: str,
             errors: Errors) -> list[str | None]:
    """The field of each header cell (None for an empty trailing cell); unknown, doubled or missing ones are
    errors on the header row."""
    model = MODELS[kind]
    out: list[str | None] = []
    seen: dict[str, str] = {}
    for raw in header:
        text = str(raw).strip()
        name = _norm(text)
        field = name if name in model.model_fields else _ALIASES.get(name)
        if not text:
            out.append(None)
        elif field is None or field not in model.model_fields:
            errors.add(RowError(header_row, "(header)", t("insight.import.unknown_column", lang, column=text[:60]),
                                text[:60]))
            out.append(None)
        elif field in seen:
            errors.add(RowError(header_row, field, t("insight.import.duplicate_column", lang, column=text[:60],
                                                     other=seen[field]), text[:60]))
            out.append(None)
        else:
            seen[field] = text
            out.append(field)
    for name, info in model.model_fields.items():
        if info.is_required() and name not in seen:
            errors.add(RowError(header_row, name, t("insight.import.missing_column", lang, column=name)))
    return out


def _validate(kind: Kind, header: Sequence[object], header_row: int, records: Iterable[tuple[int, list[Any]]],
              lang: str, tz: ZoneInfo | None) -> Parsed:
    errors = Errors()
    fields = _columns(kind, header, header_row, lang, errors)
    errors.raise_if_any()
    model = MODELS[kind]
    required = {n for n, info in model.model_fields.items() if info.is_required()}
    written = {f: str(h).strip() for f, h in zip(fields, header, strict=True) if f is not None}
    context = {"tz": tz}
    columns = tuple(model.model_fields)
    keys = [columns.index(k) for k in KEYS[kind]]
    rows: list[tuple[Any, ...]] = []
    numbers: list[int] = []
    first_of: dict[tuple[Any, ...], int] = {}
    for n, cells in records:
        if len(cells) > len(fields) and any(_blank(c) is not None for c in cells[len(fields):]):
            errors.add(RowError(n, "(row)", t("insight.import.too_many_cells", lang, cells=len(cells),
                                              columns=len(fields))))
            continue
        record: dict[str, Any] = {}
        for field, cell in zip(fields, cells, strict=False):
            if field is None:
                continue
            value = _blank(cell)
            if value is not None or field not in required:
                record[field] = value
        try:
            row = model.model_validate(record, context=context)
        except ValidationError as exc:
            for e in _reasons(exc, lang):
                errors.add(RowError(n, e[0], e[1], written.get(e[0]) if written.get(e[0]) != e[0] else None))
            continue
        values = tuple(row.__dict__[c] for c in columns)
        key = tuple(values[i] for i in keys)
        if key in first_of:
            errors.add(RowError(n, KEYS[kind][-1], t(f"insight.import.duplicate_{kind}", lang, other=first_of[key])))
            continue
        first_of[key] = n
        rows.append(values)
        numbers.append(n)
    if not errors.total and not rows:
        errors.add(RowError(0, "(file)", t("insight.import.no_rows", lang)))
    errors.raise_if_any()
    return Parsed(kind, columns, rows, numbers)


def _blank(cell: object) -> object:
    """A cell's value: text stripped, an empty or blank text cell is None."""
    if isinstance(cell, str):
        cell = cell.strip()
        return cell or None
    return cell


def _reasons(exc: ValidationError, lang: str) -> Iterator[tuple[str, str]]:
    for e in exc.errors(include_url=False):
        field = str(e["loc"][0]) if e.get("loc") else "(row)"
        kind = e.get("type", "")
        params = {k: v for k, v in (e.get("ctx") or {}).items() if k != "error"}
        if kind == "value_error":
            code = str(e.get("msg", "")).removeprefix("Value error, ")
            key = f"insight.import.{code}"
            yield field, t(key, lang) if key in OWN else t("v.other", lang, msg=code)
            continue
        key = f"v.{kind}" if f"v.{kind}" in MESSAGES else "v.other"
        yield field, t(key, lang, msg=str(e.get("msg", "")), **params)
