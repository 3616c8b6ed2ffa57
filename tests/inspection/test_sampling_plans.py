"""抽检计划: a saved plan samples its last complete period once, by hand or from the nightly job, and the pages
let a QA manager save plans and an inspector run them."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from fastapi import FastAPI
from fastapi.testclient import TestClient
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import select

from helpers import make_user, page_login
from inspection.qa_helpers import jsonl, line, team, upload
from telqc.core.audit import AuditEntry
from telqc.core.clock import FrozenClock
from telqc.core.rbac import Role
from telqc.inspection import sampling_plans
from telqc.jobs.dispatch import job_ctx

SHANGHAI = ZoneInfo("Asia/Shanghai")
P = "/api/v1/qa/sampling-plans"


def test_last_week_and_last_day_in_the_service_zone() -> None:
    now = datetime(2026, 11, 2, 2, 0, tzinfo=UTC)  # Monday 10:00 in Beijing
    since, until = sampling_plans.last_period("weekly", now, SHANGHAI)
    assert (since, until) == (datetime(2026, 10, 25, 16, tzinfo=UTC), datetime(2026, 11, 1, 16, tzinfo=UTC))
    late_sunday = datetime(2026, 11, 1, 15, 59, tzinfo=UTC)  # Sunday 23:59 in Beijing: that week is not over
    assert sampling_plans.last_period("weekly", late_sunday, SHANGHAI)[1] == datetime(2026, 10, 25, 16, tzinfo=UTC)
    assert sampling_plans.last_period("daily", now, SHANGHAI) == (datetime(2026, 10, 31, 16, tzinfo=UTC),
                                                                  datetime(2026, 11, 1, 16, tzinfo=UTC))


@given(st.datetimes(min_value=datetime(2000, 1, 1), max_value=datetime(2090, 1, 1), timezones=st.just(UTC)),
       st.sampled_from(["daily", "weekly"]))
def test_the_period_is_the_latest_complete_one(now: datetime, period: str) -> None:
    since, until = sampling_plans.last_period(period, now, SHANGHAI)
    length = timedelta(days=7 if period == "weekly" else 1)
    local = until.astimezone(SHANGHAI)
    assert until - since == length and until <= now < until + length
    assert (local.hour, local.minute) == (0, 0) and (period == "daily" or local.weekday() == 0)


def _plan(client: TestClient, h: dict[str, str], **kw: Any) -> Any:
    body = {"name": "每周常规抽检", "period": "weekly", "targets": ["complaint"], "per_agent_week_min": 1} | kw
    return client.post(P, headers=h, json=body)


def _calls(client: TestClient, h: dict[str, str]) -> None:
    day = "2026-10-{}T02:00:00+00:00"  # the week of Monday 26 October, Beijing time
    recs = [line("agent1", started_at=day.format(27 + i % 3), external_id=f"p1-{i}") for i in range(4)]
    recs[0]["complaint"] = True
    recs += [line("agent2", started_at=day.format(28), external_id="p2-0"),
             line("agent2", started_at="2026-11-02T01:00:00+00:00", external_id="p2-this-week")]
    assert upload(client, h, jsonl(recs)).status_code == 201


def test_a_plan_samples_its_last_week_once(app: FastAPI, client: TestClient) -> None:
    t = team(app, client)
    h, ids = t["h"], t["ids"]
    _calls(client, h["insp1"])
    plan = _plan(client, h["admin"], inspectors=[ids["insp1"], ids["insp2"]])
    assert plan.status_code == 201, plan.text
    pid = plan.json()["id"]

    run = client.post(f"{P}/{pid}/run", headers=h["insp1"])
    assert run.status_code == 201, run.text
    batch = run.json()
    # the complaint, then one more of agent1's week to reach 1 (already reached) and one of agent2's; not this week
    assert batch["by_reason"] == {"targeted:complaint": 1, "stratified": 1} and batch["created"] == 2
    assert batch["since"].startswith("2026-10-25T16:00") and batch["plan_id"] == pid
    assert batch["run_by"] == ids["insp1"] and sum(batch["by_inspector"].values()) == 2

    again = client.post(f"{P}/{pid}/run", headers=h["insp2"])
    assert again.status_code == 409 and "已经抽检过" in again.text
    listed = client.get(P, headers=h["insp2"]).json()
    assert listed[0]["last_since"] == batch["since"] and listed[0]["active"] is True
    assert [b["id"] for b in client.get("/api/v1/qa/sampling-batches", headers=h["insp1"]).json()] == [batch["id"]]
    with app.state.sessionmaker() as s:
        actions = [(a.action, a.actor) for a in s.scalars(select(AuditEntry).where(
            AuditEntry.action.in_(["sampling_plan.created", "sampling.run"])).order_by(AuditEntry.id))]
    assert actions == [("sampling_plan.created", "qa_admin"), ("sampling.run", "insp1")]


def test_the_nightly_job_runs_due_plans_and_skips_paused_ones(app: FastAPI, client: TestClient,
                                                              clock: FrozenClock) -> None:
    t = team(app, client)
    h, ids = t["h"], t["ids"]
    _calls(client, h["insp1"])
    weekly = _plan(client, h["admin"], inspectors=[ids["insp1"]]).json()
    paused = _plan(client, h["admin"], name="暂停的计划", inspectors=[ids["insp2"]]).json()
    r = client.post(f"{P}/{paused['id']}/active", headers=h["admin"], json={"active": False})
    assert r.status_code == 200 and r.json()["active"] is False
    assert client.post(f"{P}/{paused['id']}/run", headers=h["insp2"]).status_code == 409

    def nightly() -> list[int]:
        with job_ctx(app.state.sessionmaker, clock, app.state.settings) as ctx:
            return [b.plan_id for b in sampling_plans.run_due(ctx) if b.plan_id is not None]

    assert nightly() == [weekly["id"]]
    assert nightly() == [], "a second night finds the batch"
    clock.advance(timedelta(days=7))
    assert nightly() == [weekly["id"]], "next Monday samples the new week"


def test_a_plan_is_checked_when_saved(app: FastAPI, client: TestClient) -> None:
    t = team(app, client)
    h, ids = t["h"], t["ids"]
    bad = _plan(client, h["admin"], inspectors=[ids["agent1"]])
    assert bad.status_code == 422 and bad.json()["detail"][0]["field"] == "body.inspectors.0"
    bad = _plan(client, h["admin"], inspectors=[ids["insp1"]], double_pct=10)
    assert bad.status_code == 422 and bad.json()["detail"][0]["field"] == "body.inspectors"
    bad = _plan(client, h["admin"], inspectors=[ids["insp1"]], period="monthly")
    assert bad.status_code == 422 and bad.json()["detail"][0]["field"] == "body.period"
    assert _plan(client, h["admin"], inspectors=[ids["insp1"]]).status_code == 201
    dup = _plan(client, h["admin"], inspectors=[ids["insp1"]])
    assert dup.status_code == 409 and "同名" in dup.json()["detail"]
    assert _plan(client, h["insp1"], name="质检员不能建计划", inspectors=[ids["insp1"]]).status_code == 403
    assert client.post(f"{P}/1/run", headers=h["agent1"]).status_code == 403
    assert client.post(f"{P}/999/run", headers=h["insp1"]).status_code == 404
    with app.state.sessionmaker() as s:
        assert s.scalar(select(AuditEntry.id).where(AuditEntry.action == "sampling_plan.created")) is not None


def test_manager_saves_a_plan_and_an_inspector_runs_it_from_the_page(app: FastAPI, client: TestClient) -> None:
    t = team(app, client)
    ids = t["ids"]
    _calls(client, t["h"]["insp1"])
    make_user(app, "qa_mgr", Role.manager)
    token = page_login(client, "qa_mgr")
    form = {"csrf_token": token, "name": "周抽检", "period": "weekly", "targets": ["complaint"],
            "per_agent_week_min": "1", "random_pct": "0", "double_pct": "0",
            "inspectors": [str(ids["insp1"]), str(ids["insp2"])]}
    bad = client.post("/qa/sampling/plans", data={**form, "random_pct": "150"}, follow_redirects=False)
    assert bad.status_code == 422 and "random_pct" in bad.text and "周抽检" in bad.text, "re-rendered with the input"
    r = client.post("/qa/sampling/plans", data=form, follow_redirects=False)
    assert r.status_code == 303, r.text
    page = client.get("/qa/sampling").text
    assert "周抽检" in page and "每周" in page and "投诉" in page and "每位坐席每周至少 1 通" in page
    assert "立即抽检上一周期" in page and "新建抽检计划" in page

    client.cookies.clear()
    token = page_login(client, "insp1")
    page = client.get("/qa/sampling").text
    assert "新建抽检计划" not in page, "an inspector runs plans but does not write them"
    pid = re.search(r'action="/qa/sampling/plans/(\d+)/run"', page).group(1)  # type: ignore[union-attr]
    r = client.post(f"/qa/sampling/plans/{pid}/run", data={"csrf_token": token}, follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"].startswith("/qa/sampling#batch-")
    page = client.get("/qa/sampling").text
    batch = re.search(r'<tr id="batch-\d+">(.*?)</tr>', page, re.S).group(1)  # type: ignore[union-attr]
    assert "定向抽检：投诉 1" in batch and "分层抽检 1" in batch and "周抽检" in batch
    assert not re.search(r">\s*\d+\s*</td>\s*</tr>", batch), "the runner is named, not numbered"
    again = client.post(f"/qa/sampling/plans/{pid}/run", data={"csrf_token": token}, follow_redirects=False)
    assert again.status_code == 409 and "已经抽检过" in again.text
    assert 'href="/qa/sampling"' in client.get("/qa/workbench").text
