"""The trainer's home page has work (issue 22, help for the weakest): agents the latest evaluation graded 辅导/帮扶
with no training since, failed exams awaiting a retake, courses not completed; the training page lists the first
and assigns them a course, which takes them off the list."""

from __future__ import annotations

import re
from datetime import UTC, datetime

from fastapi import FastAPI
from fastapi.testclient import TestClient

from helpers import page_login
from telqc.core.clock import FrozenClock
from training.training_data import setup

T = "/api/v1/training"


def tile(html: str, key: str) -> tuple[int, str]:
    m = re.search(rf'data-key="{re.escape(key)}">\s*<a href="([^"]+)"><span class="n">(\d+)</span>', html)
    assert m, f"no tile {key}"
    return int(m.group(2)), m.group(1)


def needs(html: str) -> list[str]:
    section = html.split('id="needs"', 1)[1].split("</section>", 1)[0]
    return re.findall(r'<tr data-agent="([^"]+)">', section)


def test_the_trainer_home_counts_evaluation_follow_ups_retakes_and_open_courses(
        app: FastAPI, client: TestClient, clock: FrozenClock) -> None:
    t = setup(app, client)
    h, ids, exam = t["h"], t["ids"], t["exam"]
    now = clock.now()
    clock.set(datetime(2026, 10, 15, 2, 0, tzinfo=UTC))
    r = client.post(f"{T}/assignments", headers=h["trainer"],
                    json={"course_id": t["course"]["id"], "agent_ids": [ids["agent2"]]})
    assert r.status_code == 201, r.text
    done = client.post(f"{T}/mine/assignments/{r.json()[0]['id']}/complete", headers=h["agent2"])
    assert done.status_code == 200, done.text
    paper = client.post(f"{T}/mine/exams/{exam['id']}/attempts", headers=h["agent2"]).json()
    assert client.post(f"{T}/mine/attempts/{paper['id']}/submit", headers=h["agent2"],
                       json={"answers": {}}).status_code == 200  # a fail: the course opens again (retrain)
    clock.set(now)
    r = client.post("/api/v1/evaluation/runs", headers=h["gd_sup"], json={
        "name": "2026年10月坐席考评", "period_start": "2026-10-01", "period_end": "2026-10-31", "province": "440000"})
    assert r.status_code == 201, r.text
    assert {x["agent_id"]: x["tier"] for x in r.json()["results"]} == {ids["agent1"]: "help", ids["agent2"]: "help"}

    page_login(client, "trainer")
    home = client.get("/").text
    assert tile(home, "home.training_needs") == (1, "/training#needs"), "agent2 is back on the course already"
    assert tile(home, "home.training_retakes") == (1, "/training#results")
    assert tile(home, "home.training_open") == (1, "/training#assignments")
    assert "考评后待培训坐席" in home

    admin = client.get("/training").text
    assert needs(admin) == ["agent1"] and "2026年10月坐席考评" in admin
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', admin)
    assert csrf is not None
    r = client.post("/training/assign", data={"csrf_token": csrf.group(1), "course_id": str(t["course"]["id"]),
                                              "agent_ids": [str(ids["agent1"])], "note": "考评帮扶"},
                    follow_redirects=False)
    assert r.status_code == 303, r.text
    assert needs(client.get("/training").text) == []
    home = client.get("/").text
    assert tile(home, "home.training_needs")[0] == 0 and tile(home, "home.training_open")[0] == 2
