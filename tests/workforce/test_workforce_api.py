"""The workforce service through the API: the demo's forecast, requirement and roster, the intraday gap, the
what-if, queue rules with If-Match, actuals from contacts, permissions and bad input."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import update

from helpers import login, make_user
from telqc.contacts.models import Contact
from telqc.core.rbac import Role
from telqc.workforce.models import Staff
from workforce.workforce_data import audited, seed

A = "/api/v1/workforce"
TODAY = date(2026, 11, 2)  # the conftest clock: 2026-11-02 02:00 UTC, 10:00 in Beijing


def field_of(body: dict[str, Any]) -> str:
    """The field an error names: a 409 carries it at the top, a 422 in its first detail."""
    return str(body.get("field") or body["detail"][0]["field"])


@pytest.fixture
def people(app: FastAPI, client: TestClient) -> dict[str, Any]:
    for name, role in (("mgr", Role.manager), ("sup", Role.supervisor), ("agent", Role.agent)):
        make_user(app, name, role)
    return {n: login(client, n) for n in ("mgr", "sup", "agent")}


def test_demo_produces_a_forecast_a_requirement_and_a_roster(app: FastAPI, client: TestClient,
                                                             people: dict[str, Any]) -> None:
    demo = seed(app)
    h = people["mgr"]
    forecasts = client.get(f"{A}/forecasts", headers=h).json()
    assert [f["id"] for f in forecasts] == [demo.forecast_id]
    assert forecasts[0]["start_date"] == TODAY.isoformat() and forecasts[0]["history_end"] == "2026-11-01"
    ser = client.get(f"{A}/forecasts/{demo.forecast_id}/series", params={"channel": "hotline", "days": 1},
                     headers=h).json()
    assert len(ser["intervals"]) == 48
    assert datetime.fromisoformat(ser["intervals"][0]) == datetime(2026, 11, 1, 16, 0, tzinfo=UTC), "local midnight"
    evening = ser["contacts"][39]  # 19:30 Beijing: the evening peak
    assert evening > 3 * ser["contacts"][8], "the 18:00–21:00 peak is far above 04:00"
    assert all(s >= a for s, a in zip(ser["scheduled"], ser["agents"], strict=True)), "shrinkage adds heads"
    assert ser["actual"][0] is not None and ser["actual"][30] is None, "actuals up to now only"
    roster = client.get(f"{A}/rosters/{demo.roster_id}", headers=h).json()
    assert roster["shifts"] == demo.shifts > 100 and roster["status"] in ("optimal", "time_limit")
    per_skill = {c["skill"]: c for c in roster["coverage"]}
    assert set(per_skill) == {"app", "hotline", "wechat"}, "coverage per skill (multi-skilled demo staff)"
    assert all(c["covered"] + c["short"] == c["required"] > 0 for c in per_skill.values())
    shifts = client.get(f"{A}/rosters/{demo.roster_id}/shifts", params={"day": TODAY.isoformat()}, headers=h).json()
    assert shifts and {x["day"] for x in shifts} == {TODAY.isoformat()}
    assert {"workforce.actuals_imported", "workforce.forecast_created", "workforce.roster_built",
            "workforce.template_created", "workforce.staff_created"} <= set(audited(app))


def test_intraday_gap_reforecasts_the_rest_of_the_day(app: FastAPI, client: TestClient,
                                                      people: dict[str, Any]) -> None:
    seed(app)
    r = client.get(f"{A}/intraday", params={"channel": "hotline"}, headers=people["sup"])
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["day"] == TODAY.isoformat() and len(body["rows"]) == 48 and body["suggestions"]
    done = [x for x in body["rows"] if x["actual"] is not None]
    assert len(done) == 20, "00:00–10:00 Beijing has run"
    assert all(x["reforecast"] == x["actual"] for x in done)
    assert 0.5 <= body["ratio"] <= 2.0
    rest = [x for x in body["rows"] if x["actual"] is None]
    assert all(x["reforecast"] == pytest.approx(x["forecast"] * body["ratio"], abs=0.11) for x in rest)
    assert all(x["gap"] == x["rostered"] - x["needed"] for x in body["rows"])


def test_what_if_more_agents_never_lower_the_service_level(client: TestClient, people: dict[str, Any]) -> None:
    base = {"channel": "hotline", "calls": 120, "aht_s": 330}
    r = client.post(f"{A}/what-if", json=base, headers=people["sup"])
    assert r.status_code == 200, r.text
    need = r.json()
    assert need["model"] == "erlang_a" and need["meets_target"] and need["agents"] == need["agents_needed"]
    levels = [client.post(f"{A}/what-if", json={**base, "agents": n}, headers=people["sup"]).json()["service_level"]
              for n in range(need["agents_needed"] - 4, need["agents_needed"] + 4)]
    assert levels == sorted(levels)
    fewer = client.post(f"{A}/what-if", json={**base, "agents": need["agents_needed"] - 1}, headers=people["sup"])
    assert not fewer.json()["meets_target"]
    more_aht = client.post(f"{A}/what-if", json={**base, "aht_s": 420}, headers=people["sup"]).json()
    assert more_aht["agents_needed"] > need["agents_needed"]
    no_shrink = client.post(f"{A}/what-if", json={**base, "shrinkage": 0}, headers=people["sup"]).json()
    assert no_shrink["scheduled_needed"] == no_shrink["agents_needed"] < need["scheduled_needed"]
    bad = client.post(f"{A}/what-if", json={**base, "aht_s": 0}, headers=people["sup"])
    assert bad.status_code == 422 and bad.json()["detail"][0]["field"] == "body.aht_s"


def test_queue_rules_need_the_current_version(client: TestClient, people: dict[str, Any]) -> None:
    h = people["mgr"]
    rules = {r["channel"]: r for r in client.get(f"{A}/rules", headers=h).json()}
    assert rules["hotline"]["stored"] is False and rules["hotline"]["model"] == "erlang_a"
    body = {"service_level_target": 0.9, "answer_time_s": 15, "max_occupancy": 0.85, "shrinkage": 0.3,
            "patience_s": 180}
    r = client.put(f"{A}/rules/hotline", json=body, headers={**h, "If-Match": 'W/"0"'})
    assert r.status_code == 200 and r.headers["etag"] == 'W/"1"' and r.json()["service_level_target"] == 0.9
    stale = client.put(f"{A}/rules/hotline", json={**body, "shrinkage": 0.2}, headers={**h, "If-Match": 'W/"0"'})
    assert stale.status_code == 412
    assert client.get(f"{A}/rules", headers=h).json()[0]["shrinkage"] == 0.3
    assert client.put(f"{A}/rules/hotline", json=body, headers=people["sup"]).status_code == 403
    assert client.put(f"{A}/rules/fax", json=body, headers=h).status_code == 422


def test_actuals_are_built_from_contacts(app: FastAPI, client: TestClient, people: dict[str, Any]) -> None:
    t0 = datetime(2026, 10, 31, 11, 5, tzinfo=UTC)  # 19:05 Beijing
    with app.state.sessionmaker() as s:
        s.add_all([Contact(channel="hotline", started_at=t0 + timedelta(minutes=m), queue_wait_s=10, talk_s=200,
                           hold_s=20, acw_s=30, abandoned=m == 20) for m in (0, 5, 20, 40)])
        s.commit()
    r = client.post(f"{A}/actuals/refresh", json={"start": "2026-10-31", "end": "2026-10-31"},
                    headers=people["mgr"])
    assert r.status_code == 200 and r.json() == {"intervals": 2}, r.text
    again = client.post(f"{A}/actuals/refresh", json={"start": "2026-10-31", "end": "2026-10-31"},
                        headers=people["mgr"])
    assert again.json() == {"intervals": 2}, "a refresh replaces what it built before"
    bad = client.post(f"{A}/actuals/refresh", json={"start": "2026-10-31", "end": "2026-10-01"},
                      headers=people["mgr"])
    assert bad.status_code == 422 and field_of(bad.json()) == "body.end"
    assert "workforce.actuals_refreshed" in audited(app)


def test_forecast_run_and_bad_input(app: FastAPI, client: TestClient, people: dict[str, Any]) -> None:
    h = people["mgr"]
    r = client.post(f"{A}/forecasts", json={"days": 7}, headers=h)
    assert r.status_code == 422 and field_of(r.json()) == "body.channels", "no history at all"
    assert client.post(f"{A}/forecasts", json={"days": 0}, headers=h).json()["detail"][0]["field"] == "body.days"
    seed(app, roster_days=1)
    r = client.post(f"{A}/forecasts", json={"days": 7, "history_days": 35, "channels": ["hotline"],
                                            "note": "月初账单日"}, headers=h)
    assert r.status_code == 201, r.text
    f = r.json()
    assert f["start_date"] == "2026-11-03" and f["channels"] == ["hotline"] and f["id"] == 2
    r = client.get(f"{A}/forecasts/{f['id']}/series", params={"channel": "app"}, headers=h)
    assert r.status_code == 422 and field_of(r.json()) == "query.channel"
    assert client.post(f"{A}/forecasts", json={"days": 7}, headers=people["sup"]).status_code == 403
    assert client.get(f"{A}/forecasts", headers=people["agent"]).status_code == 403
    assert client.get(f"{A}/forecasts/999", headers=h).status_code == 404
    r = client.post(f"{A}/rosters", json={"forecast_id": f["id"], "days": 8}, headers=h)
    assert r.status_code == 422 and field_of(r.json()) == "body.days", "beyond the forecast's 7 days"


def _spans(client: TestClient, h: dict[str, str], roster_id: int, first: date) -> dict[int, list[tuple[int, int]]]:
    """Per staff member, their shifts of a roster as (start, end) in minutes from `first`'s midnight."""
    out: dict[int, list[tuple[int, int]]] = {}
    for x in client.get(f"{A}/rosters/{roster_id}/shifts", headers=h).json():
        start = (date.fromisoformat(x["day"]) - first).days * 1440 + x["start_min"]
        out.setdefault(x["staff_id"], []).append((start, start + x["length_min"]))
    return out


