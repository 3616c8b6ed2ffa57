"""The churn features from other domains, end to end: complaints (one repeating), orders left unresolved and a
low survey answer made through the real order and survey services, read by the scoring run through the
orders and surveys read models, stored as reasons and shown in Chinese."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from helpers import create_customer, id_number, login, make_user
from telqc.core import events
from telqc.core.clock import FrozenClock
from telqc.core.rbac import Role
from telqc.insight import features, scoring
from telqc.insight.models import InsightChurnScore
from telqc.jobs.dispatch import job_ctx
from telqc.surveys import channels

A = "/api/v1"
COL = {name: i for i, name in enumerate(features.FEATURES)}


def order(client: TestClient, h: dict[str, str], customer: int, kind: str, category: str) -> int:
    r = client.post(f"{A}/orders", headers=h, json={
        "type": kind, "category": category, "customer_id": customer, "channel": "hotline", "title": "话费多扣",
        "description": "本月话费多扣了30元，要求退还"})
    assert r.status_code == 201, r.text
    return int(r.json()["id"])


def move(client: TestClient, h: dict[str, str], oid: int, to: str, **kw: Any) -> None:
    r = client.post(f"{A}/orders/{oid}/transition", json={"to": to, **kw}, headers=h)
    assert r.status_code == 200, r.text


def drain(app: FastAPI) -> None:
    st = app.state
    while events.drain(st.sessionmaker, st.clock, st.settings):
        pass


@pytest.fixture
def outbox() -> Any:
    rec = channels.RecordingChannel()
    previous = channels.use(rec)
    yield rec
    channels.use(previous)


def test_complaints_unresolved_orders_and_a_low_answer_drive_the_score(
        app: FastAPI, client: TestClient, clock: FrozenClock, outbox: channels.RecordingChannel) -> None:
    make_user(app, "adm", Role.admin)
    make_user(app, "gd1", Role.agent, ["440000"])
    adm, agent = login(client, "adm"), login(client, "gd1")
    angry, unhappy, calm = (create_customer(client, adm, phone=f"1381234{i:04d}", name=f"客户{i}",
                                            id_number=id_number(seq=f"{i:03d}"))["id"] for i in range(3))
    # the angry customer: a billing complaint, the same complaint again a week later (a repeat), both open;
    # an earlier complaint two months ago, resolved and closed (counted in 90 days only, not unresolved)
    clock.advance(timedelta(days=-60))
    old = order(client, agent, angry, "complaint", "complaint.network")
    for to in ("acknowledged", "in_progress"):
        move(client, agent, old, to)
    move(client, agent, old, "resolved", solution_code="refund", reason="已处理")
    clock.advance(timedelta(days=50))
    order(client, agent, angry, "complaint", "complaint.billing")
    clock.advance(timedelta(days=7))
    again = order(client, agent, angry, "complaint", "complaint.billing")
    # the unhappy customer: an enquiry answered on the spot, then a survey answered with NPS 2
    enquiry = order(client, agent, unhappy, "consultation", "consultation.billing")
    move(client, agent, enquiry, "resolved", solution_code="explained", reason="已解答")
    drain(app)  # order.resolved reaches the surveys domain, which sends the invitation
    link = next(m.link for m in outbox.sent if m.customer_id == unhappy)
    r = client.post(f"{A}/surveys/{link.removeprefix('/s/')}/answer", json={"nps": 2, "csat": 2})
    assert r.status_code == 200, r.text
    clock.advance(timedelta(days=3))

    with job_ctx(app.state.sessionmaker, clock, app.state.settings) as ctx:
        today = clock.now().date()
        ids, x = scoring.feature_rows(ctx, today)
        summary = scoring.run(ctx)
    row = {cid: x[i] for i, cid in enumerate(ids)}
    a, u, c = row[angry], row[unhappy], row[calm]
    assert (a[COL["complaints_30d"]], a[COL["complaints_90d"]]) == (2, 3)
    assert a[COL["repeat_complaints_30d"]] == 1, f"order {again} repeats the billing complaint"
    assert a[COL["unresolved_orders"]] == 2, "the resolved complaint is not unresolved"
    assert a[COL["nps_gap"]] == 0
    assert u[COL["nps_gap"]] == features.NPS_PASSIVE - 2 and u[COL["unresolved_orders"]] == 0
    assert u[COL["complaints_30d"]] == 0 and u[COL["repeat_complaints_30d"]] == 0
    assert all(c[COL[f]] == 0 for f in ("complaints_30d", "repeat_complaints_30d", "unresolved_orders", "nps_gap"))
    assert summary.scored == 3

    with app.state.sessionmaker() as s:
        stored = {r.customer_id: r for r in s.query(InsightChurnScore)}
    assert stored[angry].score > stored[unhappy].score > stored[calm].score
    angry_reasons = dict((code, value) for code, value in stored[angry].reasons)
    assert set(list(angry_reasons)[:2]) == {"repeat_complaints_30d", "unresolved_orders"}, angry_reasons
    assert (angry_reasons["repeat_complaints_30d"], angry_reasons["unresolved_orders"]) == (1, 2)
    assert ["nps_gap", features.NPS_PASSIVE - 2] in stored[unhappy].reasons
    assert not {"repeat_complaints_30d", "unresolved_orders", "nps_gap"} & {code for code, _ in stored[calm].reasons}

    said = client.get(f"{A}/insight/customers/{angry}/profile", headers=agent).json()["churn"]["reasons"]
    assert {"近30天重复投诉 1 次", "2 张工单未解决"} <= set(said), said
    said = client.get(f"{A}/insight/customers/{unhappy}/profile", headers=agent).json()["churn"]["reasons"]
    assert "满意度调查给出低分（NPS 2 分）" in said
