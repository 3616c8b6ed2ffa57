"""Known events as forecast regressors (issue 21 item 1): learnt from the days of history they happened on,
applied to the days ahead; planned network works come from the incidents domain on their own."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import numpy as np
from fastapi import FastAPI
from fastapi.testclient import TestClient

from helpers import login, make_user
from telqc.core.context import Ctx
from telqc.core.rbac import Role
from telqc.core.uow import UnitOfWork
from telqc.workforce import service
from workforce.workforce_data import audited

A = "/api/v1/workforce"
TODAY = date(2026, 11, 2)  # the conftest clock's local day
TZ = ZoneInfo("Asia/Shanghai")
LAUNCHES = [TODAY - timedelta(days=d) for d in (45, 31, 17, 10)]  # past plan launches: calls doubled
AHEAD = TODAY + timedelta(days=3)


def _history(app: FastAPI, days: int = 56) -> None:
    """Flat weeks with an evening peak; the launch days carry twice the calls."""
    rng = np.random.default_rng(1)
    shape = np.array([2 + 10 * np.exp(-((k - 39) / 4) ** 2) + 6 * (16 <= k <= 36) for k in range(48)])
    rows = []
    for i in range(days, 0, -1):
        day = TODAY - timedelta(days=i)
        factor = 2.0 if day in LAUNCHES else (0.7 if day.weekday() >= 5 else 1.0)
        midnight = datetime(day.year, day.month, day.day, tzinfo=TZ).astimezone(UTC)
        for k in range(48):
            n = int(rng.poisson(shape[k] * factor))
            rows.append(service.ActualRow("hotline", midnight + timedelta(minutes=30 * k), n, n, 0, n * 300, n * 10))
    with app.state.sessionmaker() as s:
        uow = UnitOfWork(s)
        service.import_actuals(Ctx(uow=uow, clock=app.state.clock, settings=app.state.settings), rows)
        uow.commit()


def _day_total(client: TestClient, h: dict[str, str], forecast_id: int, day: date) -> float:
    ser = client.get(f"{A}/forecasts/{forecast_id}/series", params={"channel": "hotline", "days": 7},
                     headers=h).json()
    return sum(c for t, c in zip(ser["intervals"], ser["contacts"], strict=True)
               if datetime.fromisoformat(t).astimezone(TZ).date() == day)


def test_a_registered_launch_lifts_the_forecast_of_its_day(app: FastAPI, client: TestClient) -> None:
    make_user(app, "planner", Role.manager)
    h = login(client, "planner")
    _history(app)
    body = {"history_days": 56, "days": 7, "channels": ["hotline"]}
    before = client.post(f"{A}/forecasts", json=body, headers=h).json()["id"]
    for day in [*LAUNCHES, AHEAD]:
        r = client.post(f"{A}/events", json={"kind": "plan_launch", "title": "新套餐上线",
                                            "start_day": day.isoformat(), "channel": "hotline"}, headers=h)
        assert r.status_code == 201, r.text
    after = client.post(f"{A}/forecasts", json=body, headers=h).json()["id"]
    plain = _day_total(client, h, before, AHEAD)
    lifted = _day_total(client, h, after, AHEAD)
    same_weekday = _day_total(client, h, after, AHEAD - timedelta(days=1))
    assert lifted > 1.5 * plain, (lifted, plain)
    assert lifted > 1.5 * same_weekday, "only the event's day rises"
    assert "workforce.event_added" in audited(app)
    listed = client.get(f"{A}/events", params={"from": TODAY.isoformat()}, headers=h).json()
    assert [e["start_day"] for e in listed] == [AHEAD.isoformat()]


def test_bad_events_are_refused_and_agents_cannot_add_them(app: FastAPI, client: TestClient) -> None:
    make_user(app, "planner", Role.manager)
    make_user(app, "ag", Role.agent)
    h = login(client, "planner")
    r = client.post(f"{A}/events", json={"kind": "plan_launch", "title": "上线", "start_day": "2026-11-10",
                                        "end_day": "2026-11-09"}, headers=h)
    assert r.status_code == 422 and r.json()["detail"][0]["field"] == "body.end_day"
    r = client.post(f"{A}/events", json={"kind": "festival", "title": "上线", "start_day": "2026-11-10"}, headers=h)
    assert r.status_code == 422
    r = client.post(f"{A}/events", json={"kind": "other", "title": "上线", "start_day": "2026-11-10"},
                    headers=login(client, "ag"))
    assert r.status_code == 403
    assert client.get(f"{A}/events", headers=h).json() == []


def test_planned_works_count_as_known_events(app: FastAPI, client: TestClient) -> None:
    make_user(app, "noc", Role.netops)
    start = datetime(2026, 11, 5, 15, 0, tzinfo=UTC)  # 23:00 Beijing on the 5th, over midnight
    r = client.post("/api/v1/planned-works", json={
        "title": "核心网割接", "province_code": "440000", "start_at": start.isoformat(),
        "end_at": (start + timedelta(hours=4)).isoformat()}, headers=login(client, "noc"))
    assert r.status_code == 201, r.text
    with app.state.sessionmaker() as s:
        ctx = Ctx(uow=UnitOfWork(s), clock=app.state.clock, settings=app.state.settings)
        got = service.event_regressor(ctx, "hotline", TODAY, TODAY + timedelta(days=7))
    assert got == {date(2026, 11, 5): service.PLANNED_WORK_WEIGHT, date(2026, 11, 6): service.PLANNED_WORK_WEIGHT}
