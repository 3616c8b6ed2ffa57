"""One PDCA cycle through the API on real KPI rollups, the guards of each step, scope, bad input, reminders."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from helpers import login, make_user
from improvement.improvement_data import AFTER, BASELINE, GD, ZJ, csat_history
from telqc.core.clock import FrozenClock
from telqc.core.context import Ctx
from telqc.core.rbac import Role
from telqc.core.uow import UnitOfWork
from telqc.improvement import service

A = "/api/v1/improvement"


@pytest.fixture
def people(app: FastAPI, client: TestClient) -> dict[str, Any]:
    ids = {"mgr": make_user(app, "mgr", Role.manager), "gd_sup": make_user(app, "gd_sup", Role.supervisor, [GD]),
           "zj_sup": make_user(app, "zj_sup", Role.supervisor, [ZJ]), "agent": make_user(app, "agent", Role.agent)}
    return {"ids": ids, **{n: login(client, n) for n in ids}}


def field_of(body: dict[str, Any]) -> str:
    """The field an error names: a 409 carries it at the top, a 422 in its first detail."""
    return str(body.get("field") or body["detail"][0]["field"])


def plan_body(owner: int, **kw: Any) -> dict[str, Any]:
    return {"title": "提升广东满意度", "problem": "广东热线满意度连续两月低于目标", "source": "kpi", "kpi": "csat",
            "scope": {"province": [GD]}, "comparison": {"province": [ZJ]}, "owner_id": owner,
            "baseline_start": BASELINE[0].isoformat(), "baseline_end": BASELINE[1].isoformat(), **kw}


def run_to_checking(client: TestClient, h: dict[str, str], owner: int, **kw: Any) -> int:
    r = client.post(f"{A}/plans", json=plan_body(owner, **kw), headers=h)
    assert r.status_code == 201, r.text
    pid = r.json()["id"]
    assert r.json()["state"] == "planning" and r.json()["target"] == 0.90, "the KPI's own target by default"
    r = client.post(f"{A}/plans/{pid}/transition", json={"to": "doing"}, headers=h)
    assert r.status_code == 409 and field_of(r.json()) == "body.to", "no cause analysis yet"
    r = client.put(f"{A}/plans/{pid}/analysis", headers=h, json={
        "root_cause": "people", "why": ["客户不满意", "问题没解决", "坐席不熟悉新资费", "培训未覆盖新资费"],
        "fishbone": {"people": ["新资费培训缺失"], "process": ["无复核"]}})
    assert r.status_code == 200 and r.json()["root_cause"] == "people", r.text
    r = client.post(f"{A}/plans/{pid}/transition", json={"to": "doing"}, headers=h)
    assert r.status_code == 409, "no actions yet"
    a = client.post(f"{A}/plans/{pid}/actions", headers=h,
                    json={"title": "新资费专项培训", "owner_id": owner, "due_on": "2026-10-05"}).json()
    assert client.post(f"{A}/plans/{pid}/transition", json={"to": "doing"}, headers=h).status_code == 200
    r = client.post(f"{A}/plans/{pid}/transition", json={"to": "checking"}, headers=h)
    assert r.status_code == 409, "an action is still open"
    assert client.post(f"{A}/actions/{a['id']}/done", json={"note": "已培训 120 人"}, headers=h).status_code == 200
    assert client.post(f"{A}/plans/{pid}/transition", json={"to": "checking"}, headers=h).status_code == 200
    return int(pid)


def measure(client: TestClient, h: dict[str, str], pid: int) -> dict[str, Any]:
    r = client.post(f"{A}/plans/{pid}/measure", headers=h,
                    json={"after_start": AFTER[0].isoformat(), "after_end": AFTER[1].isoformat()})
    assert r.status_code == 200, r.text
    return dict(r.json())


def test_a_plan_that_worked_is_credited_standardised_and_rolled_out(app: FastAPI, client: TestClient,
                                                                   people: dict[str, Any]) -> None:
    csat_history(app, {GD: (0.80, 0.90), ZJ: (0.82, 0.82)})
    h, owner = people["mgr"], people["ids"]["mgr"]
    pid = run_to_checking(client, h, owner)
    p = measure(client, h, pid)
    e = p["effect"]
    assert p["verdict"] == "effective" and e["method"] == "did"
    assert e["ci_low"] < 0.10 < e["ci_high"] and e["estimate"] == pytest.approx(0.10, abs=0.04)
    assert e["days_before"] == 28 and e["days_after"] == 27
    assert set(e["series"]) == {"treated", "comparison"} and len(e["series"]["treated"]) == 55
    assert client.post(f"{A}/plans/{pid}/transition", json={"to": "standardised"}, headers=h).status_code == 200
    r = client.post(f"{A}/plans/{pid}/next", headers=h, json={
        "scope": {"province": [ZJ]}, "baseline_start": "2026-10-06", "baseline_end": "2026-11-01"})
    assert r.status_code == 201, r.text
    child = r.json()
    assert child["source"] == "rollout" and child["parent_id"] == pid and child["root_cause"] == "people"
    assert [a["title"] for a in child["actions"]] == ["新资费专项培训"] and child["state"] == "planning"
    assert client.get(f"{A}/plans/{pid}", headers=h).json()["state"] == "closed"
    steps = [(x["event"], x["to_state"]) for x in client.get(f"{A}/plans/{pid}/history", headers=h).json()]
    assert steps[0] == ("created", "planning") and ("measured", None) in steps and steps[-1] == ("state", "closed")


def test_a_seasonal_rise_in_both_provinces_is_not_credited(app: FastAPI, client: TestClient,
                                                           people: dict[str, Any]) -> None:
    csat_history(app, {GD: (0.78, 0.88), ZJ: (0.80, 0.90)}, seed=9)  # both rose by 10 points: not the plan
    h, owner = people["mgr"], people["ids"]["mgr"]
    pid = run_to_checking(client, h, owner)
    p = measure(client, h, pid)
    assert p["verdict"] == "not_shown" and p["effect"]["ci_low"] < 0 < p["effect"]["ci_high"]
    r = client.post(f"{A}/plans/{pid}/transition", json={"to": "standardised"}, headers=h)
    assert r.status_code == 409 and "有效" in r.json()["detail"]
    assert client.post(f"{A}/plans/{pid}/transition", json={"to": "adjusting"}, headers=h).status_code == 200
    r = client.post(f"{A}/plans/{pid}/next", headers=h,
                    json={"baseline_start": "2026-10-06", "baseline_end": "2026-11-01"})
    assert r.status_code == 201 and r.json()["source"] == "adjustment" and r.json()["scope"] == {"province": [GD]}


def test_without_a_comparison_group_a_rate_gets_the_two_proportion_test(app: FastAPI, client: TestClient,
                                                                        people: dict[str, Any]) -> None:
    csat_history(app, {GD: (0.80, 0.90)})
    h, owner = people["mgr"], people["ids"]["mgr"]
    pid = run_to_checking(client, h, owner, comparison=None)
    e = measure(client, h, pid)["effect"]
    assert e["method"] == "two_proportion" and e["p_value"] < 0.001
    assert e["before"] == pytest.approx(0.78, abs=0.03) and e["after"] == pytest.approx(0.88, abs=0.03)


def test_region_scope_and_roles(app: FastAPI, client: TestClient, people: dict[str, Any]) -> None:
    gd, zj = people["gd_sup"], people["zj_sup"]
    r = client.post(f"{A}/plans", json=plan_body(people["ids"]["gd_sup"], comparison=None), headers=gd)
    assert r.status_code == 201, r.text
    pid = r.json()["id"]
    assert client.get(f"{A}/plans/{pid}", headers=zj).status_code == 404, "another province's plan does not exist"
    assert client.get(f"{A}/plans", headers=zj).json()["total"] == 0
    assert client.get(f"{A}/plans", headers=people["mgr"]).json()["total"] == 1
    r = client.post(f"{A}/plans", json=plan_body(people["ids"]["zj_sup"], comparison=None), headers=zj)
    assert r.status_code == 422 and field_of(r.json()) == "body.scope", "a Zhejiang supervisor plans for Zhejiang"
    assert client.get(f"{A}/plans", headers=people["agent"]).status_code == 403


@pytest.mark.parametrize(("change", "field"), [
    ({"kpi": "no_such_kpi"}, "body.kpi"),
    ({"kpi": "offered"}, "body.kpi"),                                # a count with no better direction
    ({"scope": {"agentx": ["1"]}}, "body.scope"),
    ({"scope": {"province": [GD]}, "comparison": {"province": [GD]}}, "body.comparison"),
    ({"owner_id": 999_999}, "body.owner_id"),
    ({"owner_id": 2**63}, "body.owner_id"),
    ({"baseline_start": "2026-10-05", "baseline_end": "2026-09-01"}, "body.baseline_end"),
    ({"baseline_start": "0001-01-01"}, "body.baseline_start"),
    ({"title": ""}, "body.title"),
])
def test_bad_plans_are_refused_naming_the_field(app: FastAPI, client: TestClient, people: dict[str, Any],
                                                change: dict[str, Any], field: str) -> None:
    r = client.post(f"{A}/plans", json=plan_body(people["ids"]["mgr"]) | change, headers=people["mgr"])
    assert r.status_code == 422, r.text
    assert field_of(r.json()) == field, r.text
    assert client.get(f"{A}/plans", headers=people["mgr"]).json()["total"] == 0, "nothing was created"


def test_reminded_the_day_before_and_escalated_once_overdue(app: FastAPI, client: TestClient, clock: FrozenClock,
                                                           people: dict[str, Any]) -> None:
    h, owner = people["mgr"], people["ids"]["mgr"]
    pid = client.post(f"{A}/plans", json=plan_body(owner, comparison=None), headers=h).json()["id"]
    tomorrow = (clock.now() + timedelta(days=1)).date().isoformat()  # 10:00 in Beijing: the same local day
    later = (clock.now() + timedelta(days=9)).date().isoformat()
    for title, due in (("培训", tomorrow), ("复核", later)):
        client.post(f"{A}/plans/{pid}/actions", json={"title": title, "owner_id": owner, "due_on": due}, headers=h)

    def job() -> tuple[int, int]:
        with app.state.sessionmaker() as s:
            uow = UnitOfWork(s)
            out = service.remind_and_escalate(Ctx(uow=uow, clock=clock, settings=app.state.settings))
            uow.commit()
            return out

    assert job() == (1, 0), "培训 is due tomorrow"
    assert job() == (0, 0), "reminded once"
    clock.advance(timedelta(days=2))
    assert job() == (0, 1), "培训 is overdue: escalated to the plan's owner"
    assert job() == (0, 0)
    h = login(client, "mgr")  # two days on: the morning's session has expired
    p = client.get(f"{A}/plans/{pid}", headers=h).json()
    assert [(a["title"], a["overdue"]) for a in p["actions"]] == [("培训", True), ("复核", False)]
    history = client.get(f"{A}/plans/{pid}/history", headers=h).json()
    assert history[-1]["event"] == "action_overdue" and history[-1]["note"] == "培训"
