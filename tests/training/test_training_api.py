"""Training through the API: authoring, assignment, sitting exams (grading, time limit, retakes with the frozen
clock), who sees what, simulated calls, exam scores for evaluation, and assignment from weak QA items."""

from __future__ import annotations

import json
from datetime import date, timedelta
from typing import Any

from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import select

from helpers import login, make_user
from inspection.qa_helpers import jsonl, line, upload
from telqc.core.audit import AuditEntry
from telqc.core.clock import FrozenClock
from telqc.core.context import Ctx
from telqc.core.rbac import Role
from telqc.core.settings import Settings
from telqc.core.uow import UnitOfWork
from telqc.training import attempts, service
from telqc.training.grading import draw
from training.training_data import QUESTIONS, A, perfect_sheet, setup


def assign(client: TestClient, h: dict[str, str], course_id: int, *agents: int) -> list[dict[str, Any]]:
    r = client.post(f"{A}/assignments", headers=h, json={"course_id": course_id, "agent_ids": list(agents)})
    assert r.status_code == 201, r.text
    return list(r.json())


def start(client: TestClient, h: dict[str, str], exam_id: int) -> Any:
    return client.post(f"{A}/mine/exams/{exam_id}/attempts", headers=h)


def submit(client: TestClient, h: dict[str, str], attempt_id: int, answers: dict[str, Any]) -> Any:
    return client.post(f"{A}/mine/attempts/{attempt_id}/submit", headers=h, json={"answers": answers})


def test_author_assign_sit_and_pass(app: FastAPI, client: TestClient, clock: FrozenClock) -> None:
    t = setup(app, client)
    h, ids, e = t["h"], t["ids"], t["exam"]
    assert t["course"]["articles"][0]["name"] == "客户身份核实规范", "names, not ids"
    assert [q["key"] for q in t["questions"][:2]] == [{"correct": [1]}, {"correct": [1]}]
    assert e["course"] == "身份核实专项培训"

    assert start(client, h["agent1"], e["id"]).status_code == 404, "an exam of a course not assigned to them"
    made = assign(client, h["gd_sup"], t["course"]["id"], ids["agent1"])
    assert [(a["agent"], a["course"], a["reason"]) for a in made] == [("agent1", "身份核实专项培训", "manual")]
    assert assign(client, h["gd_sup"], t["course"]["id"], ids["agent1"]) == [], "already open"

    r = start(client, h["agent1"], e["id"])
    assert r.status_code == 201, r.text
    att = r.json()
    assert att["started_at"].startswith("2026-11-02T02:00") and att["deadline_at"].startswith("2026-11-02T02:30")
    assert sorted(q["id"] for q in att["questions"]) == sorted(q["id"] for q in t["questions"])
    assert all("key" not in q and "correct" not in q and "rubric" not in q for q in att["questions"])
    assert att["review"] == [] and att["score"] is None
    again = client.get(f"{A}/mine/attempts/{att['id']}", headers=h["agent1"]).json()
    assert [q["id"] for q in again["questions"]] == [q["id"] for q in att["questions"]], "the same paper"
    assert start(client, h["agent1"], e["id"]).status_code == 409, "one attempt at a time"

    clock.advance(timedelta(minutes=10))
    r = submit(client, h["agent1"], att["id"], perfect_sheet(att["questions"]))
    assert r.status_code == 200, r.text
    done = r.json()
    assert (done["status"], done["score"], done["max_score"], done["percent"], done["passed"]) == (
        "graded", 10, 10, 100, True)
    review = {x["question_id"]: x for x in done["review"]}
    single = t["questions"][0]
    assert review[single["id"]]["key"] == "服务密码" and review[single["id"]]["explanation"] == "服务密码校验是首选方式"
    assert submit(client, h["agent1"], att["id"], {}).status_code == 409, "already submitted"
    r = start(client, h["agent1"], e["id"])
    assert r.status_code == 409 and "已通过" in r.json()["detail"]

    mine = client.get(f"{A}/mine", headers=h["agent1"]).json()
    assert mine["exams"][0]["eligibility"] == {"ok": False, "reason": "passed", "message": "您已通过该考试，无需补考",
                                               "not_before": None}
    rows = client.get(f"{A}/results", headers=h["gd_sup"]).json()
    assert [(x["agent"], x["exam"], x["attempts"], x["best_percent"], x["passed"]) for x in rows] == [
        ("agent1", "身份核实考试", 1, 100, True)]
    assert client.get(f"{A}/results", headers=h["zj_sup"]).json() == [], "another province's agents"
    with app.state.sessionmaker() as s:
        actions = list(s.scalars(select(AuditEntry.action).where(AuditEntry.action.like("training.%"))))
    assert {"training.course_created", "training.question_added", "training.exam_created", "training.assigned",
            "training.attempt_started", "training.attempt_graded"} <= set(actions)


