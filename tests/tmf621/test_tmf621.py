"""TMF621 Trouble Ticket v4 over work orders: every body validated against the spec."""

from __future__ import annotations

import json
import threading
from collections import Counter
from collections.abc import Iterator
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import TypedDict

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from helpers import create_customer, login, make_user
from telqc.api.tmf621.hub import deliver_pending
from telqc.core import events
from telqc.core.clock import FrozenClock
from telqc.core.rbac import Role
from telqc.core.settings import Settings
from tmf621.tmf_spec import Spec

B = "/tmf-api/troubleTicket/v4"


class Actors(TypedDict):
    agent: dict[str, str]  # an agent's authorization headers
    customer_id: int


@pytest.fixture
def actors(app: FastAPI, client: TestClient) -> Actors:
    make_user(app, "adm", Role.admin)
    make_user(app, "agent", Role.agent, region_scope=["440000"])
    customer = create_customer(client, login(client, "adm"))
    return {"agent": login(client, "agent"), "customer_id": customer["id"]}


def _ticket(customer_id: int, **kw: object) -> dict[str, object]:
    body: dict[str, object] = {
        "name": "家中宽带频繁掉线",
        "description": "近一周宽带每天晚上掉线三四次，已重启光猫无效，要求尽快处理，否则投诉到工信部",
        "severity": "Major", "ticketType": "complaint", "channel": {"id": "hotline"},
        "relatedParty": [{"id": str(customer_id), "role": "customer", "@referredType": "Customer"}],
        "note": [{"text": "客户情绪激动"}], "category": "complaint.network",
    }
    body.update(kw)
    return body


def test_create_retrieve_and_spec(client: TestClient, actors: Actors, spec: Spec) -> None:
    r = client.post(f"{B}/troubleTicket", json=_ticket(actors["customer_id"]), headers=actors["agent"])
    assert r.status_code == 201, r.text
    t = r.json()
    spec.validate("TroubleTicket", t)
    assert t["status"] == "acknowledged" and t["ticketType"] == "complaint" and t["severity"] == "Major"
    assert t["expectedResolutionDate"] > t["creationDate"], "expected resolution comes from the SLA"
    assert r.headers["location"] == f"{B}/troubleTicket/{t['id']}"
    assert [n["text"] for n in t["note"]] == ["客户情绪激动"]
    got = client.get(f"{B}/troubleTicket/{t['id']}", headers=actors["agent"])
    spec.validate("TroubleTicket", got.json())
    assert got.json()["id"] == t["id"]
    only = client.get(f"{B}/troubleTicket/{t['id']}", params={"fields": "status,severity"}, headers=actors["agent"])
    assert set(only.json()) == {"id", "href", "@type", "status", "severity"}


@pytest.mark.parametrize("missing", ["description", "severity", "ticketType"])
def test_create_missing_mandatory_attribute_is_400_naming_it(client: TestClient, actors: Actors, spec: Spec,
                                                             missing: str) -> None:
    body = _ticket(actors["customer_id"])
    del body[missing]
    r = client.post(f"{B}/troubleTicket", json=body, headers=actors["agent"])
    assert r.status_code == 400
    spec.validate("Error", r.json(), strict=False)
    assert r.json()["field"] == f"body.{missing}" and missing in r.json()["message"]
    listed = client.get(f"{B}/troubleTicket", headers=actors["agent"])
    assert listed.headers["x-total-count"] == "0", "nothing was created"


def test_list_filters_paging_and_headers(client: TestClient, actors: Actors, spec: Spec) -> None:
    cid = actors["customer_id"]
    for i in range(3):
        client.post(f"{B}/troubleTicket", json=_ticket(cid, name=f"投诉{i}"), headers=actors["agent"])
    client.post(f"{B}/troubleTicket", json=_ticket(cid, ticketType="inquiry", category="consultation.billing",
                                                   severity="Minor", name="账单咨询"), headers=actors["agent"])
    page = client.get(f"{B}/troubleTicket", params={"ticketType": "complaint", "limit": 2, "offset": 0},
                      headers=actors["agent"])
    assert page.headers["x-total-count"] == "3" and page.headers["x-result-count"] == "2"
    for item in page.json():
        spec.validate("TroubleTicket", item)
        assert item["ticketType"] == "complaint"
    rest = client.get(f"{B}/troubleTicket", params={"ticketType": "complaint", "limit": 2, "offset": 2},
                      headers=actors["agent"])
    assert rest.headers["x-result-count"] == "1"
    names = client.get(f"{B}/troubleTicket", params={"fields": "name", "status": "acknowledged"},
                       headers=actors["agent"]).json()
    assert {n["name"] for n in names} == {"投诉0", "投诉1", "投诉2", "账单咨询"}
    assert all(set(n) == {"id", "href", "@type", "name"} for n in names)
    bad = client.get(f"{B}/troubleTicket", params={"colour": "red"}, headers=actors["agent"])
    assert bad.status_code == 400 and bad.json()["field"] == "colour"


