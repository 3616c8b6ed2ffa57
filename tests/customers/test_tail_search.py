"""尾号 search: the last 4–10 digits find a customer through a coarse blind index, within the caller's scope."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from fastapi import FastAPI
from fastapi.testclient import TestClient

from helpers import create_customer, login, make_user, page_login
from telqc.core import migrate, pii
from telqc.core.rbac import Role


def _ids(client: TestClient, h: dict[str, str], **params: str) -> list[int]:
    r = client.get("/api/v1/customers", params=params, headers=h)
    assert r.status_code == 200, r.text
    return [c["id"] for c in r.json()]


def test_tail_finds_every_number_ending_so_and_longer_tails_narrow(app: FastAPI, client: TestClient) -> None:
    make_user(app, "adm", Role.admin)
    h = login(client, "adm")
    a = create_customer(client, h, phone="13912345678", name="张伟")
    b = create_customer(client, h, phone="13600005678", name="李娜")
    c = create_customer(client, h, phone="13700001234", name="张敏")
    assert _ids(client, h, phone="5678") == [a["id"], b["id"]]
    assert _ids(client, h, phone="345678") == [a["id"]], "a longer tail is filtered after decryption"
    assert _ids(client, h, phone="1234") == [c["id"]]
    assert _ids(client, h, phone="5678", name="李") == [b["id"]], "name narrows a 尾号 bucket"
    assert _ids(client, h, phone="0000") == []


def test_tail_search_keeps_the_region_scope(app: FastAPI, client: TestClient) -> None:
    make_user(app, "adm", Role.admin)
    make_user(app, "zj", Role.agent, region_scope=["330000"])
    h = login(client, "adm")
    create_customer(client, h, phone="13912345678")  # Guangzhou
    hz = create_customer(client, h, phone="13812345678", district="330106")
    assert _ids(client, login(client, "zj"), phone="5678") == [hz["id"]]


def test_too_short_or_too_long_a_number_is_refused_naming_the_field(app: FastAPI, client: TestClient) -> None:
    make_user(app, "adm", Role.admin)
    h = login(client, "adm")
    for bad in ("123", "12a", "139123456789"):
        r = client.get("/api/v1/customers", params={"phone": bad}, headers=h)
        assert r.status_code == 422, (bad, r.text)
        assert "query.phone" in r.text, r.text


def test_customer_page_finds_by_tail(app: FastAPI, client: TestClient) -> None:
    make_user(app, "adm", Role.admin)
    create_customer(client, login(client, "adm"), phone="13912345678", name="王芳")
    make_user(app, "sup", Role.supervisor, region_scope=["440000"])
    page_login(client, "sup")
    r = client.get("/customers/results", params={"phone": "5678"})
    assert r.status_code == 200 and "王芳" in r.text


def test_migration_backfills_the_tail_index_of_existing_phones(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'tail.db'}"
    migrate.upgrade(url, "0001")
    with sqlite3.connect(tmp_path / "tail.db") as conn:
        conn.execute("INSERT INTO regions (code, name, name_en, level) VALUES ('44', '广东', 'Guangdong', 'province')")
        for i in (1, 2, 3):
            conn.execute("INSERT INTO customers (id, name, id_number, address, province_code, city_code, district_code,"
                         " area_type, tier, tags, lifecycle, joined_on, verify_failures, created_at, updated_at, "
                         "version) VALUES (?, '客户', ?, ?, '44', '44', '44', 'urban', 'regular', '[]', 'new', "
                         "'2020-01-01', 0, '2026-01-01', '2026-01-01', 1)", (i, pii.encrypt("x"), pii.encrypt("y")))
            phone = f"1390000{i:04d}"
            conn.execute("INSERT INTO customer_phones (id, customer_id, phone, phone_index, is_primary) "
                         "VALUES (?, ?, ?, ?, 1)", (i, i, pii.encrypt(phone), pii.phone_index(phone)))
    migrate.upgrade(url, "0006")
    with sqlite3.connect(tmp_path / "tail.db") as conn:
        stored = dict(conn.execute("SELECT id, tail_index FROM customer_phones").fetchall())
    assert stored == {i: pii.phone_tail_index(f"{i:04d}") for i in (1, 2, 3)}
