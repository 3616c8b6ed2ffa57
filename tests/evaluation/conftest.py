"""The evaluation story's cast (li, wang in 东区一组, zhao in 西区二组, supervisors of two provinces) and their
October: inspections (wang has one fatal item), contacts and survey answers, emitted as metrics facts."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import select

from helpers import login, make_user
from metrics.metrics_factories import Ev, contact, emit_all, inspection, survey_answered
from telqc.core.models import Team, User
from telqc.core.rbac import Role

A = "/api/v1/evaluation"
OCT = datetime(2026, 10, 1, 2, 0, tzinfo=UTC)


@pytest.fixture
def staff(app: FastAPI, client: TestClient) -> dict[str, Any]:
    ids = {n: make_user(app, n, Role.agent, ["440000"]) for n in ("li", "wang", "zhao")}
    ids["sup"] = make_user(app, "sup", Role.supervisor, ["440000"])
    ids["zj_sup"] = make_user(app, "zj_sup", Role.supervisor, ["330000"])
    with app.state.sessionmaker() as s:
        east, west = Team(name="东区一组", province_code="440000"), Team(name="西区二组", province_code="440000")
        s.add_all([east, west])
        s.flush()
        for name, team in (("li", east), ("wang", east), ("zhao", west)):
            u = s.scalar(select(User).where(User.username == name))
            assert u is not None
            u.team_id = team.id
        teams = {"east": east.id, "west": west.id}
        s.commit()
    evs: list[Ev] = []
    n = 0
    for day in range(20):
        at = OCT + timedelta(days=day)
        for name, qa, fatal, talk, good in (("li", 96.0, False, 280, True), ("wang", 95.0, day == 3, 300, True),
                                            ("zhao", 72.0, False, 520, day % 2 == 0)):
            agent, team_id = ids[name], teams["east" if name != "zhao" else "west"]
            n += 1
            evs.append(inspection(n, at, qa, qa >= 80 and not fatal, fatal, agent=agent, team=team_id))
            evs.append(contact(n, at, None, "账单查询", talk=talk, agent=agent, team=team_id))
            if name == "li":  # li takes twice the contacts of wang
                evs.append(contact(10_000 + n, at, None, "账单查询", talk=talk, agent=agent, team=team_id))
            evs.append(survey_answered(n, at, csat=5 if good else 2, nps=None, resolved=None, agent=agent,
                                       team=team_id))
    emit_all(app, evs)
    return {"ids": ids, "teams": teams, **{k: login(client, k) for k in ids}}


def run_october(client: TestClient, h: dict[str, str], **kw: Any) -> dict[str, Any]:
    r = client.post(f"{A}/runs", headers=h, json={"name": "2026年10月坐席考评", "period_start": "2026-10-01",
                                                  "period_end": "2026-10-31", "province": "440000", **kw})
    assert r.status_code == 201, r.text
    return dict(r.json())
