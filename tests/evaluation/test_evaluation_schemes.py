"""Schemes per role and period (versioned), teamwork ratings and adopted suggestions, by hand on a small team.

The cast (conftest): li and wang in 东区一组, zhao in 西区二组, all Guangdong; October's QA scores li 96, wang 95
(one fatal item), zhao 72 against the target 90 (li, wang 100 points; zhao 80); CSAT li 100%, zhao 50% of
answers good against 90% (55.56 points).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from evaluation.conftest import A, run_october
from helpers import login, make_user, page_login
from telqc.core.clock import FrozenClock
from telqc.core.models import User
from telqc.core.rbac import Role

IMP = "/api/v1/improvement"


def scheme(client: TestClient, h: dict[str, str], weights: dict[str, float], role: str = "agent",
           period: str = "month", **kw: Any) -> Any:
    comps = [{"key": k, "weight": w, **({"target": kw.pop(f"target_{k}")} if f"target_{k}" in kw else {})}
             for k, w in weights.items()]
    return client.post(f"{A}/schemes", headers=h, json={"role": role, "period_kind": period, "name": "测试方案",
                                                         "components": comps, **kw})


@pytest.fixture
def qm(app: FastAPI, client: TestClient) -> dict[str, str]:
    make_user(app, "qm", Role.manager)
    return login(client, "qm")


def by_agent(run: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {x["agent"]: x for x in run["results"]}


def test_a_saved_version_is_used_by_new_runs_and_old_runs_keep_theirs(
        app: FastAPI, client: TestClient, staff: dict[str, Any], qm: dict[str, str]) -> None:
    assert scheme(client, staff["sup"], {"qa_score": 100}).status_code == 403, "the quality manager's only"
    r = scheme(client, qm, {"qa_score": 60, "csat": 40, "fcr": 0})
    assert r.status_code == 201, r.text
    assert (r.json()["version"], [c["key"] for c in r.json()["components"]]) == (1, ["qa_score", "csat"])
    first = run_october(client, staff["sup"])
    rows = by_agent(first)
    assert {p["key"] for p in rows["li"]["parts"]} == {"qa_score", "csat"}
    assert rows["li"]["total"] == 100.0
    # zhao: (80 × 60 + 55.56 × 40) / 100
    assert rows["zhao"]["total"] == pytest.approx(70.22, abs=0.01) and rows["zhao"]["grade"] == "C"
    assert scheme(client, qm, {"qa_score": 100}).json()["version"] == 2
    second = by_agent(run_october(client, staff["sup"]))
    assert second["zhao"]["total"] == 80.0 and second["zhao"]["grade"] == "B"
    again = by_agent(client.get(f"{A}/runs/{first['id']}", headers=staff["sup"]).json())
    assert again["zhao"]["total"] == pytest.approx(70.22, abs=0.01), "the old run keeps version 1"
    assert {p["key"] for p in again["zhao"]["parts"]} == {"qa_score", "csat"}
    browser = TestClient(app, raise_server_exceptions=False)
    page_login(browser, "sup")
    assert "测试方案 v1" in browser.get(f"/evaluation/runs/{first['id']}").text
    listed = {(x["role"], x["period_kind"]): x for x in client.get(f"{A}/schemes", headers=staff["sup"]).json()}
    assert listed[("agent", "month")]["version"] == 2 and listed[("agent", "month")]["versions"] == 2
    assert listed[("engineer", "month")]["id"] is None and listed[("engineer", "month")]["version"] == 0


def test_the_role_chooses_who_is_evaluated_and_with_which_scheme(
        app: FastAPI, client: TestClient, staff: dict[str, Any]) -> None:
    eng = make_user(app, "eng", Role.engineer, ["440000"])
    run = run_october(client, staff["sup"], role="engineer")
    assert run["role"] == "engineer" and [x["agent_id"] for x in run["results"]] == [eng]
    assert [p["key"] for p in run["results"][0]["parts"]] == [
        "sla_compliance", "csat", "teamwork", "exam_score", "course_completion", "suggestions_adopted"]
    agents = run_october(client, staff["sup"])
    assert agents["role"] == "agent" and eng not in {x["agent_id"] for x in agents["results"]}


def test_the_period_chooses_the_quarter_scheme(client: TestClient, staff: dict[str, Any]) -> None:
    body = {"name": "2026年第三季度", "period_start": "2026-08-01", "period_end": "2026-10-31", "province": "440000"}
    r = client.post(f"{A}/runs", headers=staff["sup"], json={**body, "period_kind": "month"})
    assert r.status_code == 422 and r.json()["detail"][0]["field"] == "body.period_kind"
    r = client.post(f"{A}/runs", headers=staff["sup"], json=body)
    assert r.status_code == 201 and r.json()["period_kind"] == "quarter"
    parts = {p["key"]: p for p in r.json()["results"][0]["parts"]}
    assert parts["suggestions_adopted"]["method"] == "对标目标 3 条", "a quarter expects three adopted suggestions"
    r = client.post(f"{A}/runs", headers=staff["sup"], json={**body, "period_start": "2026-10-01",
                                                              "period_kind": "quarter"})
    assert r.status_code == 422 and r.json()["detail"][0]["field"] == "body.period_kind"


@pytest.mark.parametrize(("weights", "extra", "field"), [
    ({"qa_score": 50, "loyalty": 10}, {}, "body.components.1.key"),
    ({"qa_score": 0, "csat": 0}, {}, "body.components"),
    ({"qa_score": 50}, {"grade_a": 80, "grade_b": 85}, "body.grade_b"),
    ({"qa_score": 50}, {"role": "customer"}, "body.role"),
])
def test_bad_schemes_are_refused_naming_the_field(client: TestClient, qm: dict[str, str], weights: dict[str, float],
                                                  extra: dict[str, Any], field: str) -> None:
    r = scheme(client, qm, weights, **extra)
    assert r.status_code == 422, r.text
    assert r.json()["detail"][0]["field"] == field
    assert all(x["version"] == 0 for x in client.get(f"{A}/schemes", headers=qm).json()), "nothing saved"


def join(app: FastAPI, users: list[int], team: int) -> None:
    with app.state.sessionmaker() as s:
        for uid in users:
            u = s.get(User, uid)
            assert u is not None
            u.team_id = team
        s.commit()


def test_teamwork_is_the_mean_of_the_teammates_and_the_supervisors(
        app: FastAPI, client: TestClient, staff: dict[str, Any], qm: dict[str, str]) -> None:
    chen = make_user(app, "chen", Role.agent, ["440000"])
    join(app, [chen, staff["ids"]["sup"]], staff["teams"]["east"])  # sup leads 东区一组
    h = {**staff, "chen": login(client, "chen")}
    ids = staff["ids"]

    def rate(who: str, ratee: str, score: int, month: str = "2026-10") -> Any:
        return client.post(f"{A}/teamwork", headers=h[who], json={"ratee_id": ids.get(ratee, chen), "month": month,
                                                                 "score": score})

    assert rate("chen", "li", 4).status_code == 201
    assert rate("wang", "li", 5).status_code == 201
    assert rate("sup", "li", 3).status_code == 201
    assert rate("li", "wang", 2).status_code == 201
    for who, ratee, month, status, field in (("zhao", "li", "2026-10", 422, "body.ratee_id"),  # another team
                                             ("li", "li", "2026-10", 422, "body.ratee_id"),
                                             ("chen", "li", "2026-10", 409, "body.ratee_id"),
                                             ("li", "wang", "2026-12", 422, "body.month"),
                                             ("sup", "zhao", "2026-10", 422, "body.ratee_id"),  # not sup's team
                                             ("zj_sup", "li", "2026-10", 422, "body.ratee_id")):
        r = rate(who, ratee, 4, month)
        assert r.status_code == status, (who, ratee, r.text)
        assert (r.json().get("field") if status == 409 else r.json()["detail"][0]["field"]) == field, r.text
    assert scheme(client, qm, {"qa_score": 100, "teamwork": 100}).status_code == 201
    rows = by_agent(run_october(client, staff["sup"]))
    li = {p["key"]: p for p in rows["li"]["parts"]}
    # teammates (4 + 5) / 2 = 4.5, the supervisor 3: (4.5 + 3) / 2 = 3.75 of 5 = 75 points; (100 + 75) / 2
    assert (li["teamwork"]["raw"], li["teamwork"]["points"], li["teamwork"]["shown"]) == (3.75, 75.0, "3.75 / 5 分")
    assert rows["li"]["total"] == 87.5 and rows["li"]["grade"] == "B"
    assert rows["wang"]["total"] == 70.0, "2 of 5 = 40 points: (100 + 40) / 2, under the fatal cap"
    assert rows["zhao"]["total"] == 80.0, "not rated: teamwork's weight goes to QA"
    mine = client.get(f"{A}/mine", headers=h["li"]).json()[0]
    assert "chen" not in str(mine) and "wang" not in str(mine), "who rated whom is not shown"


def test_adopted_suggestions_count_for_their_author_in_the_period(
        app: FastAPI, client: TestClient, clock: FrozenClock, staff: dict[str, Any], qm: dict[str, str]) -> None:
    now = clock.now()
    clock.set(datetime(2026, 10, 10, 2, 0, tzinfo=UTC))

    def suggest(who: str, title: str) -> int:
        r = client.post(f"{IMP}/suggestions", headers=staff[who],
                        json={"title": title, "body": f"{title}，具体做法如下"})
        assert r.status_code == 201, r.text
        return int(r.json()["id"])

    li = [suggest("li", t) for t in ("账单查询话术精简", "夜班交接清单", "重复来电提示")]
    wang = suggest("wang", "工单模板合并")
    zhao = suggest("zhao", "投诉升级提醒")
    own = suggest("sup", "班组晨会改为十分钟")

    def decide(who: str, sid: int, adopted: bool, **kw: Any) -> Any:
        return client.post(f"{IMP}/suggestions/{sid}/decide", headers=staff.get(who, qm),
                           json={"adopted": adopted, "decision": "已评审", **kw})

    clock.set(datetime(2026, 10, 15, 2, 0, tzinfo=UTC))
    assert decide("sup", li[0], True).status_code == 200
    assert decide("sup", li[1], True).status_code == 200
    assert decide("sup", li[2], False).status_code == 200
    assert decide("sup", wang, False).status_code == 200
    assert decide("sup", li[0], False).status_code == 409, "decided once"
    assert decide("zj_sup", zhao, True).status_code == 404, "another province's suggestion"
    assert decide("li", zhao, True).status_code == 403, "an agent does not decide"
    assert decide("sup", own, True).status_code == 403, "not one's own"
    r = decide("sup", zhao, False, plan_id=1)
    assert r.status_code == 422 and r.json()["detail"][0]["field"] == "body.plan_id"
    clock.set(datetime(2026, 11, 1, 2, 0, tzinfo=UTC))
    assert decide("qm", zhao, True).status_code == 200, "adopted in November: not October's"
    clock.set(now)
    assert [x["title"] for x in client.get(f"{IMP}/suggestions", headers=staff["li"]).json()] == [
        "重复来电提示", "夜班交接清单", "账单查询话术精简"], "an agent reads their own"
    r = scheme(client, qm, {"qa_score": 100, "suggestions_adopted": 100}, target_suggestions_adopted=4)
    assert r.status_code == 201, r.text
    rows = by_agent(run_october(client, staff["sup"]))
    part = {p["key"]: p for p in rows["li"]["parts"]}["suggestions_adopted"]
    assert (part["raw"], part["points"], part["shown"], part["method"]) == (2.0, 50.0, "2 条", "对标目标 4 条")
    assert rows["li"]["total"] == 75.0, "(100 + 2 of 4 × 100) / 2"
    assert rows["wang"]["total"] == 79.99, "none adopted: no penalty, QA alone, capped by the fatal item"
    assert rows["zhao"]["total"] == 80.0
