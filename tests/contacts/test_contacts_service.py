"""The contacts service as other domains call it: finished interactions, their facts, transcripts and CSAT."""

from __future__ import annotations

import dataclasses
import json
from datetime import timedelta

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from helpers import create_customer, id_number, login, make_user
from telqc.contacts import read
from telqc.contacts import service as contacts
from telqc.contacts.models import Interaction
from telqc.core.auth import principal_of
from telqc.core.clock import FrozenClock
from telqc.core.context import Ctx
from telqc.core.errors import NotFound
from telqc.core.events import OutboxEvent
from telqc.core.models import Team, User
from telqc.core.rbac import Role
from telqc.core.uow import UnitOfWork

TURNS: list[dict[str, object]] = [
    {"speaker": "agent", "start_ms": 0, "end_ms": 2500, "text": "您好，请问有什么可以帮您？"},
    {"speaker": "customer", "start_ms": 2600, "end_ms": 7400, "text": "我的宽带又断了。"},
]


@pytest.fixture
def world(app: FastAPI, client: TestClient) -> dict[str, int]:
    make_user(app, "adm", Role.admin)
    ids = {"gd_agent": make_user(app, "gd_agent", Role.agent, region_scope=["440000"]),
           "zj_agent": make_user(app, "zj_agent", Role.agent, region_scope=["330000"])}
    with app.state.sessionmaker() as s:
        team = s.scalar(select(Team).where(Team.province_code == "440000").order_by(Team.id))
        assert team is not None
        user = s.get(User, ids["gd_agent"])
        assert user is not None
        user.team_id = team.id
        ids["team"] = team.id
        s.commit()
    ids["customer"] = create_customer(client, login(client, "adm"), phone="13812345678",
                                      id_number=id_number("440117"), district_code="440117", tier="vip")["id"]
    return ids


def _ctx(app: FastAPI, session: Session, clock: FrozenClock, user_id: int | None = None) -> Ctx:
    user = session.get(User, user_id) if user_id is not None else None
    return Ctx(uow=UnitOfWork(session), clock=clock, settings=app.state.settings,
               principal=principal_of(user) if user is not None else None)


def _finished(clock: FrozenClock, agent_id: int, customer_id: int | None = None,
              province: str | None = None) -> contacts.FinishedContact:
    start = clock.now() - timedelta(minutes=10)
    return contacts.FinishedContact(
        channel="hotline", customer_id=customer_id, province_code=province, agent_id=agent_id, started_at=start,
        ended_at=start + timedelta(seconds=95), queue_wait_s=12, talk_s=80, hold_s=0, acw_s=3, abandoned=False,
        transferred=False, category="宽带故障")


def test_recorded_interaction_is_stored_and_announced_once_with_its_dimensions(
        app: FastAPI, session: Session, clock: FrozenClock, world: dict[str, int]) -> None:
    ctx = _ctx(app, session, clock)
    # the contact carries no province of its own: the dimensions take the customer's
    cid = contacts.record_interaction(ctx, _finished(clock, world["gd_agent"], world["customer"]), TURNS,
                                      source="import", external_id="CALL-1", complaint=True, csat=2)
    ctx.uow.commit()
    inter = session.get(Interaction, cid)
    assert inter is not None
    assert (inter.turn_count, inter.duration_ms, inter.complaint, inter.csat, inter.external_id) == \
        (2, 7400, True, 2, "CALL-1")
    events = [json.loads(e.payload) for e in session.scalars(
        select(OutboxEvent).where(OutboxEvent.type == "contact.closed"))]
    assert len(events) == 1
    e = events[0]
    assert (e["contact_id"], e["customer_id"], e["queue_wait_s"], e["answered_within_s"]) == \
        (cid, world["customer"], 12, 12)
    assert e["dims"] == {"province_code": "440000", "city_code": "440100", "district_code": "440117",
                         "area_type": "rural", "tier": "vip", "channel": "hotline", "team_id": world["team"],
                         "agent_id": world["gd_agent"], "category": "宽带故障"}


