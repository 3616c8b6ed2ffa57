"""Live inspection: incremental rules on a streaming call, alerts fanned out to supervisors.

A call's turns arrive on one API process; the supervisor watching may be connected to any
other (the web tier is stateless, DESIGN.md). Alerts therefore go through Redis pub/sub:
each process keeps ONE subscription and fans out to its local supervisor sockets. Without
Redis (a dev laptop) the bus falls back to in-process fan-out and says so in the log.
The service target is "a supervisor sees it within a second of the turn" (issue 3).
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import json
import logging
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any, cast

from telqc.core.i18n import t
from telqc.inspection.calls import Hit, SpeakerName, Turn
from telqc.inspection.engine import Inspector, LiveSession

log = logging.getLogger("telqc.inspection.live")
QUEUE_LIMIT = 1000  # a supervisor socket that stops reading loses alerts rather than memory


def channel_for(database_url: str) -> str:
    """One channel per installation (database), so test runs and tenants never cross."""
    return "telqc:qa:alerts:" + hashlib.sha256(database_url.encode()).hexdigest()[:12]


class AlertBus:
    """Publish/subscribe of alert dicts: Redis when reachable, else in-process."""

    def __init__(self, redis_url: str, channel: str, *, require_redis: bool = False) -> None:
        self.redis_url = redis_url
        self.channel = channel
        self.require_redis = require_redis
        self.mode = "starting"
        self._subs: set[asyncio.Queue[dict[str, Any]]] = set()
        self._redis: Any = None
        self._task: asyncio.Task[None] | None = None
        self._publisher: asyncio.Task[None] | None = None
        self._out: asyncio.Queue[dict[str, Any]] | None = None
        self._lock: asyncio.Lock | None = None
        self.loop: asyncio.AbstractEventLoop | None = None

    async def start(self) -> None:
        """Connect and subscribe once; later calls return at once. Safe under concurrent callers."""
        if self._lock is None:
            self._lock = asyncio.Lock()
            self.loop = asyncio.get_running_loop()
        async with self._lock:
            if self.mode != "starting":
                return
            try:
                # Here, not at the top: redis.asyncio adds 60-120 ms to every API process's start-up (measured
                # after importing telqc.api.asgi, which loads no redis module), and only a process that serves a
                # live-QA WebSocket reaches this line.
                import redis.asyncio as aioredis  # noqa: PLC0415

                client = aioredis.from_url(self.redis_url, socket_connect_timeout=2.0, max_connections=8)
                await asyncio.wait_for(client.ping(), 2.0)
                pubsub = client.pubsub(ignore_subscribe_messages=True)
                await pubsub.subscribe(self.channel)
                self._redis = client
                self._task = asyncio.create_task(self._listen(pubsub))
                self._out = asyncio.Queue()
                self._publisher = asyncio.create_task(self._publish_loop())
                self.mode = "redis"
            except Exception as exc:
                if self.require_redis:
                    raise
                log.warning("Redis unreachable at %s (%s): live QA alerts fall back to in-process fan-out; "
                            "supervisors on other API processes will not see them", self.redis_url, exc)
                self.mode = "local"

    async def _listen(self, pubsub: Any) -> None:
        try:
            async for msg in pubsub.listen():
                if msg.get("type") == "message":
                    self._fan_out(json.loads(msg["data"]))
        except asyncio.CancelledError:
            raise
        except Exception as exc:  # connection lost: keep alerts flowing locally
            log.warning("Redis subscription lost (%s): falling back to in-process alerts", exc)
            self.mode = "local"

    def _fan_out(self, alert: dict[str, Any]) -> None:
        for q in list(self._subs):
            if q.qsize() < QUEUE_LIMIT:
                q.put_nowait(alert)

    async def publish(self, alert: dict[str, Any]) -> None:
        """Queue for the one publisher connection (no connection storm under load); never blocks a call."""
        await self.start()
        if self.mode == "redis" and self._out is not None:
            self._out.put_nowait(alert)
        else:
            self._fan_out(alert)

    async def _publish_loop(self) -> None:
        """Pipeline whatever queued up since the last round trip: batching keeps latency flat at peaks."""
        assert self._out is not None
        while True:
            batch = [await self._out.get()]
            while not self._out.empty() and len(batch) < 500:
                batch.append(self._out.get_nowait())
            try:
                async with self._redis.pipeline(transaction=False) as pipe:
                    for alert in batch:
                        pipe.publish(self.channel, json.dumps(alert, ensure_ascii=False))
                    await pipe.execute()
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # a Redis hiccup: this process's supervisors still get them
                log.warning("Redis publish failed (%s): %d alert(s) delivered in-process only", exc, len(batch))
                for alert in batch:
                    self._fan_out(alert)

    @contextlib.asynccontextmanager
    async def subscribe(self) -> AsyncIterator[asyncio.Queue[dict[str, Any]]]:
        await self.start()
        q: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
        self._subs.add(q)
        try:
            yield q
        finally:
            self._subs.discard(q)

    async def close(self) -> None:
        for task in (self._task, self._publisher):
            if task is not None:
                task.cancel()
                with contextlib.suppress(BaseException):
                    await task
        if self._redis is not None:
            with contextlib.suppress(Exception):
                await self._redis.aclose()


def bus_for(state: Any, redis_url: str, channel: str) -> AlertBus:
    """The app's bus, bound to the running event loop (a new loop — e.g. a new test client — gets a new bus)."""
    bus: AlertBus | None = getattr(state, "qa_alert_bus", None)
    loop = asyncio.get_running_loop()
    if bus is None or (bus.loop is not None and bus.loop is not loop):
        bus = AlertBus(redis_url, channel)
        state.qa_alert_bus = bus
    return bus