def test_consecutive_rosters_keep_the_rest_across_their_boundary(app: FastAPI, client: TestClient,
                                                                people: dict[str, Any]) -> None:
    """Roster 1 is today (late shifts end at 24:00); roster 2 starts tomorrow, where the demo's 07:00 early
    shift would leave 7 h of rest; roster 3 overlaps roster 2's second day and keeps its first."""
    h = people["mgr"]
    demo = seed(app, roster_days=1)
    tomorrow = TODAY + timedelta(days=1)
    second = client.post(f"{A}/rosters", json={"forecast_id": demo.forecast_id, "start_date": tomorrow.isoformat(),
                                               "days": 2}, headers=h)
    assert second.status_code == 201, second.text
    third = client.post(f"{A}/rosters", json={"forecast_id": demo.forecast_id,
                                              "start_date": (tomorrow + timedelta(days=1)).isoformat(), "days": 2},
                        headers=h)
    assert third.status_code == 201, third.text
    before = _spans(client, h, demo.roster_id, TODAY)
    assert any(end >= 22 * 60 for v in before.values() for _, end in v), "the demo's today has late shifts"
    pairs = [(before, _spans(client, h, second.json()["id"], TODAY)),
             ({k: [x for x in v if x[0] < 2 * 1440] for k, v in _spans(client, h, second.json()["id"], TODAY).items()},
              _spans(client, h, third.json()["id"], TODAY))]
    checked = 0
    for old, new in pairs:
        for pid, spans in new.items():
            if old.get(pid):
                assert min(a for a, _ in spans) - max(b for _, b in old[pid]) >= 11 * 60, (pid, old[pid], spans)
                checked += 1
    assert checked > 10, "people worked on both sides of a boundary"