def test_partial_credit_and_fail(app: FastAPI, client: TestClient) -> None:
    t = setup(app, client)
    h, ids, e = t["h"], t["ids"], t["exam"]
    assign(client, h["trainer"], t["course"]["id"], ids["agent1"])
    att = start(client, h["agent1"], e["id"]).json()
    by_type = {q["type"]: q["id"] for q in att["questions"]}
    sheet = {str(by_type["single"]): 0, str(by_type["true_false"]): False, str(by_type["multiple"]): [0, 1, 2],
             str(by_type["short"]): "请出示身份证"}
    r = submit(client, h["agent1"], att["id"], {**sheet, str(by_type["single"]): 10**12})
    assert r.status_code == 422 and r.json()["detail"][0]["field"].startswith("body.answers."), r.text
    done = submit(client, h["agent1"], att["id"], sheet).json()
    earned = {x["question_id"]: x["earned"] for x in done["review"]}
    assert earned[by_type["single"]] == 0 and earned[by_type["true_false"]] == 1
    assert earned[by_type["multiple"]] == 1, "two right, one wrong of three keyed: 3 × 1/3"
    assert earned[by_type["short"]] == 2
    assert (done["score"], done["percent"], done["passed"]) == (4, 40, False)
    r = submit(client, h["agent1"], att["id"], {"999": 1})
    assert r.status_code == 409


def test_time_limit_then_cooling_off_and_retraining(app: FastAPI, client: TestClient, clock: FrozenClock) -> None:
    t = setup(app, client)
    h, ids, e = t["h"], t["ids"], t["exam"]
    (a,) = assign(client, h["trainer"], t["course"]["id"], ids["agent1"])
    att = start(client, h["agent1"], e["id"]).json()
    clock.advance(timedelta(minutes=30, seconds=31))
    r = submit(client, h["agent1"], att["id"], perfect_sheet(att["questions"]))
    assert r.status_code == 409 and "时间已到" in r.json()["detail"]
    late = client.get(f"{A}/mine/attempts/{att['id']}", headers=h["agent1"]).json()
    assert (late["status"], late["percent"], late["passed"]) == ("expired", 0, False), "persisted as failed"
    assert late["finished_at"].startswith("2026-11-02T02:30"), "finished at the deadline"

    r = start(client, h["agent1"], e["id"])
    assert r.status_code == 409 and "2026-11-03 10:30" in r.json()["detail"], "24 h after the deadline, Beijing"
    clock.advance(timedelta(hours=24))
    h = {n: login(client, n) for n in ("agent1", "agent2")}  # a day later: signed in again
    r = start(client, h["agent1"], e["id"])
    assert r.status_code == 409 and "重新完成课程" in r.json()["detail"], "retraining first"
    assert client.post(f"{A}/mine/assignments/{a['id']}/complete", headers=h["agent2"]).status_code == 404
    r = client.post(f"{A}/mine/assignments/{a['id']}/complete", headers=h["agent1"])
    assert r.status_code == 200 and r.json()["status"] == "completed"

    r = start(client, h["agent1"], e["id"])
    assert r.status_code == 201, r.text
    second = r.json()
    assert second["number"] == 2
    clock.advance(timedelta(minutes=30, seconds=25))  # inside the grace
    assert submit(client, h["agent1"], second["id"], {}).json()["passed"] is False
    reopened = [x for x in client.get(f"{A}/mine", headers=h["agent1"]).json()["assignments"]
                if x["status"] == "assigned"]
    assert [(x["reason"], x["note"]) for x in reopened] == [("retrain", "身份核实考试")], "the course again"

    clock.advance(timedelta(days=1))
    h1 = login(client, "agent1")
    assert start(client, h1, e["id"]).status_code == 409, "not retrained yet"
    assert client.post(f"{A}/mine/assignments/{reopened[0]['id']}/complete", headers=h1).status_code == 200
    third = start(client, h1, e["id"]).json()
    assert submit(client, h1, third["id"], {}).json()["passed"] is False
    assert not [x for x in client.get(f"{A}/mine", headers=h1).json()["assignments"] if x["status"] == "assigned"], \
        "no attempts left: no retraining to offer"
    clock.advance(timedelta(days=3))
    r = start(client, login(client, "agent1"), e["id"])
    assert r.status_code == 409 and "次数已用完" in r.json()["detail"]


