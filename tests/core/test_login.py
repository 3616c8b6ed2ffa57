"""Login: tokens and cookies, lockout after repeated failures, timing-safe unknown users."""

from __future__ import annotations

from datetime import timedelta

from helpers import PASSWORD, login, make_user
from telqc.core.rbac import Role


def _try(client, username: str, password: str):  # type: ignore[no-untyped-def]
    return client.post("/api/v1/auth/token", data={"username": username, "password": password})


def test_token_identifies_user(app, client) -> None:  # type: ignore[no-untyped-def]
    make_user(app, "wang", Role.agent, region_scope=["440000"])
    me = client.get("/api/v1/auth/me", headers=login(client, "wang")).json()
    assert me["role"] == "agent" and me["region_scope"] == ["440000"]
    assert "customers:pii" not in me["permissions"]


def test_five_failures_lock_then_unlock_after_configured_time(app, client, clock, settings) -> None:  # type: ignore[no-untyped-def]
    make_user(app, "li", Role.agent)
    for _ in range(settings.login_max_failures):
        assert _try(client, "li", "wrong-password").status_code == 401
    locked = _try(client, "li", PASSWORD)
    assert locked.status_code == 423, "even the right password is refused while locked"
    clock.advance(timedelta(minutes=settings.login_lockout_minutes - 1))
    assert _try(client, "li", PASSWORD).status_code == 423
    clock.advance(timedelta(minutes=2))
    assert _try(client, "li", PASSWORD).status_code == 200


def test_success_resets_failure_count(app, client, settings) -> None:  # type: ignore[no-untyped-def]
    make_user(app, "zhao", Role.agent)
    for _ in range(settings.login_max_failures - 1):
        _try(client, "zhao", "nope-nope")
    assert _try(client, "zhao", PASSWORD).status_code == 200
    for _ in range(settings.login_max_failures - 1):
        _try(client, "zhao", "nope-nope")
    assert _try(client, "zhao", PASSWORD).status_code == 200


def test_unknown_user_and_wrong_password_look_the_same(app, client) -> None:  # type: ignore[no-untyped-def]
    make_user(app, "sun", Role.agent)
    a, b = _try(client, "sun", "bad-password"), _try(client, "ghost", "bad-password")
    assert a.status_code == b.status_code == 401
    assert a.json()["detail"] == b.json()["detail"]


def test_expired_session_is_refused(app, client, clock, settings) -> None:  # type: ignore[no-untyped-def]
    make_user(app, "zhou", Role.agent)
    h = login(client, "zhou")
    clock.advance(timedelta(hours=settings.session_hours, seconds=1))
    assert client.get("/api/v1/auth/me", headers=h).status_code == 401


def test_logout_revokes_token(app, client) -> None:  # type: ignore[no-untyped-def]
    make_user(app, "wu", Role.agent)
    h = login(client, "wu")
    assert client.post("/api/v1/auth/logout", headers=h).status_code == 204
    assert client.get("/api/v1/auth/me", headers=h).status_code == 401
