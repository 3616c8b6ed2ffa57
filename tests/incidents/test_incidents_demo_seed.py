"""The demo seeds one incident of each kind: a complaint storm (confirmed, with estimate and answer), a
network alarm and a planned cutover announced to its area."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import select
from typer.testing import CliRunner

from incidents.incidents_helpers import NetWorld
from orders.orders_helpers import staff
from telqc.core.context import Ctx
from telqc.core.rbac import Role
from telqc.core.uow import UnitOfWork
from telqc.demo.incidents_seed import advance_incidents, seed_incidents


def test_seed_has_a_storm_an_alarm_and_a_cutover(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from telqc.cli import app as cli
    from telqc.core.db import make_engine
    from telqc.core.settings import get_settings
    from telqc.incidents.models import Incident, IncidentNotice, PlannedWork

    monkeypatch.setenv("TELQC_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("TELQC_DATABASE_URL", raising=False)
    get_settings.cache_clear()
    try:
        r = CliRunner().invoke(cli, ["seed", "--customers", "120", "--days", "2", "--seed", "7", "--orders", "5"])
        assert r.exit_code == 0, r.output
        assert "network incidents" in r.output
        engine = make_engine(get_settings().effective_database_url)
        with engine.connect() as c:
            kinds = {(row.kind, row.status) for row in c.execute(select(Incident.kind, Incident.status))}
            assert ("storm", "confirmed") in kinds and ("network", "suspected") in kinds
            storm = c.execute(select(Incident).where(Incident.kind == "storm")).first()
            assert storm is not None and storm.linked_count >= 10 and storm.prepared_answer
            assert c.execute(select(PlannedWork.status)).scalars().all() == ["scheduled"]
            assert c.execute(select(IncidentNotice.kind).distinct()).scalars().all()
        engine.dispose()
    finally:
        get_settings.cache_clear()


def test_a_rural_storm_gets_its_estimate_and_netops_have_single_problems(app: FastAPI, client: TestClient) -> None:
    """The busiest district of a demo can be rural (从化区, 400 customers, seed 7): the storm's twelve complaints
    pass the rural confirmation threshold, detection confirms it itself, and the seed used to look for a
    suspected storm only, leaving it with no estimate and no prepared answer for the agents' banner. And the
    netops home counts one-complaint network problems: the demo hands a few single complaints to netops."""
    w = NetWorld(app, client)
    staff(app, "agent", Role.agent)
    staff(app, "netops", Role.netops, province=None)
    for district, n in (("440117", 6), ("440104", 3), ("440106", 2), ("441402", 1), ("441422", 1)):
        for k in range(n):
            w.customer_in(district, k)
    factory, clock, settings = app.state.sessionmaker, app.state.clock, app.state.settings

    def run(step: Callable[[Ctx], object]) -> None:
        uow = UnitOfWork(factory())
        try:
            step(Ctx(uow=uow, clock=clock, settings=settings))
            uow.commit()
        finally:
            uow.close()
        w.relay()

    run(seed_incidents)
    run(advance_incidents)
    storm = next(i for i in w.incidents() if i["kind"] == "storm")
    assert (storm["district_code"], storm["status"], storm["severity"]) == ("440117", "confirmed", "large")
    detail = client.get(f"/api/v1/incidents/{storm['id']}", headers=w.netops).json()
    assert detail["prepared_answer"] and detail["estimated_restore_at"] and detail["cause"]
    problems = client.get("/api/v1/network-problems", headers=w.netops)
    assert problems.status_code == 200, problems.text
    assert sorted(p["district_code"] for p in problems.json()) == ["441402", "441422"]
    assert {p["status"] for p in problems.json()} == {"open"}
