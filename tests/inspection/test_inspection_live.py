"""Live inspection over WebSockets: authentication, alerts across API processes via Redis, local fallback."""

from __future__ import annotations

import logging
import os
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.routing import APIWebSocketRoute
from fastapi.testclient import TestClient
from sqlalchemy import select
from starlette.websockets import WebSocketDisconnect

from helpers import login, make_user
from inspection.route_rules import WEBSOCKET_RULES
from telqc.api.app import create_app, routers
from telqc.contacts.models import Contact, Interaction
from telqc.core.clock import FrozenClock
from telqc.core.rbac import Role
from telqc.core.settings import Settings
from telqc.inspection.live_api import WEBSOCKET_PERMISSIONS

IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")
CALL = "/api/v1/qa/live/calls/{}"
ALERTS = "/api/v1/qa/live/alerts"
THREAT = {"speaker": "customer", "start_ms": 4000, "end_ms": 7000, "text": "再不解决我就打12300"}
GREETING = {"speaker": "agent", "start_ms": 0, "end_ms": 3000, "text": "您好，很高兴为您服务"}


def _redis_problem(url: str) -> str | None:
    import redis

    try:
        redis.Redis.from_url(url, socket_connect_timeout=1).ping()
        return None
    except Exception as exc:
        return str(exc)


@pytest.fixture
def redis_required(settings: Settings) -> None:
    problem = _redis_problem(settings.redis_url)
    if problem:
        if IN_CI:
            pytest.fail(f"Redis is required in CI for the live alert path ({settings.redis_url}): {problem}")
        pytest.skip(f"Redis not reachable at {settings.redis_url} ({problem}); live cross-process test needs it")


def _people(app: Any, client: TestClient) -> dict[str, dict[str, str]]:
    make_user(app, "gw", Role.admin)
    make_user(app, "sup", Role.supervisor, region_scope=["440000"])
    make_user(app, "agent", Role.agent, region_scope=["440000"])
    make_user(app, "sup_zj", Role.supervisor, region_scope=["330000"])
    make_user(app, "agent_zj", Role.agent, region_scope=["330000"])
    return {u: login(client, u) for u in ("gw", "sup", "agent", "sup_zj")}


def test_websocket_rules_match_the_routes() -> None:
    found = {r.path for router in routers() for r in router.routes if isinstance(r, APIWebSocketRoute)}
    assert found == set(WEBSOCKET_RULES)
    assert {k: v.value for k, v in WEBSOCKET_PERMISSIONS.items()} == WEBSOCKET_RULES


def test_websockets_refuse_anonymous_and_wrong_role(app: FastAPI, client: TestClient) -> None:
    h = _people(app, client)
    for url, headers, code in [(ALERTS, {}, 4401), (ALERTS, h["agent"], 4403), (CALL.format("c1"), h["sup"], 4403),
                               (CALL.format("c1"), {"Authorization": "Bearer nope"}, 4401)]:
        with pytest.raises(WebSocketDisconnect) as exc, client.websocket_connect(url, headers=headers) as ws:
            ws.receive_json()
        assert exc.value.code == code, url


