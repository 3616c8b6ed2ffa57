"""Login throttle, tried as a password guesser: from one address against many accounts, from many addresses
against one account, with a forged X-Forwarded-For, and in parallel."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import timedelta

import httpx
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import select

from helpers import PASSWORD, csrf_of, make_user
from telqc.api.app import create_app
from telqc.core import audit, login_throttle
from telqc.core.audit import AuditEntry
from telqc.core.audit_keys import keys_for
from telqc.core.clock import FrozenClock
from telqc.core.models import LoginFailure
from telqc.core.rbac import Role
from telqc.core.settings import Settings


def _from(app: FastAPI, address: str) -> TestClient:
    return TestClient(app, client=(address, 40000))


def _try(client: TestClient, username: str, password: str, **headers: str) -> httpx.Response:
    return client.post("/api/v1/auth/token", data={"username": username, "password": password}, headers=headers)


def _audits(app: FastAPI, action: str) -> list[AuditEntry]:
    with app.state.sessionmaker() as s:
        audit.chain_all(s, keys_for(app.state.settings))
        s.commit()
        return list(s.scalars(select(AuditEntry).where(AuditEntry.action == action)))


def test_brute_force_from_one_address_gets_429_until_the_window_ends(app: FastAPI, clock: FrozenClock) -> None:
    app.state.settings.login_max_failures_per_address = 8
    make_user(app, "wang", Role.agent)
    attacker, colleague = _from(app, "203.0.113.7"), _from(app, "198.51.100.20")
    for i in range(8):  # a different account each time: no account lock helps here
        assert _try(attacker, f"user{i}", "123456").status_code == 401
    r = _try(attacker, "wang", PASSWORD)
    assert r.status_code == 429, "over the limit even the right password is refused"
    assert 0 < int(r.headers["retry-after"]) <= 15 * 60
    assert "登录失败次数过多" in r.json()["detail"]
    assert _try(colleague, "wang", PASSWORD).status_code == 200, "other addresses are not affected"
    page = attacker.post("/login", data={"username": "wang", "password": PASSWORD,
                                         "csrf_token": csrf_of(attacker.get("/login").text)}, follow_redirects=False)
    assert page.status_code == 429 and "retry-after" in page.headers, "the login form is throttled alike"
    [locked] = _audits(app, "auth.address_locked")
    assert locked.entity_id == "203.0.113.7"
    clock.advance(timedelta(minutes=app.state.settings.login_window_minutes, seconds=1))
    assert _try(attacker, "wang", PASSWORD).status_code == 200


def test_forged_forwarded_for_does_not_reset_the_address(app: FastAPI) -> None:
    """Without TELQC_TRUSTED_PROXIES the socket's address counts, whatever X-Forwarded-For claims."""
    app.state.settings.login_max_failures_per_address = 3
    attacker = _from(app, "203.0.113.7")
    for i in range(3):
        _try(attacker, f"user{i}", "123456", **{"X-Forwarded-For": f"10.9.9.{i}"})
    assert _try(attacker, "user9", "123456", **{"X-Forwarded-For": "10.9.9.99"}).status_code == 429


def test_one_ipv6_64_rotating_its_addresses_is_one_client(app: FastAPI) -> None:
    """An IPv6 host picks any address of its /64: each guess from a fresh address counted as a new client."""
    app.state.settings.login_max_failures_per_address = 5
    make_user(app, "wang", Role.agent)
    for i in range(5):  # a different account and a different address of the same /64 each time
        assert _try(_from(app, f"2001:db8:1:2::{i + 1:x}"), f"user{i}", "123456").status_code == 401
    r = _try(_from(app, "2001:db8:1:2:ffff:ffff:ffff:fffe"), "wang", PASSWORD)
    assert r.status_code == 429, "another address of the same /64 is the same client"
    assert _try(_from(app, "2001:db8:1:3::1"), "wang", PASSWORD).status_code == 200, "the next /64 is another"
    [locked] = _audits(app, "auth.address_locked")
    assert locked.entity_id == "2001:db8:1:2::/64"


def test_an_ipv4_mapped_address_counts_as_its_ipv4_address(app: FastAPI) -> None:
    """A dual-stack socket reports an IPv4 client as ::ffff:a.b.c.d: it is that IPv4 client, not a /64."""
    app.state.settings.login_max_failures_per_address = 4
    for i, address in enumerate(["203.0.113.7", "::ffff:203.0.113.7", "203.0.113.7", "::ffff:cb00:7107"]):
        assert _try(_from(app, address), f"user{i}", "123456").status_code == 401
    assert _try(_from(app, "203.0.113.7"), "user9", "123456").status_code == 429
    assert _try(_from(app, "::ffff:203.0.113.8"), "user9", "123456").status_code == 401, "its neighbour is not"


@pytest.mark.parametrize(("address", "key"), [
    ("203.0.113.7", "203.0.113.7"),
    ("2001:db8:1:2:3:4:5:6", "2001:db8:1:2::/64"),
    ("2001:DB8:1:2::", "2001:db8:1:2::/64"),
    ("fe80::1%eth0", "fe80::/64"),
    ("::ffff:203.0.113.7", "203.0.113.7"),
    ("::1", "::/64"),
    ("testclient", "testclient"),
])
def test_the_address_key_is_the_ipv4_address_or_the_ipv6_64(address: str, key: str) -> None:
    assert login_throttle.address_key(address) == key


