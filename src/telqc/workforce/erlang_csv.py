"""The staffing calculator's file contract (`telqc workforce erlang CASES.csv --out OUT.csv`).

Input columns: case_id, calls_per_interval, interval_s, aht_s, service_level_target, answer_time_s,
max_occupancy, shrinkage (optional: patience_s for Erlang A, concurrency for chat). Output: the input columns
plus agents, agents_scheduled, service_level, asa_s, occupancy, waiting_probability. The whole file is checked
before anything is written: an error names the row (1 = first data row) and the column.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from fractions import Fraction

from telqc.core.i18n import DEFAULT, t
from telqc.workforce.erlang import Case, ErlangInputError, Staffing, staff

REQUIRED = ("case_id", "calls_per_interval", "interval_s", "aht_s", "service_level_target", "answer_time_s",
            "max_occupancy", "shrinkage")
OPTIONAL = ("patience_s", "concurrency")
RESULTS = ("agents", "agents_scheduled", "service_level", "asa_s", "occupancy", "waiting_probability")


@dataclass(frozen=True)
class RowError(Exception):
    """Row (0 = the header) and column at fault and the rule broken: `code` names the message
    ``workforce.erlang.<code>`` (zh-CN by default, English second), `value` the cell when it matters."""

    row: int
    column: str
    code: str
    value: str = ""

    def message(self, lang: str = DEFAULT) -> str:
        return t(f"workforce.erlang.{self.code}", lang, value=self.value)

    @property
    def reason(self) -> str:
        return self.message("en")

    def where(self, lang: str = DEFAULT) -> str:
        key = "workforce.erlang.at_header" if self.row == 0 else "workforce.erlang.at_row"
        return t(key, lang, row=self.row, column=self.column)

    def __str__(self) -> str:
        return f"{self.where('en')}: {self.reason}"


def _number(text: str, row: int, column: str) -> Fraction:
    try:
        d = Decimal(text.strip())
    except InvalidOperation:
        raise RowError(row, column, "not_number", text.strip()) from None
    if not d.is_finite():
        raise RowError(row, column, "not_finite", text.strip())
    return Fraction(d)


def parse(text: str) -> list[tuple[dict[str, str], Case]]:
    """Every row as (its input columns, its case); the first bad cell raises `RowError`."""
    reader = csv.DictReader(io.StringIO(text))
    header = reader.fieldnames or []
    for col in REQUIRED:
        if col not in header:
            raise RowError(0, col, "missing_column")
    unknown = [c for c in header if c not in REQUIRED and c not in OPTIONAL]
    if unknown:
        raise RowError(0, unknown[0], "unknown_column")
    out: list[tuple[dict[str, str], Case]] = []
    seen: set[str] = set()
    for i, raw in enumerate(reader, start=1):
        if None in raw or any(v is None for v in raw.values()):
            raise RowError(i, "case_id", "field_count")
        row = {k: v.strip() for k, v in raw.items() if k is not None and v is not None}
        if not row["case_id"]:
            raise RowError(i, "case_id", "empty")
        if row["case_id"] in seen:
            raise RowError(i, "case_id", "duplicate", row["case_id"])
        seen.add(row["case_id"])
        nums = {c: _number(row[c], i, c) for c in REQUIRED[1:]}
        patience = _number(row["patience_s"], i, "patience_s") if row.get("patience_s") else None
        concurrency = _number(row["concurrency"], i, "concurrency") if row.get("concurrency") else Fraction(1)
        if concurrency.denominator != 1:
            raise RowError(i, "concurrency", "whole")
        case = Case(calls=nums["calls_per_interval"], interval_s=nums["interval_s"], aht_s=nums["aht_s"],
                    service_level_target=float(nums["service_level_target"]),
                    answer_time_s=float(nums["answer_time_s"]), max_occupancy=nums["max_occupancy"],
                    shrinkage=nums["shrinkage"], patience_s=float(patience) if patience is not None else None,
                    concurrency=int(concurrency))
        out.append((row, case))
    return out


def solve(cases: Iterable[tuple[dict[str, str], Case]]) -> list[tuple[dict[str, str], Staffing]]:
    results = []
    for i, (row, case) in enumerate(cases, start=1):
        try:
            results.append((row, staff(case)))
        except ErlangInputError as e:
            column = "calls_per_interval" if e.field == "calls" else e.field
            raise RowError(i, column, e.code) from None
    return results


def render(results: list[tuple[dict[str, str], Staffing]]) -> str:
    buf = io.StringIO()
    inputs = list(results[0][0].keys()) if results else list(REQUIRED)
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow([*inputs, *RESULTS])
    for row, s in results:
        writer.writerow([*(row[c] for c in inputs), s.agents, s.agents_scheduled, f"{s.service_level:.6f}",
                         f"{s.asa_s:.3f}", f"{s.occupancy:.6f}", f"{s.waiting_probability:.6f}"])
    return buf.getvalue()


def run(text: str) -> str:
    """Parse, solve and render a whole file; `RowError` before any output exists."""
    return render(solve(parse(text)))
