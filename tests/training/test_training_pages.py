"""The training pages from the browser's side: the trainer builds a course, a bank and an exam; the agent studies,
sits the exam with its countdown and reads the result; errors are messages, names are shown, never ids."""

from __future__ import annotations

import re

from fastapi import FastAPI
from fastapi.testclient import TestClient

from helpers import page_login
from training.training_data import article, people


def test_trainer_builds_and_agent_sits_the_exam(app: FastAPI, client: TestClient) -> None:
    p = people(app, client)
    aid = article(client, p["h"])
    csrf = page_login(client, "trainer")
    page = client.get("/training")
    assert page.status_code == 200 and "培训管理" in page.text and 'href="/training"' in page.text
    r = client.post("/training/courses", data={"csrf_token": csrf, "title": "身份核实专项培训",
                                                "article_ids": str(aid), "qa_items": "verification.identity"},
                    follow_redirects=False)
    assert r.status_code == 303, r.text
    course_url = r.headers["location"]
    cid = int(course_url.rsplit("=", 1)[1])
    qurl = f"/training/courses/{cid}/questions"
    r = client.post(qurl, data={"csrf_token": csrf, "type": "single", "text": "首选的核实方式？",
                                "options": "询问姓名\n服务密码", "correct": "2", "points": "2"}, follow_redirects=False)
    assert r.status_code == 303, r.text
    r = client.post(qurl, data={"csrf_token": csrf, "type": "multiple", "text": "可用于核实身份的有？",
                                "options": "身份证号\n服务密码\n星座", "correct": "1,2", "points": "2"},
                    follow_redirects=False)
    assert r.status_code == 303
    r = client.post(qurl, data={"csrf_token": csrf, "type": "true_false", "text": "报出姓名即可过户。",
                                "answer": "false"}, follow_redirects=False)
    assert r.status_code == 303
    r = client.post(qurl, data={"csrf_token": csrf, "type": "short", "text": "过户前核实什么？",
                                "rubric": "身份证/证件=1\n服务密码=1", "points": "2"}, follow_redirects=False)
    assert r.status_code == 303
    bad = client.post(qurl, data={"csrf_token": csrf, "type": "single", "text": "没有答案的题", "options": "甲\n乙"})
    assert bad.status_code == 422 and "the key must name existing options" in bad.text and 'role="alert"' in bad.text
    bank = client.get(course_url).text
    assert "服务密码" in bank and bank.count('data-question="') == 4
    r = client.post("/training/exams", data={"csrf_token": csrf, "course_id": str(cid), "title": "身份核实考试",
                                             "draw_count": "4", "time_limit_min": "20", "retrain_after_fail": "1"},
                    follow_redirects=False)
    assert r.status_code == 303, r.text
    agent_id = p["ids"]["agent1"]
    r = client.post("/training/assign", data={"csrf_token": csrf, "course_id": str(cid), "agent_ids": [str(agent_id)]},
                    follow_redirects=False)
    assert r.status_code == 303
    admin = client.get("/training").text
    assert "agent1" in admin and "身份核实考试" in admin and "手工指派" in admin

    client.cookies.clear()
    csrf = page_login(client, "agent1")
    home = client.get("/training/mine")
    assert home.status_code == 200 and "我的培训与考试" in home.text and "客户身份核实规范" in home.text
    m = re.search(r'action="(/training/mine/exams/\d+/start)"', home.text)
    assert m, home.text
    r = client.post(m.group(1), data={"csrf_token": csrf}, follow_redirects=False)
    assert r.status_code == 303
    paper_url = r.headers["location"]
    paper = client.get(paper_url).text
    assert 'id="countdown"' in paper and "/static/training.js" in paper and "data-deadline=" in paper
    assert "correct" not in paper and "身份证/证件" not in paper, "no key on the paper"
    answers: dict[str, object] = {"csrf_token": csrf}
    for qid, kind in re.findall(r'data-question="(\d+)"><legend>\d+\. [^<]*<span class="muted">（([^，]+)', paper):
        answers[f"q{qid}"] = {"单选题": "1", "多选题": ["0", "1"], "判断题": "1", "简答题": "证件和服务密码"}[kind]
    assert len(answers) == 5
    r = client.post(f"{paper_url}/submit", data=answers, follow_redirects=False)
    assert r.status_code == 303, r.text
    result = client.get(paper_url).text
    assert "7 / 7" in result and "通过" in result and "参考答案" in result
    assert "您已通过该考试" in client.get("/training/mine").text
    assert client.get("/training").status_code == 403


def test_an_exam_for_a_course_numbered_in_superscript_is_the_forms_error(app: FastAPI, client: TestClient) -> None:
    """`str.isdigit` passes "²" (and any length), which `int` or the query then refused: a 500, now a 422."""
    people(app, client)
    trainer = TestClient(app, raise_server_exceptions=False)
    csrf = page_login(trainer, "trainer")
    for course in ("²", "9" * 30):
        r = trainer.post("/training/exams", data={"csrf_token": csrf, "course_id": course, "title": "身份核实考试",
                                                  "draw_count": "4", "time_limit_min": "20"})
        assert r.status_code == 422, r.text
        assert 'role="alert"' in r.text
