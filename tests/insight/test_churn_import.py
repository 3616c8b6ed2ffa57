"""Churn events (port-out requests, port-outs, cancellations by month) from a CSV (issue 23 §4): before this the
labels the churn model learns could only be written to `insight_churn_events` directly. Parsed like the other
imports (English or an export's Chinese headers and words, every error by row and column, text policy), stored
all or nothing by `telqc insight import-churn FILE` (tests/insight/test_import_cli.py), a row replacing the
same customer, month and event."""

from __future__ import annotations

from datetime import date
from typing import get_args

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from telqc.insight import imports
from telqc.insight.imports import ImportRejected, parse_csv
from telqc.insight.models import CHURN_EVENTS


def rejected(text: str, lang: str = "en") -> ImportRejected:
    with pytest.raises(ImportRejected) as info:
        parse_csv("churn_events", text, lang=lang)
    return info.value


def test_the_parser_knows_the_stored_event_kinds() -> None:
    assert get_args(imports.Event) == CHURN_EVENTS
    assert set(imports.EVENT_WORDS.values()) == set(CHURN_EVENTS)


def test_english_and_chinese_files() -> None:
    p = parse_csv("churn_events", "customer_id,month,kind,count\n7,2026-09,port_out_request,2\n"
                  "7,2026-10,port_out,1\n8,2026-10-01,cancelled,1\n")
    assert p.columns == ("customer_id", "month", "kind", "count") and p.row_numbers == [2, 3, 4]
    assert p.rows == [(7, date(2026, 9, 1), "port_out_request", 2), (7, date(2026, 10, 1), "port_out", 1),
                      (8, date(2026, 10, 1), "cancelled", 1)]
    zh = parse_csv("churn_events", "\ufeff客户编号,月份,事件\n7,2026年9月,携号转网申请\n7,2026年10月,携号转网\n"
                   "8,202610,销户\n9,2026-10,ＰＯＲＴ_ＯＵＴ\n")  # full-width letters of an export
    assert [(r[0], r[2], r[3]) for r in zh.rows] == [(7, "port_out_request", 1), (7, "port_out", 1),
                                                    (8, "cancelled", 1), (9, "port_out", 1)]


def test_every_error_is_named_by_row_and_column() -> None:
    e = rejected("客户编号,月份,事件,次数\n7,2026-10,携号转网申请,1\n7,2026-10-15,转网,0\n"
                 "x,2026-10,销户,1\n7,2026-10,port_out_request,3\n8,2026-10,销\u202e户,1\n")
    got = [(r.row, r.field, r.column) for r in e.errors]
    assert got == [(3, "month", "月份"), (3, "kind", "事件"), (3, "count", "次数"), (4, "customer_id", "客户编号"),
                   (5, "kind", None), (6, "kind", "事件")]
    reasons = {(r.row, r.field): r.reason for r in e.errors}
    assert reasons[(3, "kind")].startswith("unknown event: port_out_request, port_out or cancelled")
    assert reasons[(5, "kind")] == "same customer, month and event as row 2"
    assert rejected("customer_id,month\n7,2026-10\n").errors[0].field == "kind"  # a required column missing
    zh = rejected("customer_id,month,kind\n7,2026-10,离开\n", lang="zh-CN")
    assert zh.errors[0].reason.startswith("未知的事件：须为 携号转网申请、携号转网 或 销户")


@settings(max_examples=200, deadline=None)
@given(st.lists(st.lists(st.one_of(st.text(max_size=10), st.sampled_from(
    ["7", "2026-10", "port_out", "销户", "携号转网申请", "0", "1001", ""])), max_size=5), max_size=6))
def test_arbitrary_rows_raise_only_import_rejected(rows: list[list[str]]) -> None:
    text = "customer_id,month,kind,count\n" + "\n".join(",".join(r) for r in rows)
    try:
        p = parse_csv("churn_events", text)
    except ImportRejected as e:
        assert e.errors and all(r.field and r.reason for r in e.errors)
        return
    assert all(r[2] in CHURN_EVENTS and 1 <= r[3] <= 1000 for r in p.rows)
