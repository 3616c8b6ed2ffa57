"""Survey flow end to end: invitation after resolution or contact → one-time link → answer → KPIs move."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import select

from helpers import login, make_user
from metrics.metrics_factories import contact, dims, emit_all, order, order_event
from telqc.core.clock import FrozenClock
from telqc.core.context import Ctx
from telqc.core.rbac import Role
from telqc.core.uow import UnitOfWork
from telqc.metrics import service as metrics
from telqc.surveys import channels
from telqc.surveys.models import SurveyInvitation, SurveyResponse


def _kpis(app: FastAPI, *names: str) -> dict[str, Any]:
    st = app.state
    with st.sessionmaker() as s:
        uow = UnitOfWork(s)
        today = st.clock.now().date()
        out = metrics.view(Ctx(uow=uow, clock=st.clock, settings=st.settings),
                           metrics.Query(kpis=list(names), start=today - timedelta(days=40), end=today))
    return {k["name"]: k["value"] for k in out["kpis"]}


def _resolve_order(app: FastAPI, clock: FrozenClock, oid: int = 1, customer: int = 10) -> None:
    now = clock.now()
    emit_all(app, [order(oid, now, "complaint", customer, "signal", agent=42),
                   order_event("order.resolved", oid, now, "complaint", d=dims(category="signal", agent=42),
                               customer_id=customer, resolution_business_s=600, within_deadline=True,
                               reopened=False, solution_code="x")])


def test_resolved_event_without_customer_uses_the_kept_mapping(app: FastAPI, clock: FrozenClock,
                                                               outbox: channels.RecordingChannel) -> None:
    """Events emitted before order.resolved carried the customer find it in the mapping kept for them."""
    from telqc.surveys.models import SurveyOrderCustomer

    with app.state.sessionmaker() as s:
        s.add(SurveyOrderCustomer(order_id=5, customer_id=11, order_type="complaint"))
        s.commit()
    now = clock.now()
    emit_all(app, [order_event("order.resolved", 5, now, "complaint", d=dims(category="signal", agent=42),
                               resolution_business_s=600, within_deadline=True, reopened=False, solution_code="x"),
                   order_event("order.resolved", 6, now, "complaint", d=dims(category="signal", agent=42),
                               resolution_business_s=600, within_deadline=True, reopened=False, solution_code="x")])
    assert [(m.customer_id, m.channel) for m in outbox.sent] == [(11, "sms")]  # order 6: customer unknown


def test_invite_answer_kpi_moves(app: FastAPI, client: TestClient, clock: FrozenClock,
                                 outbox: channels.RecordingChannel) -> None:
    _resolve_order(app, clock)
    assert len(outbox.sent) == 1
    msg = outbox.sent[0]
    assert msg.channel == "sms" and msg.customer_id == 10 and msg.link.startswith("/s/")
    assert _kpis(app, "csat", "survey_response_rate") == {"csat": None, "survey_response_rate": 0.0}

    page = client.get(msg.link)
    assert page.status_code == 200 and "满意" in page.text and 'name="nps"' in page.text
    bad = client.post(msg.link, data={"csat": "7"})  # the customer reads which answer and why, not "csat"
    assert bad.status_code == 422 and '<p class="error" id="survey-error">满意度：不能大于 5</p>' in bad.text
    r = client.post(msg.link, data={"csat": "5", "nps": "9", "resolved": "yes", "comment": "很快"})
    assert r.status_code == 200 and "感谢" in r.text

    with app.state.sessionmaker() as s:
        inv = s.scalars(select(SurveyInvitation)).one()
        resp = s.scalars(select(SurveyResponse)).one()
        assert (inv.status, inv.order_id, inv.agent_id, inv.customer_id) == ("answered", 1, 42, 10)
        assert (resp.csat, resp.nps, resp.resolved, resp.comment) == (5, 9, True, "很快")
    k = _kpis(app, "csat", "nps", "survey_response_rate", "fcr_survey")
    assert k == {"csat": 1.0, "nps": 100.0, "survey_response_rate": 1.0, "fcr_survey": 1.0}


def test_link_cannot_be_answered_twice(app: FastAPI, client: TestClient, clock: FrozenClock,
                                       outbox: channels.RecordingChannel) -> None:
    _resolve_order(app, clock)
    link = outbox.sent[0].link
    assert client.post(link, data={"csat": "2"}).status_code == 200
    again = client.post(link, data={"csat": "5"})
    assert again.status_code == 409 and "已提交" in again.text
    api = client.post(f"/api/v1/surveys/{link.removeprefix('/s/')}/answer", json={"csat": 5})
    assert api.status_code == 409
    with app.state.sessionmaker() as s:
        assert [r.csat for r in s.scalars(select(SurveyResponse))] == [2]
    assert _kpis(app, "csat_mean")["csat_mean"] == 2.0


def test_link_expires(app: FastAPI, client: TestClient, clock: FrozenClock, outbox: channels.RecordingChannel) -> None:
    _resolve_order(app, clock)
    link = outbox.sent[0].link
    clock.advance(timedelta(days=7, seconds=1))
    r = client.post(link, data={"csat": "5"})
    assert r.status_code == 409 and "过期" in r.text
    assert client.get(link).status_code == 409
    with app.state.sessionmaker() as s:
        uow = UnitOfWork(s)
        assert s.scalars(select(SurveyResponse)).first() is None
        from telqc.surveys import service

        assert service.expire_due(Ctx(uow=uow, clock=clock, settings=app.state.settings)) == 1
        uow.commit()
        assert s.scalars(select(SurveyInvitation)).one().status == "expired"
    assert _kpis(app, "csat")["csat"] is None


def test_one_survey_per_customer_in_30_days(app: FastAPI, clock: FrozenClock,
                                            outbox: channels.RecordingChannel) -> None:
    now = clock.now()
    emit_all(app, [contact(1, now, 10, "billing"), contact(2, now, 10, "billing", abandoned=True),
                   contact(3, now, None, "billing"), contact(4, now, 11, "plan", channel="app"),
                   contact(5, now, 10, "plan")])  # the same customer again in one relay batch
    assert [(m.customer_id, m.channel) for m in outbox.sent] == [(10, "sms"), (11, "app_push")]
    clock.advance(timedelta(days=29))
    _resolve_order(app, clock, oid=5, customer=10)
    assert len(outbox.sent) == 2, "surveyed again within 30 days"
    clock.advance(timedelta(days=2))
    emit_all(app, [contact(6, clock.now(), 10, "billing")])
    assert len(outbox.sent) == 3
    assert _kpis(app, "survey_response_rate")["survey_response_rate"] == 0.0


def test_bad_answer_names_the_field(app: FastAPI, client: TestClient, clock: FrozenClock,
                                    outbox: channels.RecordingChannel) -> None:
    _resolve_order(app, clock)
    token = outbox.sent[0].link.removeprefix("/s/")
    r = client.post(f"/api/v1/surveys/{token}/answer", json={"csat": 7})
    assert r.status_code == 422 and "csat" in r.text
    assert client.post(f"/api/v1/surveys/{token}/answer", json={}).status_code == 409
    assert client.get("/s/not-a-token").status_code == 404
    ok = client.post(f"/api/v1/surveys/{token}/answer", json={"csat": 4, "resolved": False})
    assert ok.status_code == 200 and ok.json()["status"] == "answered"


def test_managers_list_invitations(app: FastAPI, client: TestClient, clock: FrozenClock,
                                   outbox: channels.RecordingChannel) -> None:
    _resolve_order(app, clock)
    make_user(app, "mgr", Role.manager)
    h = login(client, "mgr")
    r = client.get("/api/v1/surveys/invitations", headers=h)
    assert r.status_code == 200 and [i["order_id"] for i in r.json()] == [1]
    page = client.get("/surveys", headers=h)
    assert page.status_code == 200 and "调查邀请" in page.text
