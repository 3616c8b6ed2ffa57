"""Backfill: contacts loaded without events (``telqc seed``) and stored events rebuild the same rollups."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from fastapi import FastAPI

from metrics.metrics_factories import emit_all, order
from telqc.contacts.models import Contact
from telqc.core.context import Ctx
from telqc.core.uow import UnitOfWork
from telqc.metrics import service

T0 = datetime(2026, 10, 5, 2, 0, tzinfo=UTC)


def _contact(i: int, wait: int, talk: int, abandoned: bool = False) -> Contact:
    return Contact(channel="hotline", direction="in", started_at=T0 + timedelta(hours=i), province_code="440000",
                   queue_wait_s=wait, talk_s=talk, hold_s=0, acw_s=10, abandoned=abandoned, transferred=False,
                   category="billing", identity_verified=False)


def _view(app: FastAPI, *kpis: str) -> dict[str, float | None]:
    st = app.state
    with st.sessionmaker() as s:
        uow = UnitOfWork(s)
        out = service.view(Ctx(uow=uow, clock=st.clock, settings=st.settings),
                           service.Query(kpis=list(kpis), start=date(2026, 10, 1), end=date(2026, 10, 31)))
    return {k["name"]: k["value"] for k in out["kpis"]}


def test_backfill_from_raw_contacts_and_events(app: FastAPI) -> None:
    st = app.state
    with st.sessionmaker() as s:
        s.add_all([_contact(0, 10, 100), _contact(1, 30, 200), _contact(2, 40, 0, abandoned=True)])
        s.commit()
    emit_all(app, [order(1, T0, "complaint", None, "signal")])
    assert _view(app, "offered")["offered"] == 0, "seeded contacts emit no events"
    for _ in range(2):  # a second run changes nothing: contacts are imported once, rollups rebuilt
        with st.sessionmaker() as s:
            uow = UnitOfWork(s)
            res = service.backfill(Ctx(uow=uow, clock=st.clock, settings=st.settings), date(2026, 10, 1),
                                   date(2026, 10, 31))
            uow.commit()
    assert res["contacts_imported"] == 0 and res["facts_folded"] == 4
    v = _view(app, "offered", "aht", "abandonment_rate", "asa")
    assert v == {"offered": 3, "aht": pytest.approx((110 + 210) / 2), "abandonment_rate": pytest.approx(1 / 3),
                 "asa": 20.0}
    with st.sessionmaker() as s:
        assert service.facts_count(s) == {"contact.closed": 3, "order.created": 1}