def _runs_through(days: set[date], new: set[date]) -> list[int]:
    """The lengths of the runs of days in a row in `days` that contain a day of `new`."""
    out = []
    for d in sorted(new):
        a = b = d
        while a - timedelta(days=1) in days:
            a -= timedelta(days=1)
        while b + timedelta(days=1) in days:
            b += timedelta(days=1)
        out.append((b - a).days + 1)
    return out


def test_a_roster_built_before_a_stored_later_one_keeps_the_rest_and_days_in_a_row_into_it(
        app: FastAPI, client: TestClient, people: dict[str, Any]) -> None:
    """The roster for days 4–6 is stored first; the one for days 2–3 is built after it and must leave 11 h of
    rest before its first shifts and, with the cap, no more than 2 days in a row across both (and roster 1)."""
    h = people["mgr"]
    demo = seed(app, roster_days=1)
    with app.state.sessionmaker() as db:
        db.execute(update(Staff).values(max_consecutive_days=2))
        db.commit()
    later = client.post(f"{A}/rosters", json={"forecast_id": demo.forecast_id,
                                              "start_date": (TODAY + timedelta(days=3)).isoformat(), "days": 3},
                        headers=h)
    assert later.status_code == 201, later.text
    earlier = client.post(f"{A}/rosters", json={"forecast_id": demo.forecast_id,
                                                "start_date": (TODAY + timedelta(days=1)).isoformat(), "days": 2},
                          headers=h)
    assert earlier.status_code == 201, earlier.text
    first, new, last = (_spans(client, h, r, TODAY) for r in (demo.roster_id, earlier.json()["id"],
                                                               later.json()["id"]))
    rested = 0
    for pid, spans in new.items():
        if last.get(pid):
            assert min(a for a, _ in last[pid]) - max(b for _, b in spans) >= 11 * 60, (pid, spans, last[pid])
            rested += 1
        days = {TODAY + timedelta(days=a // 1440) for a, _ in (*first.get(pid, []), *spans, *last.get(pid, []))}
        assert max(_runs_through(days, {TODAY + timedelta(days=a // 1440) for a, _ in spans})) <= 2, (pid, days)
    assert rested > 10, "people worked on both sides of the boundary"
    body = client.get(f"{A}/rosters/{earlier.json()['id']}", headers=h).json()
    assert isinstance(body["dropped"], list) and isinstance(body["retimed"], list)
    assert all(u["text"] and u["planned_start"].endswith("+08:00") for u in body["dropped"] + body["retimed"]), (
        "Beijing times")


def test_templates_take_a_short_break_and_refuse_a_bad_one_by_field(client: TestClient,
                                                                    people: dict[str, Any]) -> None:
    h = people["mgr"]
    good = {"name": "带小休", "length_min": 480, "earliest_start_min": 480, "latest_start_min": 540,
            "lunch_min": 60, "lunch_earliest_min": 180, "lunch_latest_min": 240,
            "break_min": 15, "break_earliest_min": 60, "break_latest_min": 120}
    for change, status, field in (({"break_latest_min": 30}, 422, "body.break_latest_min"),
                                  ({"break_earliest_min": 450, "break_latest_min": 480}, 422, "body.break_latest_min"),
                                  ({"break_min": 45}, 422, "body.break_min"),
                                  ({"break_min": -5}, 422, "body.break_min"),
                                  ({"break_earliest_min": 75}, 422, "body.break_earliest_min"),
                                  ({"lunch_latest_min": 180, "break_earliest_min": 180, "break_latest_min": 210}, 422,
                                   "body.break_earliest_min")):
        r = client.post(f"{A}/templates", json={**good, **change}, headers=h)
        assert r.status_code == status and field_of(r.json()) == field, (change, r.json())
    assert client.get(f"{A}/templates", headers=h).json() == [], "nothing stored"
    r = client.post(f"{A}/templates", json=good, headers=h)
    assert r.status_code == 201, r.json()
    out = r.json()
    assert (out["break_min"], out["break_earliest_min"], out["break_latest_min"]) == (15, 60, 120)
    r = client.post(f"{A}/templates", json={**good, "name": "无小休", "break_min": 0, "break_latest_min": 0}, headers=h)
    assert r.status_code == 422 and field_of(r.json()) == "body.break_latest_min", "a window backwards, even unused"
    r = client.post(f"{A}/templates", json={**good, "name": "无小休", "break_min": 0, "break_earliest_min": 0,
                                            "break_latest_min": 0}, headers=h)
    assert r.status_code == 201 and r.json()["break_min"] == 0