def test_patch_status_notes_conflicts(client: TestClient, actors: Actors, spec: Spec) -> None:
    t = client.post(f"{B}/troubleTicket", json=_ticket(actors["customer_id"]), headers=actors["agent"])
    url, etag = f"{B}/troubleTicket/{t.json()['id']}", t.headers["etag"]
    merge = {**actors["agent"], "Content-Type": "application/merge-patch+json"}
    change = {"status": "inProgress", "statusChangeReason": "已联系网络部", "note": [{"text": "已派网络部排查"}]}
    r = client.patch(url, content=json.dumps(change), headers={**merge, "If-Match": etag})
    assert r.status_code == 200, r.text
    spec.validate("TroubleTicket", r.json())
    assert r.json()["status"] == "inProgress" and r.json()["statusChange"][-1]["status"] == "inProgress"
    assert "已派网络部排查" in [n["text"] for n in r.json()["note"]]
    stale = client.patch(url, content=json.dumps({"status": "resolved"}), headers={**merge, "If-Match": etag})
    assert stale.status_code == 412
    illegal = client.patch(url, content=json.dumps({"status": "closed"}), headers=merge)
    assert illegal.status_code == 409 and "resolved" in illegal.json()["allowed"]
    spec.validate("Error", illegal.json(), strict=False)
    ro = client.patch(url, content=json.dumps({"severity": "Minor"}), headers=merge)
    assert ro.status_code == 400 and ro.json()["field"] == "severity"
    assert client.delete(url, headers=actors["agent"]).status_code == 204
    assert client.get(url, headers=actors["agent"]).json()["status"] == "cancelled"


class _Receiver:
    """A real local HTTP listener: records events; answers 500 to the first `fail` requests."""

    def __init__(self, fail: int = 0) -> None:
        self.bodies: list[dict[str, object]] = []
        self.fail = fail
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                if outer.fail > 0:
                    outer.fail -= 1
                    self.send_response(500)
                else:
                    outer.bodies.append(body)
                    self.send_response(201)
                self.end_headers()

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/listener"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()


@pytest.fixture
def receiver() -> Iterator[_Receiver]:
    r = _Receiver(fail=1)
    yield r
    r.server.shutdown()


def test_hub_delivers_every_event_type_once_with_retry(
        app: FastAPI, client: TestClient, clock: FrozenClock, settings: Settings, actors: Actors, receiver: _Receiver,
        spec: Spec) -> None:
    sub = client.post(f"{B}/hub", json={"callback": receiver.url}, headers=actors["agent"])
    assert sub.status_code == 201
    spec.validate("EventSubscription", {k: v for k, v in sub.json().items() if k != "secret"})
    assert len(sub.json()["secret"]) == 64, "the signing secret, answered once (a TelQC extension attribute)"
    only_resolved = client.post(f"{B}/hub", json={"callback": receiver.url,
                                                  "query": "eventType=TroubleTicketResolvedEvent"},
                                headers=actors["agent"]).json()
    t = client.post(f"{B}/troubleTicket", json=_ticket(actors["customer_id"]), headers=actors["agent"]).json()
    url = f"{B}/troubleTicket/{t['id']}"
    merge = {**actors["agent"], "Content-Type": "application/merge-patch+json"}
    for status in ("inProgress", "pending", "inProgress", "resolved"):
        assert client.patch(url, content=json.dumps({"status": status}), headers=merge).status_code == 200
    t2 = client.post(f"{B}/troubleTicket", json=_ticket(actors["customer_id"], name="第二单"),
                     headers=actors["agent"]).json()
    assert client.delete(f"{B}/troubleTicket/{t2['id']}", headers=actors["agent"]).status_code == 204
    for _ in range(3):  # retried relays and deliveries must not duplicate anything
        events.drain(app.state.sessionmaker, clock, settings)
        clock.advance(timedelta(seconds=30))
        deliver_pending(app.state.sessionmaker, clock, settings)
    ids = Counter(str(b["eventId"]) for b in receiver.bodies)
    twice = {i for i, n in ids.items() if n > 1}
    assert len(twice) == 1 and next(iter(twice)).endswith("ResolvedEvent") and max(ids.values()) == 2, \
        "each event once per subscription: only the resolved event reached both subscriptions"
    kinds = [b["eventType"] for b in receiver.bodies]
    for kind in ("TroubleTicketCreateEvent", "TroubleTicketStatusChangeEvent", "TroubleTicketResolvedEvent",
                 "TroubleTicketInformationRequiredEvent", "TroubleTicketDeleteEvent"):
        assert kind in kinds, kind
    assert kinds.count("TroubleTicketResolvedEvent") == 2, "the filtered subscription got its one event too"
    for body in receiver.bodies:
        spec.validate(str(body["eventType"]), body)
    assert client.delete(f"{B}/hub/{only_resolved['id']}", headers=actors["agent"]).status_code == 204
    assert client.delete(f"{B}/hub/{only_resolved['id']}", headers=actors["agent"]).status_code == 404


