"""No operation of /openapi.json answers a server error, whatever a client sends within or outside its schema
(issue 17: a schemathesis run found 36 operations answering 500).

Schemathesis generates the requests from the published schema (valid and invalid ones), as an administrator
(every operation reachable) and as an agent (scoped); derandomised and bounded so that CI runs the same
cases every time. Two checks, as issue 17 asks: no server error (``not_a_server_error``), and every answer
matches the response schema /openapi.json publishes for its status (``response_schema_conformance``). A
failure names the operation, the request and the answer."""

from __future__ import annotations

import os
from typing import Any

import pytest
import schemathesis
from fastapi import FastAPI
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, Phase, given, settings
from schemathesis.core.failures import Failure, FailureGroup
from schemathesis.core.result import Err
from schemathesis.specs.openapi.checks import response_schema_conformance

from helpers import login, make_user
from telqc.core.rbac import Role

EXAMPLES = int(os.environ.get("TELQC_FUZZ_EXAMPLES", "8"))


# Ends the fuzzer's own session (logout is tested in tests/core); every other operation is fuzzed.
SKIP = {("POST", "/api/v1/auth/logout")}


def _probe(op: Any, headers: dict[str, str]) -> str | None:
    """The first server error or off-schema answer among this operation's generated cases; None if none."""
    found: list[str] = []

    @settings(max_examples=EXAMPLES, derandomize=True, deadline=None, database=None,
              suppress_health_check=list(HealthCheck), phases=[Phase.explicit, Phase.generate])
    @given(case=op.as_strategy())
    def probe(case: Any) -> None:
        if found:
            return
        case.headers = {**(case.headers or {}), **headers}  # generated auth headers replaced by ours
        request = f"{op.method.upper()} {op.path} {case.path_parameters} {case.query} {str(case.body)[:300]}"
        try:
            r = case.call()
        except Exception as exc:  # the app raised: what a client sees as a 500
            found.append(f"{request} -> {type(exc).__name__}: {str(exc)[:300]}")
            return
        if r.status_code >= 500:
            found.append(f"{request} -> {r.status_code} {r.text[:300]}")
            return
        try:
            case.validate_response(r, checks=[response_schema_conformance])
        except (Failure, FailureGroup) as exc:  # FailureGroup is a BaseExceptionGroup, not an Exception
            found.append(f"{request} -> {r.status_code} {r.text[:200]}: not the published schema: {str(exc)[:400]}")

    probe()
    return found[0] if found else None


def _run(app: FastAPI, client: TestClient) -> list[str]:
    schema = schemathesis.openapi.from_asgi("/openapi.json", app)
    headers = login(client, "fuzzer")
    failures = []
    for result in schema.get_all_operations():
        if isinstance(result, Err):  # an operation whose published schema cannot be read is a failure too
            failures.append(f"invalid schema: {result.err()}")
            continue
        op = result.ok()
        if (op.method.upper(), op.path) not in SKIP and (found := _probe(op, headers)) is not None:
            failures.append(found)
    return failures


@pytest.mark.parametrize("role", [Role.admin, Role.agent])
def test_no_operation_answers_a_server_error(app: FastAPI, client: TestClient, role: Role) -> None:
    make_user(app, "fuzzer", role, region_scope=None if role is Role.admin else ["440000"])
    failures = _run(app, client)
    assert failures == [], "\n".join(failures)
