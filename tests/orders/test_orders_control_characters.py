"""Control characters in text a client sends are a 422 naming the field, and nothing is stored (issue 17).

Before, a NUL in an order title reached the database: SQLite stored it, PostgreSQL's driver refused it (a 500).
Tabs and line breaks stay allowed in free text."""

from __future__ import annotations

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from pydantic_core import PydanticCustomError

from orders.orders_helpers import World
from telqc.core.schemas import refuse_unsafe_characters


def _count(client: TestClient, headers: dict[str, str]) -> int:
    r = client.get("/api/v1/orders", headers=headers)
    assert r.status_code == 200, r.text
    body = r.json()
    return len(body["items"] if isinstance(body, dict) else body)


@pytest.mark.parametrize("field", ["title", "description", "category"])
def test_nul_in_an_order_field_is_refused_and_nothing_stored(app: FastAPI, client: TestClient, field: str) -> None:
    w = World(app, client)
    before = _count(client, w.agent)
    body = {"type": "complaint", "category": "complaint.billing", "customer_id": w.customer_id,
            "title": "话费异常", "description": "本月话费比上月多出 80 元"}
    body[field] = body[field] + "\x00x"
    r = client.post("/api/v1/orders", json=body, headers=w.agent)
    assert r.status_code == 422, r.text
    [error] = r.json()["detail"]
    assert error["field"] == f"body.{field}" and error["type"] == "string_control_character", error
    assert "U+0000" in error["msg"]
    assert _count(client, w.agent) == before


def test_line_breaks_and_tabs_stay_allowed(app: FastAPI, client: TestClient) -> None:
    w = World(app, client)
    order = w.create(description="第一行\n第二行\r\n\t缩进")
    assert order["description"] == "第一行\n第二行\r\n\t缩进"


# The validator over any text (C0, DEL, C1, bidirectional and invisible characters): tests/core/test_unsafe_text.py


def test_texts_nested_in_dicts_and_lists_are_checked() -> None:
    """An improvement plan's fishbone is a dict of lists of texts: a control character deep inside is refused."""
    assert refuse_unsafe_characters({"人员": ["培训不足", "新人多"]}) == {"人员": ["培训不足", "新人多"]}
    with pytest.raises(PydanticCustomError) as e:
        refuse_unsafe_characters({"人员": ["培训不足", "新人\x07多"]})
    assert "U+0007" in str(e.value)
    with pytest.raises(PydanticCustomError):
        refuse_unsafe_characters({"流程\x00": []})
