"""Builders for quality-inspection tests: interaction lines, users, API shortcuts."""

from __future__ import annotations

import io
import json
from collections.abc import Sequence
from typing import Any

from fastapi.testclient import TestClient

from helpers import login, make_user
from telqc.core.rbac import Role

CLEAN = [
    ("agent", "您好，很高兴为您服务，请问有什么可以帮您？"),
    ("customer", "你好，我想查一下这个月的话费。"),
    ("agent", "好的，先核实一下您的身份，请提供机主姓名和身份证后四位。"),
    ("customer", "张伟，后四位是一二三四。"),
    ("agent", "验证通过，您本月话费是五十九元，包含套餐费和流量费。"),
    ("customer", "好的，明白了，谢谢。"),
    ("agent", "请问还有其他可以帮您的吗？"),
    ("customer", "没有了。"),
    ("agent", "感谢您的来电，祝您生活愉快，再见。"),
]


def turns(script: list[tuple[str, str]] | None = None, gap_ms: int = 500) -> list[dict[str, Any]]:
    """Timed turns: each lasts ~4 chars/s, separated by ``gap_ms`` of silence."""
    out, now = [], 0
    for speaker, text in script or CLEAN:
        dur = max(1000, len(text) * 250)
        out.append({"speaker": speaker, "start_ms": now, "end_ms": now + dur, "text": text})
        now += dur + gap_ms
    return out


def line(agent: str = "agent1", **kw: Any) -> dict[str, Any]:
    rec: dict[str, Any] = {"channel": "hotline", "agent": agent, "started_at": "2026-11-02T01:00:00+00:00",
                           "queue_wait_s": 12, "hold_s": 0, "acw_s": 30, "turns": turns()}
    rec.update(kw)
    return rec


def jsonl(records: Sequence[dict[str, Any] | str]) -> str:
    return "\n".join(r if isinstance(r, str) else json.dumps(r, ensure_ascii=False) for r in records) + "\n"


def upload(client: TestClient, headers: dict[str, str], text: str) -> Any:
    return client.post("/api/v1/interactions/import", headers=headers,
                       files={"file": ("calls.jsonl", io.BytesIO(text.encode()), "application/x-ndjson")})


def team(app: Any, client: TestClient) -> dict[str, Any]:
    """The cast of an inspection story: admin, QA manager, two inspectors... and three agents."""
    ids = {
        "admin": make_user(app, "qa_admin", Role.admin),
        "insp1": make_user(app, "insp1", Role.inspector),
        "insp2": make_user(app, "insp2", Role.inspector),
        "insp3": make_user(app, "insp3", Role.inspector),
        "agent1": make_user(app, "agent1", Role.agent, region_scope=["440000"]),
        "agent2": make_user(app, "agent2", Role.agent, region_scope=["440000"]),
        "agent3": make_user(app, "agent3", Role.agent, region_scope=["440000"]),
    }
    h = {name: login(client, user) for name, user in [
        ("admin", "qa_admin"), ("insp1", "insp1"), ("insp2", "insp2"), ("insp3", "insp3"), ("agent1", "agent1"),
        ("agent2", "agent2"), ("agent3", "agent3")]}
    return {"ids": ids, "h": h}
