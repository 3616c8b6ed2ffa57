"""Solution recommendation: ranking on constructed histories, and the loop from events to the API."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from fastapi import FastAPI
from fastapi.testclient import TestClient

from helpers import login, make_user
from telqc.core import events
from telqc.core.clock import FrozenClock
from telqc.core.context import Ctx
from telqc.core.rbac import Role
from telqc.core.settings import Settings
from telqc.core.uow import UnitOfWork
from telqc.knowledge.solution_ranking import Case, recommend

NOW = datetime(2026, 11, 2, 2, 0, tzinfo=UTC)
TEXT = "宽带断网，光猫LOS红灯闪烁，重启无效"


def _cases(code: str, n: int, reopened: int, start_id: int, days_ago: float = 3) -> list[Case]:
    return [Case(order_id=start_id + i, category="宽带故障", description=f"客户反映{TEXT}第{i}次",
                 solution_code=code, resolved_at=NOW - timedelta(days=days_ago), reopened=i < reopened)
            for i in range(n)]


def test_fix_that_bounces_back_ranks_below_one_that_sticks() -> None:
    history = _cases("RESTART_ONT", 12, reopened=8, start_id=1) + _cases("DISPATCH_FIBER", 6, reopened=0, start_id=100)
    ranked = recommend(TEXT, "宽带故障", history, NOW)
    assert [s.solution_code for s in ranked] == ["DISPATCH_FIBER", "RESTART_ONT"]
    top = ranked[0]
    assert top.cases == 6 and top.successes == 6 and len(top.examples) == 3
    assert ranked[1].successes == 4


def test_single_lucky_case_does_not_beat_a_proven_fix() -> None:
    history = _cases("PROVEN", 20, reopened=2, start_id=1) + _cases("LUCKY", 1, reopened=0, start_id=100)
    assert recommend(TEXT, "宽带故障", history, NOW)[0].solution_code == "PROVEN"


def test_old_and_unrelated_cases_are_ignored() -> None:
    old = _cases("OLD_FIX", 10, reopened=0, start_id=1, days_ago=200)
    other = [Case(order_id=500, category="宽带故障", description="话费账单多扣了十元套餐费", solution_code="REFUND",
                  resolved_at=NOW - timedelta(days=1))]
    wrong_cat = [Case(order_id=600, category="资费争议", description=TEXT, solution_code="X",
                      resolved_at=NOW - timedelta(days=1))]
    assert recommend(TEXT, "宽带故障", old + other + wrong_cat, NOW) == []


def test_recency_breaks_ties() -> None:
    history = _cases("NEW", 5, reopened=0, start_id=1, days_ago=2) + _cases("STALE", 5, reopened=0, start_id=50,
                                                                                days_ago=80)
    assert [s.solution_code for s in recommend(TEXT, "宽带故障", history, NOW)] == ["NEW", "STALE"]


def _resolved(app: FastAPI, clock: FrozenClock, settings: Settings, order_id: int, code: str, customer: int) -> None:
    with app.state.sessionmaker() as s:
        uow = UnitOfWork(s)
        events.emit(Ctx(uow, clock, settings), "order.resolved", "order", order_id, order_id=order_id, type="repair",
                    at=(clock.now() - timedelta(days=1)).isoformat(), solution_code=code, reopened=False,
                    description=f"{TEXT}（{order_id}）", customer_id=customer,
                    dims={"category": "宽带故障"})
        uow.commit()


def test_events_feed_the_recommendation_api_and_outcomes_move_it(app: FastAPI, client: TestClient, clock: FrozenClock,
                                                                  settings: Settings) -> None:
    make_user(app, "lead", Role.supervisor)
    make_user(app, "agent", Role.agent)
    lead, agent = login(client, "lead"), login(client, "agent")
    for code, title in (("RESTART_ONT", "指导客户重启光猫"), ("DISPATCH_FIBER", "派单装维检修光纤")):
        r = client.post("/api/v1/kb/solutions", json={"code": code, "title": title, "answer": f"{title}。",
                                                       "category": "宽带故障"}, headers=lead)
        assert r.status_code == 201, r.text
    for i in range(4):
        _resolved(app, clock, settings, 10 + i, "RESTART_ONT", customer=100 + i)
    for i in range(3):
        _resolved(app, clock, settings, 20 + i, "DISPATCH_FIBER", customer=200 + i)
    events.drain(app.state.sessionmaker, clock, settings)
    body = {"description": TEXT, "category": "宽带故障"}
    first = client.post("/api/v1/kb/recommendations", json=body, headers=agent).json()["solutions"]
    assert first[0]["solution_code"] == "RESTART_ONT" and first[0]["title"] == "指导客户重启光猫"

    with app.state.sessionmaker() as s:  # three of the restarts came back
        uow = UnitOfWork(s)
        ctx = Ctx(uow, clock, settings)
        for oid in (10, 11):
            events.emit(ctx, "order.reopened", "order", oid, order_id=oid, type="repair", at=clock.now().isoformat())
        events.emit(ctx, "contact.closed", "contact", 1, contact_id=1, customer_id=102,
                    started_at=clock.now().isoformat())
        uow.commit()
    events.drain(app.state.sessionmaker, clock, settings)
    after = client.post("/api/v1/kb/recommendations", json=body, headers=agent).json()["solutions"]
    assert [x["solution_code"] for x in after] == ["DISPATCH_FIBER", "RESTART_ONT"]
    assert after[1]["successes"] == 1 and after[1]["cases"] == 4

    chosen = client.post("/api/v1/kb/recommendations/choice",
                         json={"solution_code": "DISPATCH_FIBER", "order_id": 99}, headers=agent)
    assert chosen.status_code == 204
    bad = client.post("/api/v1/kb/recommendations/choice", json={"solution_code": "NOPE"}, headers=agent)
    assert bad.status_code == 422 and bad.json()["detail"][0]["field"] == "body.solution_code"