@dataclass
class LiveCall:
    """One streaming call: the engine's live session plus what an alert must say about the call."""

    call_id: str
    session: LiveSession
    agent_id: int | None = None
    lang: str = "zh-CN"
    province_code: str | None = None
    agent_name: str | None = None  # a supervisor reads the agent's name, not their id
    turns: int = 0
    alerts: list[dict[str, Any]] = field(default_factory=list)
    transcript: list[dict[str, Any]] = field(default_factory=list)

    @classmethod
    def start(cls, inspector: Inspector, call_id: str, agent_id: int | None = None, lang: str = "zh-CN",
              province_code: str | None = None) -> LiveCall:
        return cls(call_id, inspector.session(), agent_id, lang, province_code)

    def feed(self, raw: dict[str, Any], arrived_ns: int | None = None) -> tuple[list[Hit], list[dict[str, Any]]]:
        """Feed one turn; returns every new hit and the alerts to publish (``alert: true`` rules)."""
        arrived_ns = arrived_ns or time.time_ns()
        # Turn refuses a speaker that is not a SpeakerName
        turn = Turn(cast(SpeakerName, str(raw["speaker"])), int(raw["start_ms"]), int(raw["end_ms"]), str(raw["text"]))
        hits = self.session.feed(turn)
        self.turns += 1
        self.transcript.append({"speaker": turn.speaker, "start_ms": turn.start_ms, "end_ms": turn.end_ms,
                                "text": turn.text})
        alerts = [self._alert(h, arrived_ns, raw.get("sent_ns")) for h in hits if h.alert]
        self.alerts += alerts
        return hits, alerts

    def finish(self) -> list[Hit]:
        return self.session.finish()

    def _alert(self, h: Hit, arrived_ns: int, sent_ns: Any) -> dict[str, Any]:
        return {
            "call_id": self.call_id, "agent_id": self.agent_id, "agent_name": self.agent_name,
            "province_code": self.province_code,
            "rule_id": h.rule_id, "kind": h.kind,
            "severity": h.severity, "label": t(f"qa.alert.{h.rule_id}", self.lang), "turn_index": h.turn_index,
            "start_ms": h.start_ms, "text": h.text, "value": h.value, "arrived_ns": arrived_ns,
            "sent_ns": sent_ns if isinstance(sent_ns, int) else None,
        }


def may_see(region_scope: tuple[str, ...] | None, alert: dict[str, Any]) -> bool:
    """A provincial supervisor hears only about calls in their provinces; unplaced calls go to national roles."""
    if region_scope is None:
        return True
    return alert.get("province_code") in region_scope


def hit_dict(h: Hit) -> dict[str, Any]:
    return h._asdict()