@pytest.fixture
def behind_proxy(settings: Settings, clock: FrozenClock) -> Iterator[FastAPI]:
    application = create_app(settings.model_copy(update={"trusted_proxies": "10.0.0.0/24",
                                                         "login_max_failures_per_address": 3}), clock)
    yield application
    application.state.engine.dispose()


def test_trusted_proxy_forwards_the_client_address(app: FastAPI, behind_proxy: FastAPI) -> None:
    proxy = _from(behind_proxy, "10.0.0.2")
    for i in range(3):
        _try(proxy, f"user{i}", "123456", **{"X-Forwarded-For": "203.0.113.7"})
    assert _try(proxy, "user9", "123456", **{"X-Forwarded-For": "203.0.113.7"}).status_code == 429
    assert _try(proxy, "user9", "123456", **{"X-Forwarded-For": "198.51.100.20"}).status_code == 401, \
        "another client behind the same proxy has its own count"


def test_wrong_passwords_from_many_addresses_lock_the_account(app: FastAPI, clock: FrozenClock) -> None:
    limit = app.state.settings.login_max_failures
    user_id = make_user(app, "li", Role.agent)
    wrong = [_try(_from(app, f"203.0.113.{i}"), "li", f"guess-{i}") for i in range(limit + 1)]
    assert [r.status_code for r in wrong] == [401] * (limit + 1)
    right = _try(_from(app, "198.51.100.1"), "li", PASSWORD)
    assert right.status_code == 401, "locked: the right password is refused too"
    assert right.json() == wrong[0].json(), "and answered as a wrong one: the lock is not revealed"
    clock.advance(timedelta(minutes=app.state.settings.login_window_minutes - 1))
    assert _try(_from(app, "198.51.100.1"), "li", PASSWORD).status_code == 401, "still inside the window"
    [locked] = _audits(app, "auth.locked")
    assert locked.entity_type == "user" and locked.entity_id == str(user_id)
    clock.advance(timedelta(minutes=1, seconds=1))
    assert _try(_from(app, "198.51.100.1"), "li", PASSWORD).status_code == 200


def test_locked_account_and_unknown_account_answer_alike(app: FastAPI) -> None:
    limit = app.state.settings.login_max_failures
    make_user(app, "zhao", Role.agent)
    for name in ("zhao", "ghost"):
        for i in range(limit):
            _try(_from(app, f"203.0.113.{i}"), name, "bad-password")
    real, ghost = _try(_from(app, "198.51.100.1"), "zhao", PASSWORD), _try(_from(app, "198.51.100.2"), "ghost", "x")
    assert real.status_code == ghost.status_code == 401
    assert real.json() == ghost.json()


def test_success_clears_the_account_count(app: FastAPI) -> None:
    limit = app.state.settings.login_max_failures
    make_user(app, "sun", Role.agent)
    c = _from(app, "198.51.100.1")
    for _ in range(2):
        for _ in range(limit - 1):
            assert _try(c, "sun", "nope-nope").status_code == 401
        assert _try(c, "sun", PASSWORD).status_code == 200


def test_zero_disables_both_limits(app: FastAPI) -> None:
    app.state.settings.login_max_failures = 0
    app.state.settings.login_max_failures_per_address = 0
    make_user(app, "wu", Role.agent)
    c = _from(app, "203.0.113.7")
    for _ in range(8):
        assert _try(c, "wu", "nope-nope").status_code == 401
    assert _try(c, "wu", PASSWORD).status_code == 200
    with app.state.sessionmaker() as s:
        assert s.scalars(select(LoginFailure)).all() == []


def test_parallel_guesses_are_all_counted(app: FastAPI) -> None:
    """Guesses sent at once, from many processes' worth of connections: every one is counted (one atomic
    statement per attempt), so a burst buys no extra tries."""
    app.state.settings.login_max_failures = 100
    app.state.settings.login_max_failures_per_address = 0
    make_user(app, "feng", Role.agent)
    codes: list[int] = []

    def guess(i: int) -> None:
        with _from(app, f"203.0.113.{i}") as c:
            codes.extend(_try(c, "feng", f"guess-{i}-{j}").status_code for j in range(3))

    threads = [threading.Thread(target=guess, args=(i,)) for i in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert codes == [401] * 18
    with app.state.sessionmaker() as s:
        row = s.get(LoginFailure, ("account", "feng"))
        assert row is not None and row.failures == 18


def test_ended_windows_are_purged_and_open_ones_kept(app: FastAPI, clock: FrozenClock,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    from telqc.core import login_throttle
    from telqc.jobs import celery_app, tasks

    window = app.state.settings.login_window_minutes
    c = _from(app, "198.51.100.7")
    assert _try(c, "typo-name-1", "nope-nope").status_code == 401
    clock.advance(timedelta(minutes=window + 1))
    assert _try(c, "typo-name-2", "nope-nope").status_code == 401
    with app.state.sessionmaker() as s:
        assert login_throttle.purge(s, clock.now(), window) == 1  # typo-name-1's window has ended; the rest is open
        s.commit()
        assert sorted(s.scalars(select(LoginFailure.key))) == ["198.51.100.7", "typo-name-2"]
    assert celery_app.celery.conf.beat_schedule["purge-login-failures"]["task"] == celery_app.PURGE_LOGIN_FAILURES_TASK
    monkeypatch.setattr(tasks, "session_factory", lambda: app.state.sessionmaker)
    assert tasks.purge_login_failures() == 2  # the job runs on the wall clock, long after the frozen test time
    with app.state.sessionmaker() as s:
        assert list(s.scalars(select(LoginFailure.key))) == []