def test_an_agent_sees_only_their_own(app: FastAPI, client: TestClient) -> None:
    t = setup(app, client)
    h, ids, e = t["h"], t["ids"], t["exam"]
    assign(client, h["gd_sup"], t["course"]["id"], ids["agent1"], ids["agent2"])
    att = start(client, h["agent1"], e["id"]).json()
    assert client.get(f"{A}/mine/attempts/{att['id']}", headers=h["agent2"]).status_code == 404
    assert submit(client, h["agent2"], att["id"], {}).status_code == 404
    assert client.get(f"{A}/courses/{t['course']['id']}/questions", headers=h["agent1"]).status_code == 403
    assert client.get(f"{A}/attempts/{att['id']}", headers=h["agent1"]).status_code == 403
    assert client.get(f"{A}/attempts/{att['id']}", headers=h["gd_sup"]).json()["review"] == [], "not while it runs"
    assert client.get(f"{A}/attempts/{att['id']}", headers=h["zj_sup"]).status_code == 404
    mine = client.get(f"{A}/mine", headers=h["agent2"]).json()
    assert [x["attempts"] for x in mine["exams"]] == [[]] and mine["exams"][0]["eligibility"]["ok"] is True
    r = client.post(f"{A}/assignments", headers=h["zj_sup"],
                    json={"course_id": t["course"]["id"], "agent_ids": [ids["agent1"]]})
    assert r.status_code == 422 and r.json()["detail"][0]["field"] == "body.agent_ids.0"


def test_bad_input_names_the_field(app: FastAPI, client: TestClient) -> None:
    t = setup(app, client)
    h, cid = t["h"]["trainer"], t["course"]["id"]
    bad = [({**QUESTIONS[0], "correct": [0, 1]}, "exactly one"), ({**QUESTIONS[0], "correct": [7]}, "existing"),
           ({**QUESTIONS[3], "points": 9}, "add up"), ({"type": "true_false", "text": "对吗？"}, "true or false")]
    for body, says in bad:
        r = client.post(f"{A}/courses/{cid}/questions", headers=h, json=body)
        assert r.status_code == 422 and says in r.json()["detail"][0]["msg"], r.text
    r = client.post(f"{A}/courses", headers=h, json={"title": "课程", "article_ids": [999]})
    assert r.status_code == 422 and r.json()["detail"][0]["field"] == "body.article_ids.0"
    pool = [q["id"] for q in t["questions"]]
    r = client.post(f"{A}/exams", headers=h, json={"course_id": cid, "title": "考试", "pool": pool, "draw_count": 9,
                                                   "time_limit_min": 10})
    assert r.status_code == 422 and r.json()["detail"][0]["field"] == "body.draw_count"
    retired = client.post(f"{A}/questions/{pool[0]}/retire", headers=h).json()
    assert retired["active"] is False
    r = client.post(f"{A}/exams", headers=h, json={"course_id": cid, "title": "考试", "pool": pool, "draw_count": 2,
                                                   "time_limit_min": 10})
    assert r.status_code == 422 and r.json()["detail"][0]["field"] == "body.pool.0"


