"""Login: tokens and cookies, lockout after repeated failures, timing-safe unknown users."""

from __future__ import annotations

import time
from datetime import timedelta

import httpx
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from helpers import PASSWORD, login, make_user
from telqc.core.clock import FrozenClock
from telqc.core.rbac import Role
from telqc.core.settings import Settings


def _try(client: TestClient, username: str, password: str) -> httpx.Response:
    return client.post("/api/v1/auth/token", data={"username": username, "password": password})


def test_token_identifies_user(app: FastAPI, client: TestClient) -> None:
    make_user(app, "wang", Role.agent, region_scope=["440000"])
    me = client.get("/api/v1/auth/me", headers=login(client, "wang")).json()
    assert me["role"] == "agent" and me["region_scope"] == ["440000"]
    assert "customers:pii" not in me["permissions"]


def test_five_failures_lock_then_unlock_after_configured_time(app: FastAPI, client: TestClient, clock: FrozenClock,
                                                              settings: Settings) -> None:
    make_user(app, "li", Role.agent)
    for _ in range(settings.login_max_failures):
        assert _try(client, "li", "wrong-password").status_code == 401
    locked = _try(client, "li", PASSWORD)
    assert locked.status_code == 401, "even the right password is refused while locked, as if it were wrong"
    clock.advance(timedelta(minutes=settings.login_window_minutes - 1))
    assert _try(client, "li", PASSWORD).status_code == 401
    clock.advance(timedelta(minutes=2))
    assert _try(client, "li", PASSWORD).status_code == 200


def test_success_resets_failure_count(app: FastAPI, client: TestClient, settings: Settings) -> None:
    make_user(app, "zhao", Role.agent)
    for _ in range(settings.login_max_failures - 1):
        _try(client, "zhao", "nope-nope")
    assert _try(client, "zhao", PASSWORD).status_code == 200
    for _ in range(settings.login_max_failures - 1):
        _try(client, "zhao", "nope-nope")
    assert _try(client, "zhao", PASSWORD).status_code == 200


def test_unknown_user_and_wrong_password_look_the_same(app: FastAPI, client: TestClient) -> None:
    make_user(app, "sun", Role.agent)
    a, b = _try(client, "sun", "bad-password"), _try(client, "ghost", "bad-password")
    assert a.status_code == b.status_code == 401
    assert a.json()["detail"] == b.json()["detail"]


def test_expired_session_is_refused(app: FastAPI, client: TestClient, clock: FrozenClock, settings: Settings) -> None:
    make_user(app, "zhou", Role.agent)
    h = login(client, "zhou")
    clock.advance(timedelta(hours=settings.session_hours, seconds=1))
    assert client.get("/api/v1/auth/me", headers=h).status_code == 401


def test_logout_revokes_token(app: FastAPI, client: TestClient) -> None:
    make_user(app, "wu", Role.agent)
    h = login(client, "wu")
    assert client.post("/api/v1/auth/logout", headers=h).status_code == 204
    assert client.get("/api/v1/auth/me", headers=h).status_code == 401


def _revoke_elsewhere(app: FastAPI) -> None:
    """What another process's logout (or an admin deleting sessions) does: the rows go, this process is not told."""
    from sqlalchemy import delete

    from telqc.core.models import AuthSession

    with app.state.sessionmaker() as s:
        s.execute(delete(AuthSession))
        s.commit()


def test_verified_token_is_trusted_for_the_cache_interval_then_rechecked(app: FastAPI, client: TestClient,
                                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    make_user(app, "qian", Role.agent)
    h = login(client, "qian")
    assert client.get("/api/v1/auth/me", headers=h).status_code == 200
    _revoke_elsewhere(app)
    assert client.get("/api/v1/auth/me", headers=h).status_code == 200, "within auth_cache_seconds: no lookup"
    later = time.monotonic() + app.state.settings.auth_cache_seconds + 0.1
    monkeypatch.setattr(time, "monotonic", lambda: later)  # the clock telqc.core.auth's cache reads
    assert client.get("/api/v1/auth/me", headers=h).status_code == 401, "after the interval the row is read again"


def test_cached_token_still_expires_and_logout_evicts_at_once(app: FastAPI, client: TestClient, clock: FrozenClock,
                                                              settings: Settings) -> None:
    make_user(app, "feng", Role.agent)
    h, h2 = login(client, "feng"), login(client, "feng")
    assert client.get("/api/v1/auth/me", headers=h).status_code == 200
    assert client.get("/api/v1/auth/me", headers=h2).status_code == 200
    assert client.post("/api/v1/auth/logout", headers=h).status_code == 204
    assert client.get("/api/v1/auth/me", headers=h).status_code == 401, "logout evicts its own process's cache"
    clock.advance(timedelta(hours=settings.session_hours, seconds=1))
    assert client.get("/api/v1/auth/me", headers=h2).status_code == 401, "the session's expiry is checked on a hit"


def test_cache_can_be_switched_off(app: FastAPI, client: TestClient) -> None:
    app.state.settings.auth_cache_seconds = 0
    make_user(app, "chu", Role.agent)
    h = login(client, "chu")
    assert client.get("/api/v1/auth/me", headers=h).status_code == 200
    _revoke_elsewhere(app)
    assert client.get("/api/v1/auth/me", headers=h).status_code == 401
