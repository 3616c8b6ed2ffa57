"""Stored churn scores with reasons (the scoring run, campaign draw, tasks, customer 360), the board's run and
measure forms with the saved-revenue figure, and the agent's accept / decline of a recommendation."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import select, update

from helpers import create_customer, id_number, login, make_user, page_login
from telqc.core.audit import AuditEntry
from telqc.core.clock import FrozenClock
from telqc.core.rbac import Role
from telqc.customers.models import Customer
from telqc.insight import scores, scoring, uplift
from telqc.insight.models import InsightBill, InsightChurnScore, InsightOffer, RetentionCampaign, RetentionMember
from telqc.jobs.dispatch import job_ctx

A = "/api/v1/insight"


def test_saved_revenue_arithmetic_on_hand_made_numbers() -> None:
    # treated 180 of 200 kept (90%), holdout 40 of 50 (80%): the action kept 10 points × 200 = 20 customers
    e = uplift.difference(180, 200, 40, 50)
    assert e.difference == pytest.approx(0.10)
    r = uplift.saved_revenue(e, 200, arpu_fen=8000, months=12)
    assert r.customers == pytest.approx(20.0)
    assert r.fen == 20 * 8000 * 12 == 1_920_000  # 19,200 yuan
    assert r.low_fen == round(e.low * 200 * 8000 * 12) and r.high_fen == round(e.high * 200 * 8000 * 12)
    assert r.low_fen < r.fen < r.high_fen
    # an action that drove customers away reads as lost revenue, not zero
    worse = uplift.saved_revenue(uplift.difference(30, 50, 45, 50), 50, arpu_fen=5900, months=1)
    assert worse.customers == pytest.approx(-15.0) and worse.fen == -15 * 5900
    assert uplift.saved_revenue(e, 200, 0).fen == 0 and uplift.SAVED_MONTHS == 12
    with pytest.raises(ValueError):
        uplift.saved_revenue(e, -1, 100)


def test_reason_line_in_both_languages() -> None:
    codes: list[list[str | float]] = [["usage_drop", 0.45], ["complaints_30d", 2.0], ["contract_expiring", 1.0],
                                      ["no_such_feature", 1.0]]
    assert scores.line(0.72, codes) == "流失风险 0.72：近3个月流量较前3个月下降 45%、近30天投诉 2 次、合约3个月内到期"
    assert scores.line(0.72, codes, "en").startswith("churn risk 0.72: data use down 45%")
    assert scores.line(None, codes) == "暂无流失评分"


def run_scoring(app: FastAPI, clock: FrozenClock) -> scoring.RunSummary:
    with job_ctx(app.state.sessionmaker, clock, app.state.settings) as ctx:
        return scoring.run(ctx)


@pytest.fixture
def world(app: FastAPI, client: TestClient) -> dict[str, Any]:
    ids = {"adm": make_user(app, "adm", Role.admin), "mgr": make_user(app, "mgr", Role.manager),
           "sup": make_user(app, "sup", Role.supervisor, ["440000"]),
           "gd1": make_user(app, "gd1", Role.agent, ["440000"])}
    h = {n: login(client, n) for n in ids}
    custs = [create_customer(client, h["adm"], phone=f"1371234{i:04d}", name=f"客户{i}",
                             id_number=id_number(seq=f"{i:03d}"))["id"] for i in range(6)]
    with app.state.sessionmaker() as s:
        # the test clock is 2026-11-02: contracts ending in December are in the 3-month window
        s.execute(update(Customer).where(Customer.id.in_(custs)).values(
            lifecycle="contract_expiring", contract_end=date(2026, 12, 20)))
        for cid in custs:  # 60 yuan a month of late; August and September unpaid: 2 overdue bills, a reason
            for m, fen in ((5, 10000), (6, 10000), (7, 10000), (8, 6000), (9, 6000), (10, 6000)):
                s.add(InsightBill(customer_id=cid, month=date(2026, m, 1), amount_fen=fen,
                                  paid_fen=0 if m in (8, 9) else fen, imported_at=datetime(2026, 11, 1, tzinfo=UTC)))
        s.commit()
    return {"ids": ids, "h": h, "custs": custs}


def test_scores_are_stored_and_carried_by_tasks(app: FastAPI, client: TestClient, clock: FrozenClock,
                                                world: dict[str, Any]) -> None:
    h, custs = world["h"], world["custs"]
    summary = run_scoring(app, clock)
    assert summary.scored == len(custs) and summary.model_version.startswith("churn-logistic-")
    with app.state.sessionmaker() as s:
        stored = {r.customer_id: r for r in s.scalars(select(InsightChurnScore))}
        e = s.scalars(select(AuditEntry).where(AuditEntry.action == "insight.churn_scored")).one()
    assert set(stored) == set(custs) and json.loads(e.data)["scored"] == len(custs)
    first = stored[custs[0]]
    assert 0 < first.score < 1 and first.scored_at is not None
    codes = [c for c, _ in first.reasons]
    assert codes[0] == "contract_expiring" and "overdue_bills" in codes
    assert dict((c, v) for c, v in first.reasons)["overdue_bills"] == 2
    assert run_scoring(app, clock).scored == len(custs), "a re-run replaces, not adds"

    prof = client.get(f"{A}/customers/{custs[0]}/profile", headers=h["gd1"]).json()
    assert prof["churn"]["score"] == pytest.approx(first.score)
    assert prof["churn"]["reasons"][:2] == ["合约3个月内到期", "欠费 2 期"]
    assert "overdue_bills" in prof["churn"]["codes"]

    r = client.post(f"{A}/campaigns", json={"name": "评分活动"}, headers=h["mgr"])
    assert r.status_code == 201, r.text
    with app.state.sessionmaker() as s:
        members = list(s.scalars(select(RetentionMember)))
    assert all(m.churn == pytest.approx(stored[m.customer_id].score) for m in members)
    assert all(m.model_version == summary.model_version and m.churn_reasons for m in members)
    tasks = client.get(f"{A}/tasks", headers=h["gd1"]).json()
    assert tasks and tasks[0]["churn"] is not None and "合约3个月内到期" in tasks[0]["churn_reasons"]

    page_login(client, "gd1")
    page = client.get("/insight/tasks").text
    assert f"流失风险 {tasks[0]['churn']:.2f}：合约3个月内到期、欠费 2 期" in page
    c360 = client.get(f"/customers/{tasks[0]['customer_id']}").text
    assert 'id="churn-risk"' in c360 and "流失风险 " in c360 and summary.model_version in c360
    assert 'class="inline retention-decision"' in c360, "an offer task has accept / decline on the 360 page"


def test_min_churn_uses_stored_scores(app: FastAPI, client: TestClient, clock: FrozenClock,
                                      world: dict[str, Any]) -> None:
    """The at-risk stage keeps only customers whose stored score reaches its `min_churn` (0.3)."""
    custs = world["custs"]
    with app.state.sessionmaker() as s:
        s.execute(update(Customer).where(Customer.id.in_(custs)).values(lifecycle="churn_risk"))
        s.commit()
    run_scoring(app, clock)
    with app.state.sessionmaker() as s:
        s.execute(update(InsightChurnScore).where(InsightChurnScore.customer_id.in_(custs[:2])).values(score=0.9))
        s.execute(update(InsightChurnScore).where(InsightChurnScore.customer_id.in_(custs[2:])).values(score=0.05))
        s.commit()
    r = client.post(f"{A}/campaigns", json={"name": "高风险"}, headers=world["h"]["mgr"])
    assert r.json()["treated"] + r.json()["held_out"] == 2, r.text


def test_board_runs_and_measures_with_saved_revenue(app: FastAPI, client: TestClient, clock: FrozenClock,
                                                    world: dict[str, Any]) -> None:
    custs = world["custs"]
    run_scoring(app, clock)
    token = page_login(client, "gd1")
    assert client.post("/insight/campaigns", data={"name": "x", "csrf_token": token}).status_code == 403
    token = page_login(client, "sup")
    assert client.post("/insight/campaigns", data={"name": "x", "csrf_token": token}).status_code == 403
    assert client.get("/insight").status_code == 200 and 'id="campaign-run-form"' not in client.get("/insight").text
    token = page_login(client, "mgr")
    board = client.get("/insight").text
    assert 'id="campaign-run-form"' in board and "已评分 6 户" in board and 'id="saved-formula"' in board
    api_bad = client.post(f"{A}/campaigns", json={"name": ""}, headers=world["h"]["mgr"])
    assert api_bad.status_code == 422 and api_bad.json()["detail"][0]["field"] == "body.name"
    assert client.post(f"{A}/campaigns", json={"name": "x"}, headers=world["h"]["sup"]).status_code == 403
    bad = client.post("/insight/campaigns", data={"name": "  ", "csrf_token": token})
    assert bad.status_code == 422 and "活动名称（name）" in bad.text
    long = client.post("/insight/campaigns", data={"name": "长" * 101, "csrf_token": token})
    assert long.status_code == 422 and "name" in long.text
    r = client.post("/insight/campaigns", data={"name": "页面发起", "csrf_token": token}, follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"].startswith("/insight#campaign-"), r.text
    cid = int(r.headers["location"].rsplit("-", 1)[1])
    with app.state.sessionmaker() as s:
        members = list(s.scalars(select(RetentionMember).where(RetentionMember.campaign_id == cid)))
        e = s.scalars(select(AuditEntry).where(AuditEntry.action == "insight.campaign_run")).one()
    assert len(members) == len(custs) and json.loads(e.data)["scored"] == len(custs)
    held = [m.customer_id for m in members if m.holdout]
    if not held:  # the draw left nobody out: force one into the holdout so there is an uplift to show
        with app.state.sessionmaker() as s:
            s.execute(update(RetentionMember).where(RetentionMember.id == members[0].id).values(
                holdout=True, agent_id=None))
            s.commit()
        held = [members[0].customer_id]
    with app.state.sessionmaker() as s:  # the treated renew, the held-out lapse
        s.execute(update(Customer).where(Customer.id.in_(custs)).values(lifecycle="in_contract"))
        s.execute(update(Customer).where(Customer.id.in_(held)).values(lifecycle="lapsed"))
        s.commit()
    assert client.post(f"/insight/campaigns/{cid}/measure", data={"csrf_token": token}).status_code == 200
    assert client.post("/insight/campaigns/999999/measure", data={"csrf_token": token}).status_code == 404
    assert client.post("/insight/campaigns/99999999999999/measure",
                       data={"csrf_token": token}).status_code == 422
    api = next(c for c in client.get(f"{A}/campaigns", headers=world["h"]["mgr"]).json() if c["id"] == cid)
    treated = len(custs) - len(held)
    assert api["uplift"]["difference"] == pytest.approx(1.0)
    saved = api["saved_revenue"]
    assert saved["arpu"] == "60" or float(saved["arpu"]) == 60.0, "the mean of the last 3 bills"
    assert float(saved["amount"]) == pytest.approx(treated * 60 * 12) and saved["months"] == 12
    board = client.get("/insight").text
    assert f"{treated * 60 * 12:,} 元" in board and "重新评估" in board


def test_agent_accepts_or_declines_the_recommendation(app: FastAPI, client: TestClient,
                                                      world: dict[str, Any]) -> None:
    custs, h = world["custs"], world["h"]
    token = page_login(client, "gd1")
    page = client.get(f"/customers/{custs[0]}").text
    assert 'id="recommendation-decision"' in page
    r = client.post(f"/insight/customers/{custs[0]}/offer",
                    data={"decision": "accepted", "plan_code": "5G59", "csrf_token": token}, follow_redirects=False)
    assert r.status_code == 303 and "offer=accepted" in r.headers["location"]
    answered = client.get(r.headers["location"]).text
    assert "已记录：客户接受推荐" in answered
    assert 'id="recommendation-decision"' not in answered  # answered once: no second click records another offer
    client.post(f"/insight/customers/{custs[1]}/offer",
                data={"decision": "declined", "plan_code": "5G59", "csrf_token": token})
    bad = client.post(f"/insight/customers/{custs[0]}/offer",
                      data={"decision": "maybe", "plan_code": "5G59", "csrf_token": token})
    assert bad.status_code == 422 and "决定：取值必须是" in bad.text
    assert client.post(f"/insight/customers/{custs[0]}/offer", data={"decision": "accepted", "csrf_token": token}
                       ).status_code == 422
    assert client.post("/insight/customers/999999/offer",
                       data={"decision": "accepted", "plan_code": "5G59", "csrf_token": token}).status_code == 404
    with app.state.sessionmaker() as s:
        offers = list(s.scalars(select(InsightOffer).order_by(InsightOffer.id)))
        acts = [e.action for e in s.scalars(select(AuditEntry).where(AuditEntry.action.like("insight.offer_%")))]
    assert [(o.channel, o.accepted, o.plan_code) for o in offers] == [("agent", True, "5G59"),
                                                                        ("agent", False, "5G59")]
    assert acts.count("insight.offer_shown") == 2 and acts.count("insight.offer_decided") == 2
    conv = client.get(f"{A}/conversion", headers=h["mgr"]).json()
    assert conv == [{"channel": "agent", "segment": "gold", "shown": 2, "decided": 2, "accepted": 1, "rate": 0.5}]
    token = page_login(client, "mgr")
    assert client.post(f"/insight/customers/{custs[0]}/offer",
                       data={"decision": "accepted", "plan_code": "5G59", "csrf_token": token}).status_code == 403
    assert 'id="recommendation-decision"' not in client.get(f"/customers/{custs[0]}").text


def test_retention_offer_decided_from_the_customer_page(app: FastAPI, client: TestClient,
                                                        world: dict[str, Any]) -> None:
    client.post(f"{A}/campaigns", json={"name": "360 页面"}, headers=world["h"]["mgr"])
    tasks = client.get(f"{A}/tasks", headers=world["h"]["gd1"]).json()
    t = tasks[0]
    token = page_login(client, "gd1")
    r = client.post(f"/insight/tasks/{t['id']}/outcome", follow_redirects=False,
                    data={"outcome": "declined", "next": f"/customers/{t['customer_id']}#retention-for-customer",
                          "csrf_token": token})
    assert r.status_code == 303 and r.headers["location"] == f"/customers/{t['customer_id']}#retention-for-customer"
    r = client.post(f"/insight/tasks/{tasks[1]['id']}/outcome", follow_redirects=False,
                    data={"outcome": "contacted", "next": "//evil.example/", "csrf_token": token})
    assert r.headers["location"] == "/insight/tasks", "only a path of this site"
    conv = client.get(f"{A}/conversion", headers=world["h"]["mgr"]).json()
    assert conv[0]["channel"] == "retention" and conv[0]["decided"] == 1 and conv[0]["accepted"] == 0


def test_a_score_without_reasons_says_so() -> None:
    assert scores.line(0.02, []) == "流失风险 0.02：无突出风险因素"


RLO = "\u202e"


def _rows(app: FastAPI) -> tuple[int, int, int]:
    with app.state.sessionmaker() as s:
        return (len(s.scalars(select(RetentionCampaign.id)).all()), len(s.scalars(select(InsightOffer.id)).all()),
                len(s.scalars(select(AuditEntry.id)).all()))


def test_the_campaign_form_refuses_an_override_in_the_name(app: FastAPI, client: TestClient, clock: FrozenClock,
                                                           world: dict[str, Any]) -> None:
    """The board's form passed the name straight to the draw, skipping the API's text policy (issue 17)."""
    run_scoring(app, clock)
    token = page_login(client, "mgr")
    before = _rows(app)
    r = client.post("/insight/campaigns", data={"name": f"挽留{RLO}活动", "csrf_token": token})
    assert r.status_code == 422, r.text
    assert "活动名称（name）：" in r.text and "U+202E" in r.text and "双向文本控制字符" in r.text
    assert _rows(app) == before, "nothing drawn or audited"


def test_the_outcome_form_refuses_an_override_in_the_note(app: FastAPI, client: TestClient,
                                                          world: dict[str, Any]) -> None:
    client.post(f"{A}/campaigns", json={"name": "备注"}, headers=world["h"]["mgr"])
    task = client.get(f"{A}/tasks", headers=world["h"]["gd1"]).json()[0]
    token = page_login(client, "gd1")
    before = _rows(app)
    r = client.post(f"/insight/tasks/{task['id']}/outcome",
                    data={"outcome": "contacted", "note": f"客户{RLO}同意", "csrf_token": token})
    assert r.status_code == 422, r.text
    assert "备注：" in r.text and "U+202E" in r.text
    with app.state.sessionmaker() as s:
        m = s.get(RetentionMember, task["id"])
        assert m is not None and (m.status, m.note) == ("open", None), "nothing recorded"
    assert _rows(app) == before


def test_the_offer_form_refuses_an_override_in_the_plan_code(app: FastAPI, client: TestClient,
                                                             world: dict[str, Any]) -> None:
    token = page_login(client, "gd1")
    before = _rows(app)
    r = client.post(f"/insight/customers/{world['custs'][0]}/offer",
                    data={"decision": "accepted", "plan_code": f"5G{RLO}59", "csrf_token": token})
    assert r.status_code == 422, r.text
    assert "套餐编码" in r.text and "U+202E" in r.text
    assert _rows(app) == before, "no offer shown or decided"
