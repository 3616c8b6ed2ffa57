"""Repair dispatch prefers the field engineers on duty when the workforce domain has an engineers' roster for the
moment (the appointment, else now), and routes as before (district, skill, load) when it has none."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

from fastapi import FastAPI
from fastapi.testclient import TestClient

from orders.orders_helpers import World, staff
from telqc.core.clock import FrozenClock
from telqc.core.rbac import Role
from telqc.workforce.models import EngineerDuty, EngineerRoster

REPAIR: dict[str, Any] = {"type": "repair", "category": "repair.broadband", "title": "宽带断网",
                          "description": "光猫红灯，无法上网", "repair": {"product": "千兆宽带"}}
TODAY = date(2026, 11, 2)  # the conftest clock: 02:00 UTC, 10:00 in Beijing


def _roster(app: FastAPI, duties: list[tuple[int, str]]) -> None:
    """An engineers' roster for today in Guangdong: (engineer, early / late / night)."""
    with app.state.sessionmaker() as s:
        r = EngineerRoster(created_at=app.state.clock.now(), start_date=TODAY, days=1, solver="test",
                           status="optimal", need={"440000": [1]}, short_blocks=0, over_blocks=0,
                           nights_uncovered=0, solve_s=0)
        s.add(r)
        s.flush()
        s.add_all(EngineerDuty(roster_id=r.id, engineer_id=e, province_code="440000", day=TODAY, kind=k)
                  for e, k in duties)
        s.commit()


def _dispatch(w: World, client: TestClient, at: datetime | None) -> int:
    o = w.create(**REPAIR)
    body = {"appointment_start": at.isoformat(), "appointment_end": (at + timedelta(hours=2)).isoformat()} if at else {}
    r = client.post(f"/api/v1/orders/{o['id']}/dispatch", headers=w.sup, json=body)
    assert r.status_code == 200, r.text
    return int(r.json()["engineer_id"])


def test_dispatch_prefers_the_engineer_on_duty_at_the_appointment(app: FastAPI, client: TestClient,
                                                                  clock: FrozenClock) -> None:
    w = World(app, client)
    near = staff(app, "eng_tianhe", Role.engineer, skills=["broadband", "440106"])  # the district's own
    other = staff(app, "eng_gd", Role.engineer, skills=["broadband"])
    assert _dispatch(w, client, None) == near, "no roster: district first, as before"
    _roster(app, [(other, "early"), (near, "night")])
    assert _dispatch(w, client, None) == other, "now (10:00) only the early duty is on"
    assert _dispatch(w, client, datetime(2026, 11, 2, 3, 30, tzinfo=UTC)) == other, "11:30 Beijing"
    assert _dispatch(w, client, datetime(2026, 11, 2, 13, 0, tzinfo=UTC)) == near, "21:00: the one on call"
    assert _dispatch(w, client, datetime(2026, 11, 2, 19, 0, tzinfo=UTC)) == near, "03:00 next day: still on call"
    assert _dispatch(w, client, datetime(2026, 11, 3, 2, 0, tzinfo=UTC)) == near, "no roster for that day: as before"


def test_a_roster_with_nobody_of_the_candidates_on_duty_changes_nothing(app: FastAPI, client: TestClient) -> None:
    w = World(app, client)
    near = staff(app, "eng_tianhe", Role.engineer, skills=["broadband", "440106"])
    staff(app, "eng_gd", Role.engineer, skills=["broadband"])
    elsewhere = staff(app, "eng_zj", Role.engineer, province="330000", skills=["broadband", "440106"])
    _roster(app, [(elsewhere, "early")])  # on duty, but not a candidate for a Guangdong order
    assert _dispatch(w, client, None) == near
