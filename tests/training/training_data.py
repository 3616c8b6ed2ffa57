"""The cast and material of a training story: a trainer, supervisors of two provinces, agents, a published
knowledge article, a course with a question bank of every type, and an exam."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from fastapi.testclient import TestClient

from helpers import login, make_user
from telqc.core.rbac import Role

A = "/api/v1/training"
GD, ZJ = "440000", "330000"

QUESTIONS: list[dict[str, Any]] = [
    {"type": "single", "text": "办理业务前核实身份，首选哪种方式？", "options": ["询问姓名", "服务密码", "询问套餐"],
     "correct": [1], "points": 2, "explanation": "服务密码校验是首选方式"},
    {"type": "true_false", "text": "客户说出机主姓名即可办理停机。", "answer": False, "points": 1},
    {"type": "multiple", "text": "下列哪些可用于核实身份？", "options": ["身份证号", "服务密码", "星座", "机主姓名"],
     "correct": [0, 1, 3], "points": 3},
    {"type": "short", "text": "简述办理过户前的核实步骤。", "points": 4,
     "rubric": [{"keywords": ["身份证", "证件"], "points": 2}, {"keywords": ["服务密码"], "points": 2}]},
]
PERFECT: dict[str, Any] = {"single": 1, "true_false": False, "multiple": [0, 1, 3], "short": "核对证件和服务密码"}


def people(app: FastAPI, client: TestClient) -> dict[str, Any]:
    ids = {"trainer": make_user(app, "trainer", Role.trainer),
           "gd_sup": make_user(app, "gd_sup", Role.supervisor, [GD]),
           "zj_sup": make_user(app, "zj_sup", Role.supervisor, [ZJ]),
           "agent1": make_user(app, "agent1", Role.agent, [GD]), "agent2": make_user(app, "agent2", Role.agent, [GD]),
           "zj_agent": make_user(app, "zj_agent", Role.agent, [ZJ])}
    return {"ids": ids, "h": {n: login(client, n) for n in ids}}


def article(client: TestClient, h: dict[str, dict[str, str]]) -> int:
    """A published article: an agent writes it, a supervisor approves it (four eyes)."""
    r = client.post("/api/v1/kb/articles", headers=h["agent2"], json={
        "title": "客户身份核实规范", "body": "办理业务前须核实机主身份：服务密码或身份证件。", "category": "规范"})
    assert r.status_code == 201, r.text
    aid = r.json()["id"]
    assert client.post(f"/api/v1/kb/articles/{aid}/submit", json={}, headers=h["agent2"]).status_code == 200
    assert client.post(f"/api/v1/kb/articles/{aid}/approve", json={}, headers=h["gd_sup"]).status_code == 200
    return int(aid)


def course(client: TestClient, h: dict[str, str], article_id: int, **kw: Any) -> dict[str, Any]:
    body = {"title": "身份核实专项培训", "description": "按规定核实客户身份", "article_ids": [article_id],
            "qa_items": ["verification.identity"], **kw}
    r = client.post(f"{A}/courses", headers=h, json=body)
    assert r.status_code == 201, r.text
    return dict(r.json())


def bank(client: TestClient, h: dict[str, str], course_id: int) -> list[dict[str, Any]]:
    out = []
    for q in QUESTIONS:
        r = client.post(f"{A}/courses/{course_id}/questions", headers=h, json=q)
        assert r.status_code == 201, r.text
        out.append(r.json())
    return out


def exam(client: TestClient, h: dict[str, str], course_id: int, pool: list[int], **kw: Any) -> dict[str, Any]:
    body = {"course_id": course_id, "title": "身份核实考试", "pool": pool, "draw_count": len(pool),
            "time_limit_min": 30, "pass_mark": 80, "max_attempts": 3, "cooloff_hours": 24,
            "retrain_after_fail": True, **kw}
    r = client.post(f"{A}/exams", headers=h, json=body)
    assert r.status_code == 201, r.text
    return dict(r.json())


def setup(app: FastAPI, client: TestClient, **exam_kw: Any) -> dict[str, Any]:
    p = people(app, client)
    h = p["h"]
    c = course(client, h["trainer"], article(client, h))
    qs = bank(client, h["trainer"], c["id"])
    e = exam(client, h["trainer"], c["id"], [q["id"] for q in qs], **exam_kw)
    return {**p, "course": c, "questions": qs, "exam": e}


def perfect_sheet(paper: list[dict[str, Any]]) -> dict[str, Any]:
    return {str(q["id"]): PERFECT[q["type"]] for q in paper}