def test_alert_reaches_a_supervisor_on_another_api_process(app: FastAPI, client: TestClient, settings: Settings,
                                                           clock: FrozenClock,
                                                           redis_required: None) -> None:
    h = _people(app, client)
    other = create_app(settings, clock)  # a second stateless API process on the same database and Redis
    with TestClient(other) as client_b, client_b.websocket_connect(ALERTS, headers=h["sup"]) as sup:
        assert sup.receive_json() == {"type": "ready", "mode": "redis"}
        with client.websocket_connect(CALL.format("call-42") + "?agent=agent", headers=h["gw"]) as call:
            call.send_json(GREETING)
            assert call.receive_json() == {"type": "hits", "turn": 0, "hits": [], "alerts": 0}
            call.send_json(THREAT)
            ack = call.receive_json()
            assert ack["alerts"] == 1 and ack["hits"][0]["rule_id"] == "escalation_threat"
            alert = sup.receive_json()
            assert alert["type"] == "alert" and alert["call_id"] == "call-42" and alert["province_code"] == "440000"
            assert alert["rule_id"] == "escalation_threat" and alert["label"] == "客户越级投诉倾向"
            assert alert["turn_index"] == 1 and alert["text"] == "12300"
            call.send_text("{not json")
            assert call.receive_json()["type"] == "error"
            call.send_json({"type": "end"})
            final = call.receive_json()
            assert final["type"] == "final" and [x["rule_id"] for x in final["hits"]] == ["closing_missing"]
            assert final["saved"] is True
    other.state.engine.dispose()
    with app.state.sessionmaker() as s:  # the hung-up call is an interaction like an imported one
        inter = s.get(Interaction, final["interaction_id"])
        assert inter is not None and inter.external_id == "live-call-42" and inter.source == "live"
        assert [tr["text"] for tr in inter.turns] == [GREETING["text"], THREAT["text"]]
        contact = s.get(Contact, final["interaction_id"])
        assert contact is not None and contact.province_code == "440000"
    hits = client.get(f"/api/v1/interactions/{final['interaction_id']}/hits", headers=h["gw"])
    assert hits.status_code == 200 and "escalation_threat" in {x["rule_id"] for x in hits.json()}, hits.text


def test_without_redis_alerts_fan_out_in_process_with_a_warning(app: FastAPI, client: TestClient,
                                                                caplog: pytest.LogCaptureFixture) -> None:
    h = _people(app, client)
    app.state.settings = app.state.settings.model_copy(update={"redis_url": "redis://127.0.0.1:1/0"})
    caplog.set_level(logging.WARNING, logger="telqc.inspection.live")
    with client.websocket_connect(ALERTS, headers=h["sup"]) as sup:
        assert sup.receive_json() == {"type": "ready", "mode": "local"}
        with client.websocket_connect(CALL.format("c7") + "?agent=agent", headers=h["gw"]) as call:
            call.send_json(GREETING)
            call.receive_json()
            call.send_json({"speaker": "agent", "start_ms": 25_000, "end_ms": 27_000, "text": "不好意思久等了"})
            assert call.receive_json()["alerts"] == 1
            alert = sup.receive_json()
            assert alert["rule_id"] == "long_silence" and alert["value"] == 22000.0
    assert any("fall back to in-process" in r.getMessage() for r in caplog.records)


def test_supervisors_hear_only_calls_in_their_provinces(app: FastAPI, client: TestClient) -> None:
    h = _people(app, client)
    app.state.settings = app.state.settings.model_copy(update={"redis_url": "redis://127.0.0.1:1/0"})
    with client.websocket_connect(ALERTS, headers=h["sup_zj"]) as zj, \
            client.websocket_connect(ALERTS, headers=h["sup"]) as gd:
        zj.receive_json(), gd.receive_json()
        for call_id, agent in (("gd-1", "agent"), ("zj-1", "agent_zj")):
            with client.websocket_connect(CALL.format(call_id) + f"?agent={agent}", headers=h["gw"]) as call:
                call.send_json(THREAT)
                assert call.receive_json()["alerts"] == 1
                call.send_json({"type": "end"})
                assert call.receive_json()["saved"] is True
        first_zj = zj.receive_json()
        assert (first_zj["call_id"], first_zj["province_code"]) == ("zj-1", "330000"), "not the Guangdong call"
        assert gd.receive_json()["call_id"] == "gd-1"


def test_call_without_a_known_agent_is_inspected_but_not_saved(app: FastAPI, client: TestClient) -> None:
    h = _people(app, client)
    with client.websocket_connect(CALL.format("anon") + "?agent=ghost", headers=h["gw"]) as call:
        call.send_json(GREETING)
        call.receive_json()
        call.send_json({"type": "end"})
        final = call.receive_json()
    assert final["saved"] is False and final["errors"][0]["field"] == "agent"
    with app.state.sessionmaker() as s:
        assert s.scalar(select(Interaction).where(Interaction.external_id == "live-anon")) is None
