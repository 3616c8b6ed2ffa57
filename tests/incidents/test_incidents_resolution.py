"""Bulk resolution of a restored incident's orders: exactly once even when the job crashes midway."""

from __future__ import annotations

from collections import Counter

from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import select

from incidents.incidents_helpers import NetWorld
from telqc.core.context import Ctx
from telqc.core.uow import UnitOfWork
from telqc.incidents import resolution, service
from telqc.incidents.models import Incident
from telqc.incidents.states import IncidentState
from telqc.orders import notify


class Crash(Exception):
    pass


def test_bulk_resolution_exactly_once_after_a_crash_midway(app: FastAPI, client: TestClient,
                                                           channel: notify.RecordingChannel) -> None:
    w = NetWorld(app, client)
    orders = w.complaints("440106", 12)
    inc = w.incidents()[0]
    w.move(inc["id"], "confirmed")
    factory, clock, settings = app.state.sessionmaker, app.state.clock, app.state.settings

    def ctx_of(uow: UnitOfWork) -> Ctx:
        return Ctx(uow=uow, clock=clock, settings=settings)

    # netops restore; the commit is not followed by a relay pass (the worker is down)
    uow = UnitOfWork(factory())
    i = uow.session.get(Incident, inc["id"])
    assert i is not None
    service.change_state(ctx_of(uow), i, IncidentState.RESTORED, "供电恢复")
    uow.commit()
    uow.close()
    # the job's first chunk lands
    uow = UnitOfWork(factory())
    assert resolution.resolve_chunk(ctx_of(uow), inc["id"], chunk=5) == 5
    uow.commit()
    uow.close()
    # the second chunk crashes after resolving its orders, before its commit
    uow = UnitOfWork(factory())
    try:
        assert resolution.resolve_chunk(ctx_of(uow), inc["id"], chunk=5) == 5
        raise Crash
    except Crash:
        uow.rollback()
    finally:
        uow.close()
    # the relay comes back: the restored event finishes the job
    w.relay()
    w.relay()
    statuses = {o["id"]: client.get(f"/api/v1/orders/{o['id']}", headers=w.sup).json() for o in orders}
    assert {d["status"] for d in statuses.values()} == {"resolved"}
    assert all(len(d["callbacks"]) == 1 for d in statuses.values())
    resolved = Counter(m.recipient for m in channel.sent if m.kind == "resolved")
    assert len(resolved) == 12 and set(resolved.values()) == {1}, resolved
    restored = Counter(m.recipient for m in channel.sent if m.kind == "incident.restored")
    assert restored and set(restored.values()) == {1}
    # nothing left, nothing twice
    uow = UnitOfWork(factory())
    assert resolution.resolve_chunk(ctx_of(uow), inc["id"]) == 0
    uow.rollback()
    uow.close()
    with factory() as s:
        assert s.scalar(select(Incident.linked_count).where(Incident.id == inc["id"])) == 12
