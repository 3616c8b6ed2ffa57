"""Form fields that reached a service without an input model skipped the text policy (`core.textchars`, issue 17):
an administrator could rename a user "王\u202e芳" on the user page, set a password holding an override, and anyone
could sign in as "agent1\u202e", which the login throttle stored as a counter row. Each form now answers 422 naming
the field and the character, and nothing changes."""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from helpers import PASSWORD, csrf_of, login, page_login
from orders.orders_helpers import World
from telqc.core.audit import AuditEntry
from telqc.core.models import LoginFailure, User

RLO = "\u202e"


def _admin_page(app: FastAPI) -> tuple[TestClient, str]:
    c = TestClient(app, raise_server_exceptions=False)
    return c, page_login(c, "adm")


def _count(app: FastAPI, model: type[AuditEntry] | type[LoginFailure]) -> int:
    with app.state.sessionmaker() as s:
        return int(s.scalar(select(func.count()).select_from(model)) or 0)


def test_the_user_edit_form_refuses_an_override_in_the_name(app: FastAPI, client: TestClient) -> None:
    w = World(app, client)
    adm, csrf = _admin_page(app)
    audit = _count(app, AuditEntry)
    r = adm.post(f"/users/{w.agent_id}", data={"display_name": f"王{RLO}芳", "role": "supervisor",
                                               "csrf_token": csrf})
    assert r.status_code == 422, r.text
    assert "姓名：" in r.text and "U+202E" in r.text and "双向文本控制字符" in r.text
    with app.state.sessionmaker() as s:
        u = s.get(User, w.agent_id)
        assert u is not None and (u.display_name, u.role) == ("agent1", "agent"), "nothing changed"
    assert _count(app, AuditEntry) == audit


def test_the_password_reset_form_refuses_an_override(app: FastAPI, client: TestClient) -> None:
    w = World(app, client)
    adm, csrf = _admin_page(app)
    audit = _count(app, AuditEntry)
    r = adm.post(f"/users/{w.agent_id}/password", data={"password": f"another{RLO}pass-2", "csrf_token": csrf})
    assert r.status_code == 422, r.text
    assert "密码：" in r.text and "U+202E" in r.text and "密码已重置" not in r.text
    assert _count(app, AuditEntry) == audit
    assert client.post("/api/v1/auth/token", data={"username": "agent1", "password": PASSWORD}).status_code == 200, \
        "the old password still signs in"


def test_the_login_form_refuses_an_override_in_the_name_and_counts_nothing(app: FastAPI, client: TestClient) -> None:
    World(app, client)
    c = TestClient(app, raise_server_exceptions=False)
    failures, audit = _count(app, LoginFailure), _count(app, AuditEntry)
    r = c.post("/login", data={"username": f"agent1{RLO}", "password": "guess-123",
                               "csrf_token": csrf_of(c.get("/login").text)}, follow_redirects=False)
    assert r.status_code == 422, r.text
    assert "用户名：" in r.text and "U+202E" in r.text
    assert 'name="csrf_token"' in r.text, "the form again, ready for another try"
    assert (_count(app, LoginFailure), _count(app, AuditEntry)) == (failures, audit), "nothing counted or audited"


def test_the_token_endpoint_refuses_a_nul_in_the_name(app: FastAPI, client: TestClient) -> None:
    """A NUL in the name reached the throttle's counter row: on PostgreSQL a driver error, a 500."""
    World(app, client)
    failures = _count(app, LoginFailure)
    r = client.post("/api/v1/auth/token", data={"username": "agent1\x00", "password": "guess-123"})
    assert r.status_code == 422, r.text
    [error] = r.json()["detail"]
    assert error["field"] == "body.username" and error["type"] == "string_control_character", error
    assert _count(app, LoginFailure) == failures


def test_a_password_created_with_a_trailing_space_signs_in_as_typed(app: FastAPI, client: TestClient) -> None:
    """User creation stripped the password (`In`'s whitespace stripping) while sign-in compares it as typed, so a
    password created with a trailing space could never be used: it is now stored as typed, on the page and the
    API alike."""
    World(app, client)
    adm, csrf = _admin_page(app)
    r = adm.post("/users/new", data={"username": "spaced.page", "display_name": "王芳", "role": "agent",
                                     "password": "long-enough-1 ", "csrf_token": csrf}, follow_redirects=False)
    assert r.status_code == 303, r.text
    r = client.post("/api/v1/users", json={"username": "spaced.api", "password": " long-enough-2 ", "role": "agent"},
                    headers=login(client, "adm"))
    assert r.status_code == 201, r.text
    token = "/api/v1/auth/token"
    assert client.post(token, data={"username": "spaced.page", "password": "long-enough-1 "}).status_code == 200
    assert client.post(token, data={"username": "spaced.api", "password": " long-enough-2 "}).status_code == 200
    assert client.post(token, data={"username": "spaced.page", "password": "long-enough-1"}).status_code == 401, \
        "the password is what was typed, not its stripped form"
    page_login(TestClient(app, raise_server_exceptions=False), "spaced.page", "long-enough-1 ")


def test_the_user_edit_form_refuses_a_nul_region_and_a_non_ascii_team(app: FastAPI, client: TestClient) -> None:
    """The province codes reached the region lookup unchecked (a NUL: a driver error on PostgreSQL) and a team of
    "²" passed `str.isdigit` but not `int` (a 500 everywhere): each is a 422 naming the field, nothing changed."""
    w = World(app, client)
    adm, csrf = _admin_page(app)
    audit = _count(app, AuditEntry)
    form = {"display_name": "王芳", "role": "supervisor", "csrf_token": csrf}
    r = adm.post(f"/users/{w.agent_id}", data={**form, "region_scope": ["44\x000000"]})
    assert r.status_code == 422, r.text
    assert "数据范围：" in r.text and "控制字符" in r.text
    r = adm.post(f"/users/{w.agent_id}", data={**form, "team_id": "²"})
    assert r.status_code == 422 and "所选班组不存在" in r.text, r.text
    with app.state.sessionmaker() as s:
        u = s.get(User, w.agent_id)
        assert u is not None and (u.display_name, u.role) == ("agent1", "agent"), "nothing changed"
    assert _count(app, AuditEntry) == audit


def test_a_transfer_to_a_team_numbered_in_superscript_is_the_forms_error(app: FastAPI, client: TestClient) -> None:
    """`str.isdigit` passes "²", which `int` refuses: the transfer form's pick answered 500, now its own error."""
    w = World(app, client)
    o = w.create()
    agent = TestClient(app, raise_server_exceptions=False)
    csrf = page_login(agent, "agent1")
    audit = _count(app, AuditEntry)
    r = agent.post(f"/orders/{o['id']}/transfer", data={"target": "team:²", "handoff_note": "需计费二线核对账单",
                                                        "csrf_token": csrf})
    assert r.status_code == 422, r.text
    assert _count(app, AuditEntry) == audit