def test_random_draw_per_attempt(app: FastAPI, client: TestClient, clock: FrozenClock) -> None:
    t = setup(app, client, draw_count=2, retrain_after_fail=False, cooloff_hours=0, max_attempts=20)
    h, ids, e = t["h"], t["ids"], t["exam"]
    assign(client, h["trainer"], t["course"]["id"], ids["agent1"])
    papers = set()
    for _ in range(8):
        att = start(client, h["agent1"], e["id"]).json()
        assert len(att["questions"]) == 2
        papers.add(tuple(q["id"] for q in att["questions"]))
        submit(client, h["agent1"], att["id"], {})
        clock.advance(timedelta(minutes=1))
    assert len(papers) > 1, "each attempt draws its own paper"
    with app.state.sessionmaker() as s:
        started = [json.loads(x) for x in s.scalars(select(AuditEntry.data).where(
            AuditEntry.action == "training.attempt_started").order_by(AuditEntry.id))]
    assert len(started) == 8
    for x in started:  # the stored seed reproduces the paper: a regrade or an appeal sees the same questions
        assert draw(e["pool"], e["draw_count"], x["seed"]) == x["questions"]


def test_simulated_call_scored_by_an_examiner(app: FastAPI, client: TestClient) -> None:
    t = setup(app, client)
    h, ids = t["h"], t["ids"]
    card = client.post(f"{A}/sim-scorecards", headers=h["trainer"], json={
        "name": "过户业务模拟", "course_id": t["course"]["id"], "pass_mark": 80, "items": [
            {"code": "verify", "name": "核实身份", "weight": 40}, {"code": "solve", "name": "解答准确", "weight": 60},
            {"code": "fatal.unverified", "name": "未核实即办理", "weight": 0, "fatal": True}]})
    assert card.status_code == 201, card.text
    body = {"scorecard_id": card.json()["id"], "agent_id": ids["agent1"], "scenario": "客户要求过户",
            "values": {"verify": 30, "solve": 60, "fatal.unverified": 1}}
    r = client.post(f"{A}/sim-calls", headers=h["gd_sup"], json=body)
    assert r.status_code == 201, r.text
    assert (r.json()["score"], r.json()["passed"], r.json()["examiner"], r.json()["agent"]) == (
        90, True, "gd_sup", "agent1")
    r = client.post(f"{A}/sim-calls", headers=h["gd_sup"], json={**body, "values": {"verify": 50, "solve": 60,
                                                                                    "fatal.unverified": 1}})
    assert r.status_code == 422 and r.json()["detail"][0]["field"] == "body.values.verify"
    r = client.post(f"{A}/sim-calls", headers=h["gd_sup"], json={**body, "values": {"verify": 40}})
    assert r.status_code == 422 and r.json()["detail"][0]["field"] == "body.values.fatal.unverified"
    assert client.post(f"{A}/sim-calls", headers=h["zj_sup"], json=body).status_code == 422, "not their agent"
    mine = client.get(f"{A}/mine", headers=h["agent1"]).json()
    assert [x["scenario"] for x in mine["simulations"]] == ["客户要求过户"]


def test_exam_scores_for_evaluation(app: FastAPI, client: TestClient, clock: FrozenClock,
                                    settings: Settings) -> None:
    t = setup(app, client)
    h, ids, e = t["h"], t["ids"], t["exam"]
    assign(client, h["trainer"], t["course"]["id"], ids["agent1"], ids["agent2"])
    att = start(client, h["agent1"], e["id"]).json()
    submit(client, h["agent1"], att["id"], perfect_sheet(att["questions"]))
    att = start(client, h["agent2"], e["id"]).json()
    submit(client, h["agent2"], att["id"], {})
    with app.state.sessionmaker() as s:
        ctx = Ctx(uow=UnitOfWork(s), clock=clock, settings=settings)
        day = date(2026, 11, 2)
        assert service.exam_scores(ctx, [ids["agent1"], ids["agent2"]], day, day) == {ids["agent1"]: 100.0}
        assert service.exam_scores(ctx, [ids["agent1"]], date(2026, 11, 3), date(2026, 11, 30)) == {}
        assert service.exam_scores(ctx, [], day, day) == {}



