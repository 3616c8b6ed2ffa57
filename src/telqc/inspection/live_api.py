"""Live WebSockets: a call streams its turns in; supervisors receive the alerts.

``/api/v1/qa/live/calls/{call_id}`` (permission interactions:import — the ASR/telephony
gateway's account) takes JSON turns ``{speaker, start_ms, end_ms, text[, sent_ns]}`` and
``{"type": "end"}``; it answers each turn with ``{"type": "hits", ...}``.
``/api/v1/qa/live/alerts`` (permission alerts:live) pushes each alert as it happens.
Both authenticate with the session cookie, a bearer header or ``?token=``; refusals close
the socket with 4401 (not signed in) or 4403 (role lacks the permission).
"""

from __future__ import annotations

import asyncio
import json
import time
from typing import Any

from fastapi import WebSocket, WebSocketDisconnect
from starlette.concurrency import run_in_threadpool

from telqc.api.deps import SESSION_COOKIE, request_language
from telqc.core import auth
from telqc.core.context import Ctx
from telqc.core.i18n import t
from telqc.core.rbac import Perm, Principal
from telqc.inspection import scorecards
from telqc.inspection.engine import Inspector
from telqc.inspection.live import LiveCall, bus_for, channel_for, hit_dict

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
    with state.sessionmaker() as session:
        ctx = Ctx(session=session, clock=state.clock, settings=state.settings)
        principal = auth.resolve(ctx, token) if token else None
        inspector = None
        if principal is not None and with_engine:
            inspector = scorecards.compiled(scorecards.ensure_default(ctx))[1]
        session.commit()
    return principal, inspector


async def _admit(ws: WebSocket, perm: Perm, with_engine: bool = False) -> tuple[Principal, Inspector | None] | None:
    principal, inspector = await run_in_threadpool(_connect, ws, _token(ws), with_engine)
    if principal is None:
        await ws.close(code=4401, reason="unauthenticated")
        return None
    if not principal.can(perm):
        await ws.close(code=4403, reason=f"forbidden: needs {perm.value}")
        return None
    return principal, inspector


def _bus(ws: WebSocket) -> Any:
    settings = ws.app.state.settings
    return bus_for(ws.app.state, settings.redis_url, channel_for(settings.effective_database_url))


async def live_call(ws: WebSocket, call_id: str) -> None:
    admitted = await _admit(ws, Perm.interactions_import, with_engine=True)
    if admitted is None:
        return
    _, inspector = admitted
    assert inspector is not None
    lang = request_language(ws)  # type: ignore[arg-type]
    agent = ws.query_params.get("agent_id")
    call = LiveCall.start(inspector, call_id, int(agent) if agent and agent.isdigit() else None, lang)
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
                    await ws.send_json({"type": "final", "hits": [hit_dict(h) for h in call.finish()]})
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
