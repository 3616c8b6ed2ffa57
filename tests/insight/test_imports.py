"""The usage and bill file parser: English and Chinese headers, CSV and Parquet, every error by row and field."""

from __future__ import annotations

import contextlib
import io
from datetime import UTC, date, datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from telqc.insight.imports import MAX_ERRORS, ImportRejected, parse, parse_csv

USAGE_HEAD = "customer_id,subscription,month,data_mb,voice_min,sms,roaming_mb,broadband_mbps,broadband_gb," \
             "home_devices,terminal_model\n"


def rejected(kind: str, text: str, lang: str = "en") -> ImportRejected:
    with pytest.raises(ImportRejected) as info:
        parse_csv(kind, text, lang=lang)  # type: ignore[arg-type]
    return info.value


def test_english_usage_file() -> None:
    p = parse_csv("usage", USAGE_HEAD + "7,5G129,2026-10,20480,300,12,0,,,,\n"
                  "7,BB1000,2026-10-01,0,0,0,0,1000,850,9,\n8,5G59,202610,100,5,0,50,,,,Mate 60\n")
    assert p.columns[:3] == ("customer_id", "subscription", "month") and p.row_numbers == [2, 3, 4]
    assert p.rows[0] == (7, "5G129", date(2026, 10, 1), 20480, 300, 12, 0, None, None, None, None)
    assert p.rows[1][7:10] == (1000, 850, 9) and p.rows[2][-1] == "Mate 60"


def test_chinese_headers_and_absent_count_columns() -> None:
    p = parse_csv("usage", "\ufeff客户编号,订购套餐,月份,流量（MB）,终端型号\n7,5G129,2026年10月,1024,iPhone 15\n")
    assert p.rows == [(7, "5G129", date(2026, 10, 1), 1024, 0, 0, 0, None, None, None, "iPhone 15")]
    b = parse_csv("bills", "客户编号,账期,账单金额(分),实收金额(分),缴费时间\n7,2026-10,12900,12900,2026-10-20 09:30\n"
                  "8,2026-10,5900,0,\n")
    assert b.rows[0] == (7, date(2026, 10, 1), 12900, 12900, datetime(2026, 10, 20, 1, 30, tzinfo=UTC))
    assert b.rows[1] == (8, date(2026, 10, 1), 5900, 0, None)


def test_household_sizes() -> None:
    assert parse_csv("households", "客户编号,家庭人数\n7,3\n8,1\n").rows == [(7, 3), (8, 1)]
    e = rejected("households", "customer_id,household\n7,0\n8,21\n8,2\n")
    assert [(r.row, r.field) for r in e.errors] == [(2, "size"), (3, "size")]
    e = rejected("households", "customer_id,size\n7,2\n7,3\n")
    assert [(r.row, r.field, r.reason) for r in e.errors] == [(3, "customer_id", "same customer as row 2")]


def test_every_error_is_named_by_row_and_field() -> None:
    e = rejected("usage", USAGE_HEAD + "7,5G129,2026-10,20480,300,0,0,,,,\n"
                 "x,5G129,2026-10-15,-1,300,0,0,,,,\n"
                 "9,,2026-13,1,1,1,1,,,,\n"
                 "7,5G129,2026-10,1,1,1,1,,,,\n")
    found = {(r.row, r.field) for r in e.errors}
    assert found == {(3, "customer_id"), (3, "month"), (3, "data_mb"), (4, "subscription"), (4, "month"),
                     (5, "month")}
    reasons = {(r.row, r.field): r.reason for r in e.errors}
    assert reasons[(3, "month")] == "a month must be the first day of the month (e.g. 2026-11-01)"
    assert reasons[(3, "data_mb")] == "must be at least 0"
    assert reasons[(5, "month")] == "same customer, subscription and month as row 2"
    assert e.total == 6 and e.field == "customer_id" and e.params["row"] == 3
    assert "第 3 行" in e.message("zh-CN")


def test_text_cells_take_the_text_policy() -> None:
    """An export is client input (issue 17): a bidi override in a terminal model would reorder what the order
    page shows, a zero-width space makes a second subscription code look like the first; refused, by row and
    column as the file writes it, with the character named."""
    e = rejected("usage", "客户编号,订购套餐,月份,终端型号\n7,5G129,2026-10,iPhone 15\n"
                 "7,BB1000,2026-10,HUAWEI \u202eMate 60\n8,5G\u200b59,2026-10,\n")
    assert [(r.row, r.field, r.column) for r in e.errors] == [(3, "terminal_model", "终端型号"),
                                                              (4, "subscription", "订购套餐")]
    assert "U+202E" in e.errors[0].reason and "bidirectional" in e.errors[0].reason
    assert "U+200B" in e.errors[1].reason and "invisible" in e.errors[1].reason
    zh = rejected("usage", USAGE_HEAD + "7,5G129,2026-10,1,1,1,1,,,,\u202dX\n", lang="zh-CN")
    assert [(r.row, r.field, r.column) for r in zh.errors] == [(2, "terminal_model", None)]
    assert "双向文本控制字符 U+202D" in zh.errors[0].reason
    emoji = "小米 14 👨\u200d💻"  # a ZWJ between two emoji is allowed, as everywhere
    assert parse_csv("usage", f"客户编号,订购套餐,月份,终端型号\n7,5G129,2026-10,{emoji}\n").rows[0][-1] == emoji