def test_dimensions_of_a_contact_without_customer_come_from_the_contact(
        app: FastAPI, session: Session, clock: FrozenClock, world: dict[str, int]) -> None:
    ctx = _ctx(app, session, clock)
    abandoned = dataclasses.replace(_finished(clock, world["zj_agent"], None, "330000"), abandoned=True)
    cid = contacts.record_interaction(ctx, abandoned, TURNS, source="api")
    assert contacts.dims(ctx, cid) == {
        "province_code": "330000", "city_code": None, "district_code": None, "area_type": None, "tier": None,
        "channel": "hotline", "team_id": None, "agent_id": world["zj_agent"], "category": "宽带故障"}
    ctx.uow.commit()  # the event is a row of the unit of work until then
    closed = json.loads(session.scalars(select(OutboxEvent.payload).where(OutboxEvent.type == "contact.closed")).one())
    assert closed["abandoned"] is True and closed["answered_within_s"] is None, "an abandoned call was not answered"


def test_transcript_is_read_within_the_contacts_scope(
        app: FastAPI, session: Session, clock: FrozenClock, world: dict[str, int]) -> None:
    ctx = _ctx(app, session, clock)
    cid = contacts.record_interaction(ctx, _finished(clock, world["gd_agent"], world["customer"], "440000"), TURNS,
                                      source="import")
    ctx.uow.commit()
    view = contacts.get_interaction(_ctx(app, session, clock, world["gd_agent"]), cid)
    assert (view.contact_id, view.agent_id, view.customer_id, view.turn_count) == \
        (cid, world["gd_agent"], world["customer"], 2)
    assert view.turns == TURNS
    with pytest.raises(NotFound):
        contacts.get_interaction(_ctx(app, session, clock, world["zj_agent"]), cid)
    with pytest.raises(dataclasses.FrozenInstanceError):
        view.csat = 5  # type: ignore[misc]  # the point: the view is frozen
    assert read.interaction(session, cid) == view, "the unscoped read sees the same copy"
    assert read.interaction(session, 999999) is None


def test_contact_without_transcript_has_no_interaction(
        app: FastAPI, client: TestClient, session: Session, clock: FrozenClock, world: dict[str, int]) -> None:
    opened = client.post("/api/v1/contacts", json={"channel": "app"}, headers=login(client, "gd_agent")).json()
    with pytest.raises(NotFound):
        contacts.get_interaction(_ctx(app, session, clock, world["gd_agent"]), opened["id"])


def test_csat_lands_on_the_interaction_it_rates(
        app: FastAPI, session: Session, clock: FrozenClock, world: dict[str, int]) -> None:
    ctx = _ctx(app, session, clock)
    cid = contacts.record_interaction(ctx, _finished(clock, world["gd_agent"]), TURNS, source="import")
    contacts.set_csat(ctx, cid, 1)
    contacts.set_csat(ctx, cid, None)  # a survey without a score changes nothing
    contacts.set_csat(ctx, 999999, 4)  # nor does an answer about a contact without transcript
    ctx.uow.commit()
    inter = session.get(Interaction, cid)
    assert inter is not None and inter.csat == 1


def test_recent_contacts_of_a_customer_are_newest_first_and_limited(
        app: FastAPI, client: TestClient, session: Session, clock: FrozenClock, world: dict[str, int]) -> None:
    h = login(client, "gd_agent")
    made = []
    for _ in range(3):
        made.append(client.post("/api/v1/contacts", json={"channel": "web", "customer_id": world["customer"]},
                                headers=h).json()["id"])
        clock.advance(timedelta(minutes=5))
    got = contacts.recent_for_customer(_ctx(app, session, clock, world["gd_agent"]), world["customer"], limit=2)
    assert [c.id for c in got] == [made[2], made[1]]
    assert contacts.recent_for_customer(_ctx(app, session, clock, world["zj_agent"]), world["customer"]) == []
