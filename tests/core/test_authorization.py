"""Every route × every role against the permission tables in ``tests/*/route_rules.py``.

The tables are the specification: a new route that no table lists fails
``test_every_route_has_a_rule``, and a route whose declared permission drifts
from its table fails ``test_declared_permissions_match_table``.
"""

from __future__ import annotations

import importlib.util
import re
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.routing import APIRoute, APIWebSocketRoute
from fastapi.testclient import TestClient

from helpers import login, make_user
from telqc.api.app import routers
from telqc.api.deps import AUTHENTICATED, route_permission
from telqc.core.rbac import ROLE_PERMISSIONS, Role

PUBLIC = None


def _load_tables() -> dict[tuple[str, str], str | None]:
    merged: dict[tuple[str, str], str | None] = {}
    for path in sorted(Path(__file__).resolve().parents[1].glob("*/route_rules.py")):
        spec = importlib.util.spec_from_file_location(f"route_rules_{path.parent.name}", path)
        assert spec and spec.loader
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        clash = merged.keys() & module.RULES.keys()
        assert not clash, f"{path}: routes listed twice: {clash}"
        merged.update(module.RULES)
    return merged


TABLE = _load_tables()


def _routes(app: FastAPI) -> list[tuple[str, str, APIRoute]]:
    out: list[tuple[str, str, APIRoute]] = []
    for router in routers():
        for r in router.routes:
            if isinstance(r, APIWebSocketRoute):
                continue  # WebSockets are not HTTP routes; their domain tests check their permission
            assert isinstance(r, APIRoute) and r.methods is not None
            out.extend((m, r.path, r) for m in sorted(r.methods - {"HEAD"}))
    openapi_paths = set(app.openapi()["paths"])
    assert openapi_paths <= {p for _, p, _ in out}, "a route is registered outside telqc.api.app.routers()"
    return out


def test_every_route_has_a_rule(app: FastAPI) -> None:
    found = {(m, p) for m, p, _ in _routes(app)}
    assert found - TABLE.keys() == set(), "routes without a rule in the permission table"
    assert TABLE.keys() - found == set(), "rules for routes that no longer exist"


def test_declared_permissions_match_table(app: FastAPI) -> None:
    for method, path, route in _routes(app):
        assert route_permission(route) == TABLE[(method, path)], f"{method} {path}"


def _allowed(role: Role, rule: str | None) -> bool:
    if rule in (PUBLIC, AUTHENTICATED):
        return True
    return rule in {p.value for p in ROLE_PERMISSIONS[role]}


@pytest.mark.parametrize("role", list(Role))
def test_route_by_role(app: FastAPI, client: TestClient, role: Role) -> None:
    make_user(app, "u", role, region_scope=["440000"])
    headers = login(client, "u")
    for method, path, _ in _routes(app):
        rule = TABLE[(method, path)]
        if rule is PUBLIC or path in ("/api/v1/auth/logout", "/logout"):
            continue
        url = re.sub(r"\{[^}]+\}", "1", path)
        resp = client.request(method, url, headers=headers, json={} if method in ("POST", "PATCH") else None,
                              follow_redirects=False)
        if _allowed(role, rule):
            assert resp.status_code not in (401, 403), f"{role} {method} {path} -> {resp.status_code} {resp.text}"
        else:
            assert resp.status_code == 403, f"{role} {method} {path} -> {resp.status_code}"


def test_anonymous_is_refused(app: FastAPI, client: TestClient) -> None:
    for method, path, _ in _routes(app):
        if TABLE[(method, path)] is PUBLIC:
            continue
        url = re.sub(r"\{[^}]+\}", "1", path)
        resp = client.request(method, url, follow_redirects=False)
        if path.startswith(("/api/", "/tmf-api/")):
            assert resp.status_code == 401, f"{method} {path} -> {resp.status_code}"
        else:
            assert resp.status_code == 303 and resp.headers["location"].startswith("/login"), f"{method} {path}"