MANUAL_FULL = {"verification.identity": 10, "listening.understanding": 15, "solution.accuracy": 25,
               "compliance.record": 5}


def test_repeated_weak_qa_item_assigns_the_linked_course(app: FastAPI, client: TestClient,
                                                         clock: FrozenClock) -> None:
    t = setup(app, client)
    h, ids = t["h"], t["ids"]
    other = client.post(f"{A}/courses", headers=h["trainer"], json={"title": "结束语规范",
                                                                      "qa_items": ["closing.closing"]}).json()
    insp_id = make_user(app, "insp1", Role.inspector)
    make_user(app, "qa_admin", Role.admin)
    qa, insp = login(client, "qa_admin"), login(client, "insp1")
    recs = [line("agent1", external_id=f"a{i}") for i in range(4)] + [line("agent2", external_id="b0")]
    assert upload(client, insp, jsonl(recs)).status_code == 201
    r = client.post("/api/v1/qa/samples", headers=qa, json={
        "since": "2026-10-26T00:00:00+08:00", "until": "2026-11-09T00:00:00+08:00", "inspectors": [insp_id],
        "random_pct": 100})
    assert r.status_code == 201, r.text
    queue = client.get("/api/v1/qa/queue", headers=insp).json()
    mine = [i for i in queue if i["agent_id"] == ids["agent1"]]
    assert len(mine) == 4 and len(queue) == 5

    def score(inspection: dict[str, Any], identity: float) -> None:
        r = client.post(f"/api/v1/qa/inspections/{inspection['id']}/score", headers=insp,
                        json={"items": {**MANUAL_FULL, "verification.identity": identity}})
        assert r.status_code == 200, r.text

    def run() -> list[dict[str, Any]]:
        r = client.post(f"{A}/assignments/from-qa", headers=h["trainer"])
        assert r.status_code == 200, r.text
        return list(r.json())

    score(mine[0], 0)
    score(mine[1], 5)  # below full marks is a fail of the item
    score(mine[2], 10)
    score(next(i for i in queue if i["agent_id"] == ids["agent2"]), 0)
    assert run() == [], "two fails in the month"
    score(mine[3], 0)
    made = run()
    assert [(a["agent"], a["course"], a["reason"], a["note"]) for a in made] == [
        ("agent1", "身份核实专项培训", "qa_weak", "按规定核实客户身份 ×3")]
    assert other["id"] not in {a["course_id"] for a in made}
    assert run() == [], "not assigned twice"
    listed = client.get(f"{A}/mine", headers=h["agent1"]).json()
    assert [a["reason"] for a in listed["assignments"]] == ["qa_weak"]
    assert listed["exams"][0]["exam"]["title"] == "身份核实考试", "the course's exam is open to them now"


def test_the_sweep_expires_overdue_attempts(app: FastAPI, client: TestClient, clock: FrozenClock,
                                            settings: Settings) -> None:
    t = setup(app, client)
    h, ids, e = t["h"], t["ids"], t["exam"]
    assign(client, h["trainer"], t["course"]["id"], ids["agent1"])
    att = start(client, h["agent1"], e["id"]).json()
    with app.state.sessionmaker() as s:
        uow = UnitOfWork(s)
        assert attempts.expire_overdue(Ctx(uow=uow, clock=clock, settings=settings)) == 0
        clock.advance(timedelta(minutes=31))
        assert attempts.expire_overdue(Ctx(uow=uow, clock=clock, settings=settings)) == 1
        uow.commit()
    got = client.get(f"{A}/attempts/{att['id']}", headers=h["trainer"]).json()
    assert (got["status"], got["percent"], got["passed"], got["max_score"]) == ("expired", 0, False, 10)
    assert len(got["review"]) == 4, "the key is shown once the attempt is over"
