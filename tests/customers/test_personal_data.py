"""Personal data: encrypted at rest, found by blind index, masked unless the role may see it."""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import text

from helpers import create_customer, customer_payload, id_number, login, make_user
from telqc.core import audit
from telqc.core.rbac import Role
from telqc.core.settings import Settings

PHONE = "13912345678"


def test_no_plaintext_in_raw_database(app: FastAPI, client: TestClient) -> None:
    make_user(app, "adm", Role.admin)
    idn = id_number("440106", "19790101", "555")
    create_customer(client, login(client, "adm"), phone=PHONE, id_number=idn,
                    address="广东省广州市天河区珠江新城华夏路8号保密大厦2801")
    dump: list[str] = []
    with app.state.engine.connect() as conn:
        for table in ("customers", "customer_phones", "audit_log", "contacts", "users"):
            for row in conn.execute(text(f"SELECT * FROM {table}")):
                dump.extend(str(v) for v in row)
    blob = "\n".join(dump)
    assert PHONE not in blob and PHONE[-8:] not in blob
    assert idn not in blob and idn[6:14] not in blob
    assert "保密大厦" not in blob
    with app.state.engine.connect() as conn:
        stored = conn.execute(text("SELECT phone FROM customer_phones")).scalar_one()
    assert stored.startswith("dev1:"), "ciphertext carries the key id for rotation"


def test_agent_sees_masked_supervisor_sees_clear_and_is_audited(app: FastAPI, client: TestClient) -> None:
    make_user(app, "adm", Role.admin)
    make_user(app, "agent", Role.agent, region_scope=["440000"])
    make_user(app, "sup", Role.supervisor, region_scope=["440000"])
    idn = id_number("440106", "19880512", "123")
    c = create_customer(client, login(client, "adm"), phone=PHONE, id_number=idn)

    agent = client.get(f"/api/v1/customers/{c['id']}", headers=login(client, "agent")).json()
    assert agent["phones"] == ["139****5678"]
    assert agent["id_number"] == idn[:4] + "*" * 10 + idn[-4:]
    assert agent["address"] == "广东省广州市天河区****"
    assert agent["pii_masked"] is True

    with app.state.sessionmaker() as s:
        before = s.query(audit.AuditEntry).filter_by(action="pii.read").count()
    sup = client.get(f"/api/v1/customers/{c['id']}", headers=login(client, "sup")).json()
    assert sup["phones"] == [PHONE] and sup["id_number"] == idn and sup["pii_masked"] is False
    with app.state.sessionmaker() as s:
        reads = s.query(audit.AuditEntry).filter_by(action="pii.read").all()
    assert len(reads) == before + 1
    assert reads[-1].actor == "sup" and reads[-1].entity_id == str(c["id"])


def test_phone_search_uses_blind_index_and_normalizes(app: FastAPI, client: TestClient) -> None:
    make_user(app, "adm", Role.admin)
    h = login(client, "adm")
    c = create_customer(client, h, phone=PHONE)
    for query in (PHONE, "139 1234 5678", "+86 139-1234-5678"):
        found = client.get("/api/v1/customers", params={"phone": query}, headers=h).json()
        assert [x["id"] for x in found] == [c["id"]], query
    assert client.get("/api/v1/customers", params={"phone": "13912345679"}, headers=h).json() == []


def test_region_scope_hides_other_provinces(app: FastAPI, client: TestClient) -> None:
    make_user(app, "adm", Role.admin)
    make_user(app, "gd", Role.agent, region_scope=["440000"])
    make_user(app, "zj", Role.agent, region_scope=["330000"])
    c = create_customer(client, login(client, "adm"), phone=PHONE)  # Guangzhou
    zj = login(client, "zj")
    assert client.get(f"/api/v1/customers/{c['id']}", headers=zj).status_code == 404
    assert client.get("/api/v1/customers", params={"phone": PHONE}, headers=zj).json() == []
    assert client.get(f"/api/v1/customers/{c['id']}/360", headers=login(client, "gd")).status_code == 200


def test_customer_sees_only_own_profile_unmasked(app: FastAPI, client: TestClient) -> None:
    make_user(app, "adm", Role.admin)
    h = login(client, "adm")
    mine = create_customer(client, h, phone=PHONE)
    create_customer(client, h, phone="13700001111")
    make_user(app, "me", Role.customer, customer_id=mine["id"])
    me = login(client, "me")
    view = client.get("/api/v1/me/customer", headers=me).json()
    assert view["customer"]["id"] == mine["id"] and view["customer"]["phones"] == [PHONE]
    assert client.get(f"/api/v1/customers/{mine['id'] + 1}", headers=me).status_code == 403


def test_key_rotation_reencrypts_and_keeps_data_readable(app: FastAPI, client: TestClient, settings: Settings) -> None:
    import base64

    from telqc.core import pii
    from telqc.core.rotation import rotate
    from telqc.tables import metadata

    make_user(app, "adm", Role.admin)
    h = login(client, "adm")
    c = create_customer(client, h, phone=PHONE)
    new_key = "k2:" + base64.b64encode(b"k" * 32).decode()
    pii.configure(settings.model_copy(update={"pii_keys": f"{new_key},{settings.pii_keys}"}))
    try:
        with app.state.sessionmaker() as s:
            assert rotate(s, metadata) == 3  # phone, ID number, address
            s.commit()
        with app.state.engine.connect() as conn:
            stored = [r[0] for r in conn.execute(text("SELECT phone FROM customer_phones"))]
            stored += [v for r in conn.execute(text("SELECT id_number, address FROM customers")) for v in r]
        assert all(v.startswith("k2:") for v in stored)
        pii.configure(settings.model_copy(update={"pii_keys": new_key}))  # old key retired
        view = client.get(f"/api/v1/customers/{c['id']}", headers=h).json()
        assert view["phones"] == [PHONE]
    finally:
        pii.configure(settings)


def test_blind_index_key_rotation_keeps_phone_search_working(app: FastAPI, client: TestClient,
                                                             settings: Settings) -> None:
    from telqc.core import pii
    from telqc.core.rotation import reindex
    from telqc.tables import metadata

    make_user(app, "adm", Role.admin)
    h = login(client, "adm")
    c = create_customer(client, h, phone=PHONE)

    def found() -> list[int]:
        r = client.get("/api/v1/customers", params={"phone": PHONE}, headers=h)
        assert r.status_code == 200, r.text
        return [x["id"] for x in r.json()]

    def stored_index() -> str:
        with app.state.engine.connect() as conn:
            return conn.execute(text("SELECT phone_index FROM customer_phones")).scalar_one()

    old = stored_index()
    new_key = "new-index-key-32-bytes-long-xxxx"
    pii.configure(settings.model_copy(update={"blind_index_key": f"{new_key},{settings.blind_index_key}"}))
    try:
        assert found() == [c["id"]], "the old index still matches while rotation has not run"
        dup = client.post("/api/v1/customers", json=customer_payload(phone=PHONE), headers=h)
        assert dup.status_code == 409, "a duplicate phone is caught under either key"
        with app.state.sessionmaker() as s:
            assert reindex(s, metadata) == 2 and reindex(s, metadata) == 0  # full and tail index
            s.commit()
        assert stored_index() != old
        pii.configure(settings.model_copy(update={"blind_index_key": new_key}))
        assert found() == [c["id"]], "found under the new key alone once the old one is retired"
        pii.configure(settings)
        assert found() == [], "the retired key no longer matches anything"
    finally:
        pii.configure(settings)
