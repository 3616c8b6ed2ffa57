"""After the demo seed the trainer (孙丽娟) has work on the home page: the two Guangdong agents who failed the
identity exam await a retake with their course open again, and the evaluation's coach/help agents without training
are listed on the training page, where assigning them a course takes them off the list."""

from __future__ import annotations

import re

from fastapi import FastAPI
from fastapi.testclient import TestClient

from helpers import page_login
from telqc.demo.reference import DEMO_PASSWORD


def tile(html: str, key: str) -> int:
    m = re.search(rf'data-key="{re.escape(key)}">\s*<a href="[^"]+"><span class="n">(\d+)</span>', html)
    assert m, f"no tile {key}"
    return int(m.group(1))


def test_the_demo_trainer_has_to_dos(demo_app: FastAPI) -> None:
    client = TestClient(demo_app, raise_server_exceptions=False)
    csrf = page_login(client, "trainer", DEMO_PASSWORD)
    home = client.get("/").text
    assert "今日暂无待办事项" not in home
    assert tile(home, "home.training_retakes") == 2 and tile(home, "home.training_open") == 2
    needs = tile(home, "home.training_needs")
    assert needs > 0, "the seeded evaluations grade some agents 辅导/帮扶 who have had no training since"
    admin = client.get("/training").text
    section = admin.split('id="needs"', 1)[1].split("</section>", 1)[0]
    agent_ids = re.findall(r'name="agent_ids" value="(\d+)"', section)
    course = re.search(r'<select name="course_id"[^>]*><option value="(\d+)"', section)
    assert len(agent_ids) == needs and course is not None
    r = client.post("/training/assign", data={"csrf_token": csrf, "course_id": course.group(1),
                                              "agent_ids": agent_ids[:1], "note": "考评帮扶"}, follow_redirects=False)
    assert r.status_code == 303, r.text
    home = client.get("/").text
    assert tile(home, "home.training_needs") == needs - 1 and tile(home, "home.training_open") == 3
