"""Exam results feed evaluation (issue 22 item 2): the best passed exam of the period is a component."""

from __future__ import annotations

from datetime import UTC, datetime

from fastapi import FastAPI
from fastapi.testclient import TestClient

from telqc.core.clock import FrozenClock
from training.training_data import perfect_sheet, setup

T = "/api/v1/training"


def test_a_passed_exam_earns_its_points_and_a_missing_one_is_left_out(app: FastAPI, client: TestClient,
                                                                      clock: FrozenClock) -> None:
    t = setup(app, client)
    h, ids, exam = t["h"], t["ids"], t["exam"]
    now = clock.now()
    clock.set(datetime(2026, 10, 15, 2, 0, tzinfo=UTC))  # the exams are sat in October
    r = client.post(f"{T}/assignments", headers=h["trainer"],
                    json={"course_id": t["course"]["id"], "agent_ids": [ids["agent1"], ids["agent2"]]})
    assert r.status_code == 201, r.text
    paper = client.post(f"{T}/mine/exams/{exam['id']}/attempts", headers=h["agent1"]).json()
    assert client.post(f"{T}/mine/attempts/{paper['id']}/submit", headers=h["agent1"],
                       json={"answers": perfect_sheet(paper["questions"])}).status_code == 200
    paper = client.post(f"{T}/mine/exams/{exam['id']}/attempts", headers=h["agent2"]).json()
    assert client.post(f"{T}/mine/attempts/{paper['id']}/submit", headers=h["agent2"],
                       json={"answers": {}}).status_code == 200  # a fail: no exam score
    clock.set(now)
    r = client.post("/api/v1/evaluation/runs", headers=h["gd_sup"], json={
        "name": "2026年10月坐席考评", "period_start": "2026-10-01", "period_end": "2026-10-31", "province": "440000"})
    assert r.status_code == 201, r.text
    parts = {x["agent_id"]: {p["key"]: p for p in x["parts"]} for x in r.json()["results"]}
    passed = parts[ids["agent1"]]["exam_score"]
    assert (passed["name"], passed["raw"], passed["points"], passed["shown"]) == ("考试成绩", 100.0, 100.0, "100.0 分")
    assert passed["method"] == "对标目标 90 分"
    failed = parts[ids["agent2"]]["exam_score"]
    assert failed["raw"] is None and failed["weight"] == 0.0, "a missing exam neither helps nor hurts"