def test_hub_claims_nothing_and_queues_each_delivery_once(app: FastAPI, client: TestClient, clock: FrozenClock,
                                                          settings: Settings, actors: Actors,
                                                          receiver: _Receiver) -> None:
    """The hub's unique delivery rows are its ledger: no relay claim rows, with or without a subscription,
    and a relay run again over the same events queues and sends nothing twice."""
    receiver.fail = 0
    hub = "telqc.api.tmf621.hub.queue_deliveries"
    factory = app.state.sessionmaker

    def claimed() -> int:
        with factory() as s:
            return int(s.scalar(select(func.count()).select_from(events.EventDelivery)
                                .where(events.EventDelivery.handler == hub)) or 0)

    before = client.post(f"{B}/troubleTicket", json=_ticket(actors["customer_id"]), headers=actors["agent"]).json()
    events.drain(factory, clock, settings)
    assert claimed() == 0, "no subscription: the relay passes the hub by"
    client.post(f"{B}/hub", json={"callback": receiver.url}, headers=actors["agent"])
    with factory() as s:
        relayed_before = s.scalar(select(func.max(events.OutboxEvent.id))) or 0
    merge = {**actors["agent"], "Content-Type": "application/merge-patch+json"}
    r = client.patch(f"{B}/troubleTicket/{before['id']}", content=json.dumps({"status": "inProgress"}), headers=merge)
    assert r.status_code == 200, r.text
    events.drain(factory, clock, settings)
    deliver_pending(factory, clock, settings)
    kinds = [b["eventType"] for b in receiver.bodies]
    assert "TroubleTicketStatusChangeEvent" in kinds and "TroubleTicketCreateEvent" not in kinds, \
        "the subscription gets what happened after it, not the creation before it"
    sent = len(receiver.bodies)
    with factory() as s:  # the relay runs again over the events since (a retried Celery task)
        outbox = events.OutboxEvent.__table__
        s.execute(outbox.update().where(outbox.c.id > relayed_before).values(published_at=None))
        s.commit()
    events.drain(factory, clock, settings)
    clock.advance(timedelta(seconds=30))
    assert deliver_pending(factory, clock, settings) == 0 and len(receiver.bodies) == sent
    assert claimed() == 0


def test_attribute_change_event_on_transfer(app: FastAPI, client: TestClient, clock: FrozenClock, settings: Settings,
                                            actors: Actors, receiver: _Receiver, spec: Spec) -> None:
    receiver.fail = 0
    query = "eventType=TroubleTicketAttributeValueChangeEvent"
    client.post(f"{B}/hub", json={"callback": receiver.url, "query": query}, headers=actors["agent"])
    calm = _ticket(actors["customer_id"], description="宽带晚上掉线，已重启光猫无效")  # no escalation risk
    t = client.post(f"{B}/troubleTicket", json=calm, headers=actors["agent"]).json()
    r = client.post(f"/api/v1/orders/{t['id']}/transfer", headers=actors["agent"],
                    json={"to_queue": "网络部", "handoff_note": "已重启光猫并检查线路，仍掉线，需网络部排查"})
    assert r.status_code == 200, r.text
    deliver_pending(app.state.sessionmaker, clock, settings)
    assert [b["eventType"] for b in receiver.bodies] == ["TroubleTicketAttributeValueChangeEvent"]
    spec.validate("TroubleTicketAttributeValueChangeEvent", receiver.bodies[0])
