"""Live WebSockets: a call streams its turns in; supervisors receive the alerts.

``/api/v1/qa/live/calls/{call_id}?agent=<username>[&customer_id=&channel=]`` (permission
interactions:import — the ASR/telephony gateway's account) takes JSON turns
``{speaker, start_ms, end_ms, text[, sent_ns]}`` and ``{"type": "end"}``; it answers each turn with
``{"type": "hits", ...}``. On hang-up the call is stored as an interaction with its transcript and
inspected like an imported one, so inspectors can sample and score it afterwards.
``/api/v1/qa/live/alerts`` (permission alerts:live) pushes each alert as it happens, only for calls
in the supervisor's provinces.
Both authenticate with the session cookie, a bearer header or ``?token=``; refusals close
the socket with 4401 (not signed in) or 4403 (role lacks the permission).
Their database work (admission, the agent's lookup, storing the call) runs in a worker thread and, on
SQLite, through the write gate every request passes (`telqc.api.deps.run_gated`), never on the event loop.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from fastapi import WebSocket, WebSocketDisconnect
from sqlalchemy import select

from telqc.api.deps import SESSION_COOKIE, request_language, run_gated
from telqc.core import auth
from telqc.core.i18n import t
from telqc.core.models import Team, User
from telqc.core.rbac import Perm, Principal
from telqc.inspection import importer, scorecards
from telqc.inspection.engine import Inspector
from telqc.inspection.live import LiveCall, bus_for, channel_for, hit_dict, may_see
from telqc.jobs.dispatch import job_ctx

log = logging.getLogger(__name__)

# Read by tests/inspection/route_rules.py: the WebSocket routes and the permission each needs.
WEBSOCKET_PERMISSIONS = {
    "/api/v1/qa/live/calls/{call_id}": Perm.interactions_import,
    "/api/v1/qa/live/alerts": Perm.alerts_live,
}
CALL_PATH, ALERTS_PATH = WEBSOCKET_PERMISSIONS


def _token(ws: WebSocket) -> str | None:
    header = ws.headers.get("authorization", "")
    if header.lower().startswith("bearer "):
        return header[7:].strip()
    return ws.query_params.get("token") or ws.cookies.get(SESSION_COOKIE)


def _connect(ws: WebSocket, token: str | None, with_engine: bool) -> tuple[Principal | None, Inspector | None]:
    state = ws.app.state
    with job_ctx(state.sessionmaker, state.clock, state.settings) as ctx:
        principal = auth.resolve(ctx, token) if token else None
        inspector = None
        if principal is not None and with_engine:
            inspector = scorecards.compiled(scorecards.ensure_default(ctx))[1]
    return principal, inspector


async def _admit(ws: WebSocket, perm: Perm, with_engine: bool = False) -> tuple[Principal, Inspector | None] | None:
    principal, inspector = await run_gated(ws, _connect, ws, _token(ws), with_engine)
    if principal is None:
        await ws.close(code=4401, reason="unauthenticated")
        return None
    if not principal.can(perm):
        await ws.close(code=4403, reason=f"forbidden: needs {perm.value}")
        return None
    return principal, inspector


@dataclass(frozen=True)
class _Caller:
    """Who is on the call, as the gateway names them in the query string."""

    agent: User | None
    province_code: str | None
    customer_id: int | None
    channel: str
    started_at: datetime


def _caller(ws: WebSocket) -> _Caller:
    state, q = ws.app.state, ws.query_params
    with state.sessionmaker() as session:
        agent = None
        if q.get("agent"):
            agent = session.scalar(select(User).where(User.username == q["agent"]))
        elif (raw := q.get("agent_id", "")).isdigit():
            agent = session.get(User, int(raw))
        province = None
        if agent is not None:
            team = session.get(Team, agent.team_id) if agent.team_id else None
            province = team.province_code if team else (agent.region_scope or [None])[0]
        if agent is not None:
            session.expunge(agent)
    customer = q.get("customer_id", "")
    return _Caller(agent, province, int(customer) if customer.isdigit() else None, q.get("channel") or "hotline",
                   state.clock.now())


def _save(ws: WebSocket, principal: Principal, call: LiveCall, caller: _Caller, lang: str) -> dict[str, Any]:
    """Store the finished call through the import path (same validation, inspection and audit)."""
    if caller.agent is None:
        return {"saved": False, "errors": [{"line": 1, "field": "agent", "msg": t("qa.live_no_agent", lang)}]}
    if not call.transcript:
        return {"saved": False, "errors": [{"line": 1, "field": "turns", "msg": t("qa.empty_import", lang)}]}
    state = ws.app.state
    line = json.dumps({"external_id": f"live-{call.call_id}"[:64], "channel": caller.channel,
                       "agent": caller.agent.username, "customer_id": caller.customer_id,
                       "started_at": caller.started_at.isoformat(), "turns": call.transcript}, ensure_ascii=False)
    try:
        with job_ctx(state.sessionmaker, state.clock, state.settings, principal) as ctx:
            ctx.lang = lang
            ids = importer.import_interactions(ctx, [line], source="live")
    except importer.ImportRejected as exc:  # rolled back: nothing of the call is stored
        return {"saved": False, "errors": [e.as_dict() for e in exc.errors]}
    return {"saved": True, "interaction_id": ids[0]}


def _bus(ws: WebSocket) -> Any:
    settings = ws.app.state.settings
    return bus_for(ws.app.state, settings.redis_url, channel_for(settings.effective_database_url))


async def live_call(ws: WebSocket, call_id: str) -> None:
    admitted = await _admit(ws, Perm.interactions_import, with_engine=True)
    if admitted is None:
        return
    principal, inspector = admitted
    assert inspector is not None
    lang = request_language(ws)
    caller = await run_gated(ws, _caller, ws)
    call = LiveCall.start(inspector, call_id, caller.agent.id if caller.agent else None, lang, caller.province_code)
    call.agent_name = caller.agent.display_name if caller.agent else None
    bus = _bus(ws)
    await bus.start()
    await ws.accept()
    try:
        while True:
            raw = await ws.receive_text()
            arrived = time.time_ns()
            try:
                msg = json.loads(raw)
                if msg.get("type") == "end":
                    final = [hit_dict(h) for h in call.finish()]
                    saved = await run_gated(ws, _save, ws, principal, call, caller, lang)
                    await ws.send_json({"type": "final", "hits": final, **saved})
                    await ws.close()
                    return
                hits, alerts = call.feed(msg, arrived)
            except (ValueError, KeyError, TypeError, AttributeError, RuntimeError) as exc:
                await ws.send_json({"type": "error", "message": t("qa.live_bad_message", lang, error=str(exc))})
                continue
            for alert in alerts:
                await bus.publish(alert)
            await ws.send_json({"type": "hits", "turn": call.turns - 1, "hits": [hit_dict(h) for h in hits],
                                "alerts": len(alerts)})
    except WebSocketDisconnect:
        return


async def live_alerts(ws: WebSocket) -> None:
    admitted = await _admit(ws, Perm.alerts_live)
    if admitted is None:
        return
    scope = admitted[0].region_scope
    bus = _bus(ws)
    async with bus.subscribe() as queue:
        await ws.accept()
        await ws.send_json({"type": "ready", "mode": bus.mode})
        closed = asyncio.ensure_future(_wait_closed(ws))
        try:
            while True:
                getter = asyncio.ensure_future(queue.get())
                done, _ = await asyncio.wait({getter, closed}, return_when=asyncio.FIRST_COMPLETED)
                if closed in done:
                    getter.cancel()
                    return
                alert = getter.result()
                if not may_see(scope, alert):
                    continue
                alert["delivered_ns"] = time.time_ns()
                await ws.send_json({"type": "alert", **alert})
        except (WebSocketDisconnect, RuntimeError):
            return
        finally:
            closed.cancel()


async def _wait_closed(ws: WebSocket) -> None:
    """Supervisors only listen; reading still tells us when they hang up."""
    try:
        while True:
            msg = await ws.receive()
            if msg["type"] == "websocket.disconnect":
                return
    except (WebSocketDisconnect, RuntimeError):
        return