def test_a_payment_time_out_of_range_is_a_row_error() -> None:
    """Year 1 in the operator's zone has no UTC time: an OverflowError out of the parser before (issue 17)."""
    e = rejected("bills", "customer_id,month,amount_fen,paid_at\n7,2026-10,1,0001-01-01 00:00\n")
    assert [(r.row, r.field) for r in e.errors] == [(2, "paid_at")]
    assert "1900-01-01" in e.errors[0].reason


def test_header_problems_refuse_the_file_before_any_row() -> None:
    e = rejected("usage", "客户编号,month,月份,流量MB?,\n7,2026-10,2026-10,1,\n")
    assert [(r.row, r.field) for r in e.errors] == [(1, "month"), (1, "(header)"), (1, "subscription")]
    assert e.errors[0].column == "月份"


def test_empty_cells_count_columns_and_too_many_cells() -> None:
    e = rejected("bills", "customer_id,month,amount_fen,paid_fen\n7,2026-10,,\n8,2026-10,100,0,5\n")
    assert [(r.row, r.field) for r in e.errors] == [(2, "amount_fen"), (2, "paid_fen"), (3, "(row)")]
    assert e.errors[0].reason == "field required"


def test_empty_files_and_unknown_formats() -> None:
    assert rejected("usage", "").errors[0].field == "(file)"
    assert rejected("usage", USAGE_HEAD).errors[0].reason == "the file has no data rows"
    with pytest.raises(ImportRejected) as info:
        parse("usage", b"x", "usage.xlsx", lang="en")
    assert info.value.errors[0].reason == "unsupported file type: usage.xlsx (.csv or .parquet)"
    with pytest.raises(ImportRejected) as info:
        parse("usage", b"customer_id\n\xff\n", "u.csv")
    assert info.value.errors[0].row == 2


def test_errors_are_capped_and_counted() -> None:
    body = "".join(f"{i},5G129,bad,1,1,1,1,,,,\n" for i in range(1, MAX_ERRORS + 11))
    e = rejected("usage", USAGE_HEAD + body)
    assert len(e.errors) == MAX_ERRORS and e.total == MAX_ERRORS + 10


def test_parquet_file() -> None:
    pa = pytest.importorskip("pyarrow")
    pq = pytest.importorskip("pyarrow.parquet")
    table = pa.table({"customer_id": [7, 8], "subscription": ["5G129", "5G59"],
                      "month": [date(2026, 10, 1), date(2026, 10, 2)], "data_mb": [1024, 2048]})
    buf = io.BytesIO()
    pq.write_table(table, buf)
    with pytest.raises(ImportRejected) as info:
        parse("usage", buf.getvalue(), "usage.parquet", lang="en")
    assert [(r.row, r.field) for r in info.value.errors] == [(2, "month")]
    table = table.set_column(2, "month", pa.array(["2026-10", "2026-10"]))
    buf = io.BytesIO()
    pq.write_table(table, buf)
    p = parse("usage", buf.getvalue(), "usage.pq")
    assert [r[:4] for r in p.rows] == [(7, "5G129", date(2026, 10, 1), 1024), (8, "5G59", date(2026, 10, 1), 2048)]
    with pytest.raises(ImportRejected) as info:
        parse("usage", b"PAR1 not really", "usage.parquet", lang="en")
    assert info.value.errors[0].reason.startswith("not a valid Parquet file")


@settings(max_examples=300, deadline=None)
@given(st.sampled_from(["usage", "bills", "households", "churn_events"]), st.text(max_size=400))
def test_arbitrary_text_raises_only_import_rejected(kind: str, text: str) -> None:
    try:
        parse_csv(kind, text)  # type: ignore[arg-type]
    except ImportRejected as e:
        assert e.errors and all(isinstance(r.row, int) and r.field and r.reason for r in e.errors)


_cells = st.one_of(st.text(max_size=12), st.integers(-5, 10**12).map(str), st.sampled_from(
    ["2026-10", "2026-10-01", "2026-10-31", "202610", "2026年10月", "", " ", "5G129", "1e3", "\"", "\n"]))


@settings(max_examples=300, deadline=None)
@given(st.sampled_from(["usage", "bills"]), st.lists(st.lists(_cells, max_size=12), max_size=6),
       st.booleans())
def test_arbitrary_rows_under_a_real_header_raise_only_import_rejected(kind: str, rows: list[list[str]],
                                                                       chinese: bool) -> None:
    head = ("客户编号,订购套餐,月份,流量(MB),通话(分钟)" if chinese else USAGE_HEAD.strip()) if kind == "usage" \
        else "customer_id,month,amount_fen,paid_fen,paid_at"
    text = head + "\n" + "\n".join(",".join(r) for r in rows)
    try:
        p = parse_csv(kind, text)  # type: ignore[arg-type]
    except ImportRejected:
        return
    assert len(p.rows) == len(p.row_numbers) and all(len(r) == len(p.columns) for r in p.rows)


@settings(max_examples=100, deadline=None)
@given(st.binary(max_size=300), st.sampled_from(["f.csv", "f.parquet", "f.bin"]))
def test_arbitrary_bytes_raise_only_import_rejected(data: bytes, name: str) -> None:
    with contextlib.suppress(ImportRejected):
        parse("usage", data, name)
