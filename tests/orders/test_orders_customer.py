"""Customer progress: own orders only, public items only; notifications exactly once."""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.testclient import TestClient

from helpers import create_customer, id_number
from orders.orders_helpers import World
from telqc.core import events
from telqc.orders import notify
from telqc.orders.models import Notification


def test_customer_sees_only_own_public_timeline(app: FastAPI, client: TestClient,
                                                channel: notify.RecordingChannel) -> None:
    w = World(app, client)
    other = create_customer(client, w.admin, phone="13900000003", id_number=id_number("440106", "19850101", "333"))
    mine = w.create()["id"]
    theirs = w.create(customer_id=other["id"])["id"]
    w.move(mine, "acknowledged")
    assert client.post(f"/api/v1/orders/{mine}/notes", json={"body": "内部：客户疑似恶意投诉", "public": False},
                       headers=w.agent).status_code == 201
    assert client.post(f"/api/v1/orders/{mine}/notes", json={"body": "已联系计费部核实", "public": True},
                       headers=w.agent).status_code == 201
    me = w.customer_login()
    listed = client.get("/api/v1/me/orders", headers=me).json()
    assert [o["id"] for o in listed] == [mine]
    r = client.get(f"/api/v1/me/orders/{mine}", headers=me)
    assert r.status_code == 200
    body = r.text
    assert "已联系计费部核实" in body and "恶意" not in body
    kinds = {i["kind"] for i in r.json()["timeline"]}
    assert kinds <= {"status", "note", "notify", "engineer_status", "network"}
    assert all(i["actor_id"] is None for i in r.json()["timeline"]), "staff are not named to customers"
    assert client.get(f"/api/v1/me/orders/{theirs}", headers=me).status_code == 404
    assert client.get(f"/api/v1/orders/{mine}", headers=me).status_code == 403, "staff API is not for customers"


def test_notifications_sent_exactly_once_when_relay_reruns(app: FastAPI, client: TestClient,
                                                           channel: notify.RecordingChannel) -> None:
    w = World(app, client)
    oid = w.create()["id"]
    w.move(oid, "acknowledged")
    w.move(oid, "in_progress")
    w.move(oid, "resolved")
    assert [m.kind for m in channel.sent] == ["acknowledged", "resolved"]
    assert len({m.key for m in channel.sent}) == 2
    factory, clock = app.state.sessionmaker, app.state.clock
    # the relay and the notification job run again (a retried Celery task, a second worker)
    with factory() as s:
        s.execute(events.OutboxEvent.__table__.update().values(published_at=None))
        s.execute(events.EventDelivery.__table__.delete())
        s.commit()
    events.drain(factory, clock, app.state.settings)
    assert notify.deliver_pending(factory, clock) == 0
    assert len(channel.sent) == 2
    # queuing the same (order, kind, occurrence) again writes nothing and sends nothing
    from telqc.core.context import Ctx
    from telqc.core.uow import UnitOfWork

    with factory() as s:
        uow = UnitOfWork(s)
        ctx = Ctx(uow=uow, clock=clock, settings=app.state.settings)
        notify.queue(ctx, oid, "resolved", 0, f"customer:{w.customer_id}", "dup")
        uow.commit()
        assert s.query(Notification).filter_by(order_id=oid).count() == 2
        assert "dup" not in {n.body for n in s.query(Notification).filter_by(order_id=oid)}
    assert notify.deliver_pending(factory, clock) == 0
    assert len(channel.sent) == 2


def test_failed_send_stays_queued_and_is_sent_once_later(app: FastAPI, client: TestClient) -> None:
    class Flaky(notify.RecordingChannel):
        fail = True

        def send(self, message: notify.Message) -> None:
            if self.fail:
                raise ConnectionError("gateway down")
            super().send(message)

    flaky = Flaky()
    previous = notify.set_channel(flaky)
    try:
        w = World(app, client)
        oid = w.create()["id"]
        w.move(oid, "acknowledged")
        assert flaky.sent == []
        flaky.fail = False
        assert notify.deliver_pending(app.state.sessionmaker, app.state.clock) == 1
        assert notify.deliver_pending(app.state.sessionmaker, app.state.clock) == 0
        assert [m.kind for m in flaky.sent] == ["acknowledged"]
    finally:
        notify.set_channel(previous)
